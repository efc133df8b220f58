//! Response shapes: REST-JSON errors, STS XML, and event-stream frames.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue as FrameValue, Message};
use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use bytes::Bytes;
use serde_json::{json, Value};

pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn with_request_id(mut response: Response<Body>) -> Response<Body> {
    if let Ok(value) = HeaderValue::from_str(&request_id()) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

fn build(status: StatusCode, content_type: &'static str, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    with_request_id(response)
}

pub fn json(status: StatusCode, value: &Value) -> Response<Body> {
    build(status, "application/json", Body::from(value.to_string()))
}

/// A REST-JSON error as Bedrock sends it: the type in `x-amzn-ErrorType` and in the body.
pub fn error(status: StatusCode, error_type: &str, message: &str) -> Response<Body> {
    let mut response = json(status, &json!({ "__type": error_type, "message": message }));
    if let Ok(value) = HeaderValue::from_str(error_type) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

pub fn xml(status: StatusCode, body: String) -> Response<Body> {
    build(status, "text/xml", Body::from(body))
}

/// An STS (query protocol) error document.
pub fn sts_error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            xml_escape(message),
            request_id()
        ),
    )
}

pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn event_stream(body: Body) -> Response<Body> {
    build(StatusCode::OK, "application/vnd.amazon.eventstream", body)
}

fn frame(message: &Message) -> Bytes {
    let mut buffer = Vec::with_capacity(message.payload().len() + 96);
    // Writing to a Vec cannot fail except on oversized frames, which we never build.
    if write_message_to(message, &mut buffer).is_err() {
        return Bytes::new();
    }
    Bytes::from(buffer)
}

/// One `:message-type=event` frame.
pub fn event_frame(event_type: &'static str, payload: &Value) -> Bytes {
    frame(
        &Message::new(payload.to_string())
            .add_header(Header::new(
                ":event-type",
                FrameValue::String(event_type.into()),
            ))
            .add_header(Header::new(
                ":content-type",
                FrameValue::String("application/json".into()),
            ))
            .add_header(Header::new(
                ":message-type",
                FrameValue::String("event".into()),
            )),
    )
}

/// One `:message-type=exception` frame, as Bedrock sends errors in the middle of a stream.
pub fn exception_frame(exception_type: &'static str, payload: &Value) -> Bytes {
    frame(
        &Message::new(payload.to_string())
            .add_header(Header::new(
                ":exception-type",
                FrameValue::String(exception_type.into()),
            ))
            .add_header(Header::new(
                ":content-type",
                FrameValue::String("application/json".into()),
            ))
            .add_header(Header::new(
                ":message-type",
                FrameValue::String("exception".into()),
            )),
    )
}
