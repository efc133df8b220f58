//! The HTTP side: routing, authentication, recording, and the Bedrock operations.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Response, StatusCode};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::answer::{
    answer_text, answer_tokens, check_parameters, cited_page, page_text, pdf_is_encrypted,
    pdf_pages, thinking_text, valid_document_name, without_directives, Directives, DocumentSeen,
    RequestSummary,
};
use crate::catalog::{self, sampling_exclusive, ResolvedModel};
use crate::config::{SimConfig, SimCredential};
use crate::sigv4::{self, SignedRequest};
use crate::wire;

/// Largest request body the simulator reads (Bedrock's own limit is 32 MB per request).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub struct SimState {
    pub config: SimConfig,
    /// `[[sim:throttle-times=N]]`: how often each message has been throttled so far.
    pub throttle_counts: Mutex<std::collections::HashMap<String, u32>>,
    pub base_url: String,
    pub sso: Mutex<crate::sso::SsoState>,
    pub requests: Mutex<Vec<Value>>,
    pub logging: Mutex<Option<Value>>,
    /// Prompt cache: prefix key → when it was written (entries live 5 minutes).
    pub prompt_cache: Mutex<std::collections::HashMap<u64, Instant>>,
}

pub type Shared = Arc<SimState>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Runtime,
    Control,
    Sts,
}

impl Service {
    fn signing_name(self) -> &'static str {
        match self {
            Service::Runtime | Service::Control => "bedrock",
            Service::Sts => "sts",
        }
    }
}

#[derive(Debug)]
struct Route {
    service: Service,
    operation: &'static str,
    model_id: Option<String>,
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

fn route(method: &Method, path: &str, body: &[u8]) -> Option<Route> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let r = |service, operation, model_id: Option<&str>| {
        Some(Route {
            service,
            operation,
            model_id: model_id.map(decode),
        })
    };
    match (method, segments.as_slice()) {
        (&Method::POST, ["model", id, op]) => {
            let operation = match *op {
                "converse" => "Converse",
                "converse-stream" => "ConverseStream",
                "invoke" => "InvokeModel",
                "invoke-with-response-stream" => "InvokeModelWithResponseStream",
                "count-tokens" => "CountTokens",
                _ => return None,
            };
            r(Service::Runtime, operation, Some(id))
        }
        (&Method::GET, ["foundation-models"]) => r(Service::Control, "ListFoundationModels", None),
        (&Method::GET, ["foundation-models", id]) => {
            r(Service::Control, "GetFoundationModel", Some(id))
        }
        (&Method::GET, ["inference-profiles"]) => {
            r(Service::Control, "ListInferenceProfiles", None)
        }
        (&Method::GET, ["inference-profiles", id]) => {
            r(Service::Control, "GetInferenceProfile", Some(id))
        }
        (&Method::GET, ["foundation-model-availability", id]) => {
            r(Service::Control, "GetFoundationModelAvailability", Some(id))
        }
        (&Method::GET, ["logging", "modelinvocations"]) => r(
            Service::Control,
            "GetModelInvocationLoggingConfiguration",
            None,
        ),
        (&Method::PUT, ["logging", "modelinvocations"]) => r(
            Service::Control,
            "PutModelInvocationLoggingConfiguration",
            None,
        ),
        (&Method::DELETE, ["logging", "modelinvocations"]) => r(
            Service::Control,
            "DeleteModelInvocationLoggingConfiguration",
            None,
        ),
        (&Method::POST, [""]) => {
            let form = String::from_utf8_lossy(body);
            if form.split('&').any(|p| p == "Action=GetCallerIdentity") {
                r(Service::Sts, "GetCallerIdentity", None)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The outcome of checking a request's credentials.
#[derive(Debug, Clone)]
enum Auth {
    SigV4(SimCredential),
    Bearer,
    Missing,
    Unrecognized(String),
    InvalidSignature(String),
    WrongScope(String),
    Expired(String),
    BearerInvalid,
    BearerNotAllowed,
}

impl Auth {
    fn verdict(&self) -> &'static str {
        match self {
            Auth::SigV4(_) | Auth::Bearer => "ok",
            Auth::Missing => "missing",
            Auth::Unrecognized(_) => "unrecognized-client",
            Auth::InvalidSignature(_) | Auth::WrongScope(_) => "invalid-signature",
            Auth::Expired(_) => "expired-token",
            Auth::BearerInvalid => "invalid-api-key",
            Auth::BearerNotAllowed => "api-key-not-allowed",
        }
    }

    fn scheme(&self) -> &'static str {
        match self {
            Auth::Bearer | Auth::BearerInvalid | Auth::BearerNotAllowed => "bearer",
            Auth::Missing => "none",
            _ => "sigv4",
        }
    }

    fn access_key_id(&self) -> Option<&str> {
        match self {
            Auth::SigV4(c) => Some(&c.access_key_id),
            Auth::Unrecognized(k)
            | Auth::InvalidSignature(k)
            | Auth::WrongScope(k)
            | Auth::Expired(k) => Some(k),
            _ => None,
        }
    }
}

fn authenticate(
    config: &SimConfig,
    issued: &[SimCredential],
    service: Service,
    request: &SignedRequest<'_>,
) -> Auth {
    let headers = request.headers;
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Auth::Missing;
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        if service != Service::Runtime {
            return Auth::BearerNotAllowed;
        }
        return if config.api_keys.iter().any(|k| k == token.trim()) {
            Auth::Bearer
        } else {
            Auth::BearerInvalid
        };
    }
    let Some(parsed) = sigv4::parse_authorization(value) else {
        return Auth::Missing;
    };
    let key = parsed.access_key_id.clone();
    let Some(credential) = config
        .credentials
        .iter()
        .chain(issued)
        .find(|c| c.access_key_id == parsed.access_key_id)
    else {
        return Auth::Unrecognized(key);
    };
    let sent_token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    if sent_token != credential.session_token.as_deref() {
        return Auth::Unrecognized(key);
    }
    if parsed.service != service.signing_name() {
        return Auth::WrongScope(key);
    }
    let expected = sigv4::expected_signature(request, &parsed, &credential.secret_access_key);
    if !sigv4::signatures_match(&expected, &parsed.signature) {
        return Auth::InvalidSignature(key);
    }
    if credential.expired {
        return Auth::Expired(key);
    }
    Auth::SigV4(credential.clone())
}

fn auth_failure(service: Service, auth: &Auth) -> Option<Response<Body>> {
    let (status, rest_type, sts_code, message) = match auth {
        Auth::SigV4(_) | Auth::Bearer => return None,
        Auth::Missing => (
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "MissingAuthenticationToken",
            "Missing Authentication Token".to_owned(),
        ),
        Auth::Unrecognized(_) => (
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "InvalidClientTokenId",
            "The security token included in the request is invalid.".to_owned(),
        ),
        Auth::InvalidSignature(_) => (
            StatusCode::FORBIDDEN,
            "InvalidSignatureException",
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".to_owned(),
        ),
        Auth::WrongScope(_) => (
            StatusCode::FORBIDDEN,
            "InvalidSignatureException",
            "SignatureDoesNotMatch",
            format!(
                "Credential should be scoped to correct service: '{}'.",
                service.signing_name()
            ),
        ),
        Auth::Expired(_) => (
            StatusCode::FORBIDDEN,
            "ExpiredTokenException",
            "ExpiredToken",
            "The security token included in the request is expired".to_owned(),
        ),
        Auth::BearerInvalid => (
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "InvalidClientTokenId",
            "The API key included in the request is invalid.".to_owned(),
        ),
        Auth::BearerNotAllowed => (
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "AccessDenied",
            "Bedrock API keys are accepted by bedrock-runtime only; sign control-plane requests with SigV4 credentials.".to_owned(),
        ),
    };
    Some(match service {
        Service::Sts => wire::sts_error(status, sts_code, &message),
        _ => wire::error(status, rest_type, &message),
    })
}

const RECORDED_HEADERS: &[&str] = &[
    "content-type",
    "accept",
    "anthropic-beta",
    "anthropic-version",
    "user-agent",
    "x-amz-security-token",
    "x-amzn-bedrock-accept",
    "x-amzn-bedrock-trace",
    "x-amzn-bedrock-performanceconfig-latency",
];

fn record(state: &SimState, route: &Route, auth: &Auth, headers: &HeaderMap, body: &[u8]) {
    let mut kept = BTreeMap::new();
    for name in RECORDED_HEADERS {
        if let Some(value) = headers.get(*name).and_then(|v| v.to_str().ok()) {
            // The session token is a secret: record only that it was there.
            let shown = if *name == "x-amz-security-token" {
                "<present>".to_owned()
            } else {
                value.to_owned()
            };
            kept.insert((*name).to_owned(), shown);
        }
    }
    let body_value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
    };
    let entry = json!({
        "operation": route.operation,
        "modelId": route.model_id,
        "auth": {
            "verdict": auth.verdict(),
            "scheme": auth.scheme(),
            "accessKeyId": auth.access_key_id(),
        },
        "headers": kept,
        "body": body_value,
    });
    if let Ok(mut requests) = state.requests.lock() {
        requests.push(entry);
    }
}

/// The single entry point: every request lands here.
pub async fn handle(State(state): State<Shared>, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return wire::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "ValidationException",
                "Input is too long for requested model.",
            )
        }
    };

    if raw_path == "/_sim/requests" {
        return requests_endpoint(&state, &parts.method);
    }
    if let Ok(mut sso) = state.sso.lock() {
        if let Some(response) = crate::sso::handle(
            &state.config,
            &state.base_url,
            &mut sso,
            &crate::sso::Incoming {
                method: &parts.method,
                path: &raw_path,
                raw_query: &raw_query,
                headers: &parts.headers,
                body: &body,
            },
        ) {
            return response;
        }
    }

    let Some(route) = route(&parts.method, &raw_path, &body) else {
        return wire::error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            &format!("No operation matches {} {}", parts.method, raw_path),
        );
    };
    let issued = state
        .sso
        .lock()
        .map(|s| s.issued_credentials())
        .unwrap_or_default();
    let auth = authenticate(
        &state.config,
        &issued,
        route.service,
        &SignedRequest {
            method: &parts.method,
            raw_path: &raw_path,
            raw_query: &raw_query,
            headers: &parts.headers,
            body: &body,
        },
    );
    record(&state, &route, &auth, &parts.headers, &body);
    if let Some(failure) = auth_failure(route.service, &auth) {
        return failure;
    }
    if let Auth::SigV4(credential) = &auth {
        if let Some(denied) = permission_denied(&state.config, credential, &route) {
            return denied;
        }
    }
    tracing::debug!(operation = route.operation, model = ?route.model_id, "request");

    match route.service {
        Service::Sts => caller_identity(&state.config, &auth),
        Service::Control => control(&state, &route, &raw_query, &body),
        Service::Runtime => runtime(&state, &route, &body).await,
    }
}

/// A key limited by `allow` is refused other operations, in IAM's words.
fn permission_denied(
    config: &SimConfig,
    credential: &SimCredential,
    route: &Route,
) -> Option<Response<Body>> {
    let allowed = credential.allow.as_ref()?;
    if allowed.iter().any(|op| op == route.operation) {
        return None;
    }
    let prefix = match route.service {
        Service::Sts => "sts",
        _ => "bedrock",
    };
    let action = match route.operation {
        "ConverseStream" => "InvokeModelWithResponseStream",
        "Converse" => "InvokeModel",
        other => other,
    };
    let message = format!(
        "User: arn:aws:iam::{}:user/{} is not authorized to perform: {prefix}:{action} because no identity-based policy allows the {prefix}:{action} action",
        config.account, credential.user_name
    );
    Some(match route.service {
        Service::Sts => wire::sts_error(StatusCode::FORBIDDEN, "AccessDenied", &message),
        _ => wire::error(StatusCode::FORBIDDEN, "AccessDeniedException", &message),
    })
}

fn requests_endpoint(state: &SimState, method: &Method) -> Response<Body> {
    let Ok(mut requests) = state.requests.lock() else {
        return wire::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerException",
            "lock",
        );
    };
    if method == Method::DELETE {
        requests.clear();
        return wire::json(StatusCode::OK, &json!({ "cleared": true }));
    }
    wire::json(StatusCode::OK, &Value::Array(requests.clone()))
}

fn caller_identity(config: &SimConfig, auth: &Auth) -> Response<Body> {
    let Auth::SigV4(credential) = auth else {
        return wire::sts_error(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        );
    };
    let account = &config.account;
    let user = &credential.user_name;
    let suffix: String = credential
        .access_key_id
        .chars()
        .rev()
        .take(12)
        .collect::<String>()
        .to_uppercase();
    let (arn, user_id) = if credential.session_token.is_some() {
        (
            format!("arn:aws:sts::{account}:assumed-role/CairnAnalyst/{user}"),
            format!("AROA{suffix}:{user}"),
        )
    } else {
        (
            format!("arn:aws:iam::{account}:user/{user}"),
            format!("AIDA{suffix}"),
        )
    };
    wire::xml(
        StatusCode::OK,
        format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
            wire::xml_escape(&arn),
            wire::xml_escape(&user_id),
            wire::xml_escape(account),
            wire::request_id()
        ),
    )
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode(&v.replace('+', " ")))
    })
}

fn not_found(what: &str) -> Response<Body> {
    wire::error(
        StatusCode::NOT_FOUND,
        "ResourceNotFoundException",
        &format!("The specified {what} was not found."),
    )
}

fn control(state: &SimState, route: &Route, query: &str, body: &[u8]) -> Response<Body> {
    let config = &state.config;
    let models = catalog::catalog_with(config.synthetic_models, config.synthetic_profiles);
    let region = &config.region;
    let model_id = route.model_id.as_deref().unwrap_or_default();
    match route.operation {
        "ListFoundationModels" => {
            let provider = query_param(query, "byProvider").map(|p| p.to_lowercase());
            let summaries: Vec<Value> = match provider.as_deref() {
                None | Some("anthropic") => models
                    .iter()
                    .map(|m| catalog::model_summary(m, region))
                    .collect(),
                Some(_) => Vec::new(),
            };
            wire::json(StatusCode::OK, &json!({ "modelSummaries": summaries }))
        }
        "GetFoundationModel" => match catalog::resolve_in(models, model_id) {
            Some(ResolvedModel {
                model,
                profile: None,
            }) => wire::json(
                StatusCode::OK,
                &json!({ "modelDetails": catalog::model_summary(model, region) }),
            ),
            _ => not_found("model"),
        },
        "ListInferenceProfiles" => {
            let all = catalog::profiles(models, region, &config.account);
            let kind = query_param(query, "type");
            let filtered: Vec<Value> = all
                .into_iter()
                .filter(|p| kind.as_deref().is_none_or(|k| p["type"] == k))
                .collect();
            let page_size = query_param(query, "maxResults")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(config.profiles_page_size)
                .clamp(1, 1000);
            let start = match query_param(query, "nextToken") {
                None => 0,
                Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
                    Some(n) => n,
                    None => {
                        return wire::error(
                            StatusCode::BAD_REQUEST,
                            "ValidationException",
                            "Invalid pagination token.",
                        )
                    }
                },
            };
            let page: Vec<Value> = filtered
                .iter()
                .skip(start)
                .take(page_size)
                .cloned()
                .collect();
            let mut out = json!({ "inferenceProfileSummaries": page });
            if start + page_size < filtered.len() {
                out["nextToken"] = json!(format!("page-{}", start + page_size));
            }
            wire::json(StatusCode::OK, &out)
        }
        "GetInferenceProfile" => {
            let id = model_id.rsplit('/').next().unwrap_or(model_id);
            catalog::profiles(models, region, &config.account)
                .into_iter()
                .find(|p| p["inferenceProfileId"] == id)
                .map_or_else(
                    || not_found("inference profile"),
                    |p| wire::json(StatusCode::OK, &p),
                )
        }
        "GetFoundationModelAvailability" => match catalog::resolve_in(models, model_id) {
            Some(resolved) => {
                let denied = is_denied(config, &resolved, model_id);
                wire::json(
                    StatusCode::OK,
                    &json!({
                        "modelId": resolved.model.model_id,
                        "agreementAvailability": { "status": "AVAILABLE" },
                        "authorizationStatus": if denied { "NOT_AUTHORIZED" } else { "AUTHORIZED" },
                        "entitlementAvailability": "AVAILABLE",
                        "regionAvailability": "AVAILABLE",
                    }),
                )
            }
            None => not_found("model"),
        },
        "GetModelInvocationLoggingConfiguration" => {
            let current = state.logging.lock().ok().and_then(|l| l.clone());
            let out = match current {
                Some(config) => json!({ "loggingConfig": config }),
                None => json!({}),
            };
            wire::json(StatusCode::OK, &out)
        }
        "PutModelInvocationLoggingConfiguration" => {
            let parsed: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return validation(&format!("Malformed request body: {e}")),
            };
            let Some(config) = parsed.get("loggingConfig").filter(|c| c.is_object()) else {
                return validation("1 validation error detected: Value null at 'loggingConfig' failed to satisfy constraint: Member must not be null");
            };
            if let Err(message) = check_logging_config(config) {
                return validation(&message);
            }
            if let Ok(mut logging) = state.logging.lock() {
                *logging = Some(config.clone());
            }
            wire::json(StatusCode::OK, &json!({}))
        }
        "DeleteModelInvocationLoggingConfiguration" => {
            if let Ok(mut logging) = state.logging.lock() {
                *logging = None;
            }
            wire::json(StatusCode::OK, &json!({}))
        }
        _ => not_found("operation"),
    }
}

/// Bedrock's checks of a logging configuration: a destination, a complete CloudWatch block
/// (log group and an IAM role ARN), a valid S3 bucket name.
fn check_logging_config(config: &Value) -> Result<(), String> {
    let cloud_watch = config.get("cloudWatchConfig").filter(|c| c.is_object());
    let s3 = config.get("s3Config").filter(|c| c.is_object());
    if cloud_watch.is_none() && s3.is_none() {
        return Err(
            "At least one destination (cloudWatchConfig or s3Config) must be provided.".into(),
        );
    }
    if let Some(cw) = cloud_watch {
        if text_of(&cw["logGroupName"]).is_empty() {
            return Err("1 validation error detected: Value null at 'loggingConfig.cloudWatchConfig.logGroupName' failed to satisfy constraint: Member must not be null".into());
        }
        let role = text_of(&cw["roleArn"]);
        if !(role.starts_with("arn:aws:iam::") && role.contains(":role/")) {
            return Err(format!("1 validation error detected: Value '{role}' at 'loggingConfig.cloudWatchConfig.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[^:]+)?:iam::([0-9]{{12}})?:role/.+"));
        }
    }
    if let Some(s3) = s3 {
        let bucket = text_of(&s3["bucketName"]);
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(format!("1 validation error detected: Value '{bucket}' at 'loggingConfig.s3Config.bucketName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z0-9][\\.\\-a-z0-9]{{1,61}}[a-z0-9]"));
        }
    }
    Ok(())
}

fn validation(message: &str) -> Response<Body> {
    wire::error(StatusCode::BAD_REQUEST, "ValidationException", message)
}

fn is_denied(config: &SimConfig, resolved: &ResolvedModel, requested: &str) -> bool {
    config
        .faults
        .access_denied_models
        .iter()
        .any(|m| m == resolved.model.model_id || m == requested)
}

fn text_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Reads a Converse request (`messages`, `system`, `inferenceConfig`, `additionalModelRequestFields`).
fn summarize_converse(
    body: &Value,
    api: &'static str,
    model_id: &str,
) -> Result<RequestSummary, String> {
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
        .ok_or("A conversation must start with a user message. Try again with a conversation that starts with a user message.")?;
    let mut summary = RequestSummary {
        api,
        model_id: model_id.to_owned(),
        message_count: messages.len(),
        ..Default::default()
    };
    for (mi, message) in messages.iter().enumerate() {
        let role = text_of(&message["role"]);
        let content = message["content"]
            .as_array()
            .ok_or("Each message needs a content list.")?;
        let mut has_text = false;
        let mut docs_here = 0;
        for (bi, block) in content.iter().enumerate() {
            if let Some(text) = block.get("text").and_then(Value::as_str) {
                has_text = true;
                summary.text_chars += text.chars().count();
                if role == "user" {
                    summary.last_user_text = text.to_owned();
                }
            } else if let Some(doc) = block.get("document") {
                docs_here += 1;
                if role != "user" {
                    return Err("Documents are only allowed in user messages.".into());
                }
                let name = text_of(&doc["name"]).to_owned();
                if !valid_document_name(&name) {
                    return Err("The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character.".into());
                }
                let bytes = BASE64
                    .decode(text_of(&doc["source"]["bytes"]))
                    .map_err(|_| "The document bytes are not valid base64.")?;
                let citations = doc["citations"]["enabled"].as_bool().unwrap_or(false);
                summary.documents.push(read_pdf(name, &bytes, citations)?);
            } else if block.get("image").is_some() {
                summary.images += 1;
            } else if block.get("cachePoint").is_some() {
                summary.cache_point(&format!(
                    "{:?}{}",
                    body.get("system"),
                    prefix_of(messages, mi, bi)
                ));
            }
        }
        if docs_here > 0 && !has_text {
            return Err("A message with a document must also contain a text block.".into());
        }
    }
    if summary.documents.len() > 5 {
        return Err("Too many documents: a request can hold at most 5.".into());
    }
    if let Some(system) = body.get("system").and_then(Value::as_array) {
        summary.has_system = !system.is_empty();
        for block in system {
            summary.text_chars += text_of(&block["text"]).chars().count();
        }
    }
    let inference = &body["inferenceConfig"];
    if let Some(max) = inference["maxTokens"].as_u64() {
        summary.max_tokens = u32::try_from(max).ok();
        summary
            .parameters
            .push(("maxTokens".into(), max.to_string()));
    }
    for key in ["temperature", "topP"] {
        if let Some(v) = inference.get(key).filter(|v| v.is_number()) {
            summary.parameters.push((key.into(), v.to_string()));
        }
    }
    summary.temperature = inference["temperature"].as_f64();
    summary.top_p = inference["topP"].as_f64();
    summary.prefill = final_assistant_text(messages, |block| block.get("text"));
    if let Some(stops) = inference["stopSequences"].as_array() {
        summary
            .parameters
            .push(("stopSequences".into(), stops.len().to_string()));
    }
    read_model_fields(&body["additionalModelRequestFields"], &mut summary);
    Ok(summary)
}

/// The request's messages up to and including `block` of `message`, as text: what a cache
/// point covers.
fn prefix_of(messages: &[Value], message: usize, block: usize) -> String {
    let mut out = String::new();
    for m in &messages[..message] {
        out.push_str(&m.to_string());
    }
    match &messages[message]["content"] {
        Value::Array(blocks) => {
            for b in &blocks[..=block.min(blocks.len().saturating_sub(1))] {
                out.push_str(&b.to_string());
            }
        }
        other => out.push_str(&other.to_string()),
    }
    out
}

/// The text of the last message when the assistant wrote it (a prefill to continue).
fn final_assistant_text(
    messages: &[Value],
    text_of_block: impl Fn(&Value) -> Option<&Value>,
) -> Option<String> {
    let last = messages.last().filter(|m| m["role"] == "assistant")?;
    let text: String = last["content"]
        .as_array()?
        .iter()
        .filter_map(|b| text_of_block(b).and_then(Value::as_str))
        .collect();
    Some(text)
}

/// Anthropic fields shared by the InvokeModel body and Converse `additionalModelRequestFields`.
fn read_model_fields(fields: &Value, summary: &mut RequestSummary) {
    if let Some(k) = fields.get("top_k").filter(|v| v.is_number()) {
        summary.parameters.push(("top_k".into(), k.to_string()));
        summary.top_k = k.as_u64();
    }
    if fields["thinking"]["type"] == "enabled" {
        summary.thinking_budget = fields["thinking"]["budget_tokens"].as_u64();
    }
    if let Some(betas) = fields["anthropic_beta"].as_array() {
        summary.betas = betas.iter().map(|b| text_of(b).to_owned()).collect();
    }
}

fn read_pdf(name: String, bytes: &[u8], citations: bool) -> Result<DocumentSeen, String> {
    if pdf_is_encrypted(bytes) {
        return Err("The PDF is encrypted. Remove the password and try again.".into());
    }
    let pages = pdf_pages(bytes).ok_or("The document could not be read as a PDF.")?;
    let cited = cited_page(pages);
    Ok(DocumentSeen {
        name,
        pages,
        citations,
        size: bytes.len(),
        cited_text: page_text(bytes, cited).unwrap_or_else(|| format!("Page {cited}")),
    })
}

/// Converse takes documents up to 4.5 MB, except PDFs for Claude 4 and later.
const CONVERSE_DOCUMENT_BYTES: usize = 4_718_592;
/// The whole request body (base64 documents included).
pub const REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// Bedrock's document limits by API and model: size (Converse, before Claude 4) and pages (100
/// for 200K-context models, 600 with the 1M context).
fn check_documents(summary: &RequestSummary, converse: bool, model_id: &str) -> Result<(), String> {
    let claude_3 = model_id.contains("claude-3");
    for doc in &summary.documents {
        if converse && claude_3 && doc.size > CONVERSE_DOCUMENT_BYTES {
            return Err(format!(
                "The document {} is {} bytes; documents can be at most 4.5 MB for this model.",
                doc.name, doc.size
            ));
        }
    }
    let pages: usize = summary.documents.iter().map(|d| d.pages).sum();
    let limit = if summary.betas.iter().any(|b| b.starts_with("context-1m")) {
        600
    } else {
        100
    };
    if pages > limit {
        return Err(format!("A maximum of {limit} PDF pages may be provided."));
    }
    Ok(())
}

/// `bedrock-2023-05-31`, or a dated API version as newer Anthropic SDKs send (`2026-10-21`).
fn accepted_anthropic_version(version: &str) -> bool {
    let date = version.strip_prefix("bedrock-").unwrap_or(version);
    let parts: Vec<&str> = date.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && date >= "2023-05-31"
}

/// Reads an Anthropic Messages body (InvokeModel).
fn summarize_invoke(
    body: &Value,
    api: &'static str,
    model_id: &str,
) -> Result<RequestSummary, String> {
    if !accepted_anthropic_version(text_of(&body["anthropic_version"])) {
        return Err("Malformed input request: #: required key [anthropic_version] not found or not bedrock-2023-05-31, please reformat your input and try again.".into());
    }
    let max_tokens = body["max_tokens"]
        .as_u64()
        .ok_or("Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.")?;
    let messages = body["messages"]
        .as_array()
        .filter(|m| !m.is_empty())
        .ok_or("Malformed input request: #: required key [messages] not found, please reformat your input and try again.")?;
    let mut summary = RequestSummary {
        api,
        model_id: model_id.to_owned(),
        message_count: messages.len(),
        max_tokens: u32::try_from(max_tokens).ok(),
        parameters: vec![("max_tokens".into(), max_tokens.to_string())],
        ..Default::default()
    };
    for (mi, message) in messages.iter().enumerate() {
        let role = text_of(&message["role"]);
        let blocks: Vec<Value> = match &message["content"] {
            Value::String(s) => vec![json!({ "type": "text", "text": s })],
            Value::Array(a) => a.clone(),
            _ => {
                return Err(
                    "Malformed input request: message content must be a string or a list.".into(),
                )
            }
        };
        for (bi, block) in blocks.iter().enumerate() {
            match text_of(&block["type"]) {
                "text" => {
                    let text = text_of(&block["text"]);
                    summary.text_chars += text.chars().count();
                    if role == "user" {
                        summary.last_user_text = text.to_owned();
                    }
                }
                "document" => {
                    let data = BASE64
                        .decode(text_of(&block["source"]["data"]))
                        .map_err(|_| "The document data is not valid base64.")?;
                    let name = block["title"].as_str().unwrap_or("document").to_owned();
                    let citations = block["citations"]["enabled"].as_bool().unwrap_or(false);
                    summary.documents.push(read_pdf(name, &data, citations)?);
                }
                "image" => summary.images += 1,
                _ => {}
            }
            if block.get("cache_control").is_some() {
                summary.cache_point(&format!(
                    "{:?}{}",
                    body.get("system"),
                    prefix_of(messages, mi, bi)
                ));
            }
        }
    }
    if summary.documents.len() > 5 {
        return Err("Too many documents: a request can hold at most 5.".into());
    }
    match &body["system"] {
        Value::String(s) => {
            summary.has_system = !s.is_empty();
            summary.text_chars += s.chars().count();
        }
        Value::Array(a) => {
            summary.has_system = !a.is_empty();
            for b in a {
                summary.text_chars += text_of(&b["text"]).chars().count();
            }
        }
        _ => {}
    }
    for key in ["temperature", "top_p"] {
        if let Some(v) = body.get(key).filter(|v| v.is_number()) {
            summary.parameters.push((key.into(), v.to_string()));
        }
    }
    summary.temperature = body["temperature"].as_f64();
    summary.top_p = body["top_p"].as_f64();
    summary.prefill = match messages.last() {
        Some(last) if last["content"].is_string() && last["role"] == "assistant" => {
            last["content"].as_str().map(str::to_owned)
        }
        _ => final_assistant_text(messages, |block| block.get("text")),
    };
    read_model_fields(body, &mut summary);
    Ok(summary)
}

fn access_denied() -> Response<Body> {
    wire::error(
        StatusCode::FORBIDDEN,
        "AccessDeniedException",
        "You don't have access to the model with the specified model ID.",
    )
}

fn on_demand_error(model_id: &str) -> Response<Body> {
    validation(&format!(
        "Invocation of model ID {model_id} with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
    ))
}

async fn runtime(state: &Shared, route: &Route, body: &[u8]) -> Response<Body> {
    let config = &state.config;
    let model_id = route.model_id.clone().unwrap_or_default();
    let models = catalog::catalog_with(config.synthetic_models, config.synthetic_profiles);
    let Some(resolved) = catalog::resolve_in(models, &model_id) else {
        return validation("The provided model identifier is invalid.");
    };
    // Counting tokens invokes nothing, so it takes base IDs of profile-only models too.
    if resolved.profile.is_none() && !resolved.model.on_demand && route.operation != "CountTokens" {
        return on_demand_error(&model_id);
    }
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return validation(&format!("Malformed input request: {e}")),
    };

    if route.operation == "CountTokens" {
        if is_denied(config, &resolved, &model_id) {
            return access_denied();
        }
        return count_tokens(&parsed, &model_id);
    }

    let summary = match route.operation {
        "Converse" | "ConverseStream" => summarize_converse(&parsed, route.operation, &model_id),
        _ => summarize_invoke(&parsed, route.operation, &model_id),
    };
    let converse = route.operation.starts_with("Converse");
    if body.len() > REQUEST_BYTES {
        return validation("Input is too long for requested model.");
    }
    let summary = match summary
        .and_then(|s| check_parameters(&s, sampling_exclusive(resolved.model.model_id)).map(|()| s))
        .and_then(|s| check_documents(&s, converse, resolved.model.model_id).map(|()| s))
    {
        Ok(s) => s,
        Err(message) => return validation(&message),
    };
    let directives = Directives::parse(&summary.last_user_text);

    if directives.expired {
        return wire::error(
            StatusCode::FORBIDDEN,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        );
    }
    if directives.access_denied || is_denied(config, &resolved, &model_id) {
        return access_denied();
    }
    let throttled_before = directives.throttle_times.is_some_and(|times| {
        let Ok(mut counts) = state.throttle_counts.lock() else {
            return false;
        };
        let seen = counts.entry(summary.last_user_text.clone()).or_insert(0);
        *seen += 1;
        *seen <= times
    });
    if directives.throttle || throttled_before || config.faults.throttle_all {
        return wire::error(
            StatusCode::TOO_MANY_REQUESTS,
            "ThrottlingException",
            "Too many tokens, please wait before trying again.",
        );
    }
    match directives.status {
        Some(500) => {
            return wire::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                "The server encountered an internal error while processing the request.",
            )
        }
        Some(503) => {
            return wire::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableException",
                "The service is temporarily unable to handle the request.",
            )
        }
        _ => {}
    }

    let thinking = summary.thinking_budget.map_or_else(Vec::new, |budget| {
        let text = thinking_text(&summary);
        let words = text.split_whitespace().count();
        answer_tokens(&text, words.min(budget as usize))
    });
    let wanted = directives.tokens.unwrap_or(config.answer_tokens).max(1) as usize;
    let room = summary
        .max_tokens
        .map(|max| (max as usize).saturating_sub(thinking.len()));
    let (count, stop_reason) = match room {
        Some(room) if room < wanted => (room.max(1), "max_tokens"),
        _ => (wanted, "end_turn"),
    };
    let tokens = if directives.echo {
        let echoed = without_directives(&summary.last_user_text);
        let words = echoed.split_whitespace().count().max(1);
        answer_tokens(&echoed, words)
    } else {
        answer_tokens(&answer_text(&summary), count)
    };
    let citations: Vec<(usize, DocumentSeen)> = summary
        .documents
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, d)| d.citations)
        .collect();
    // Prompt cache: the prefix before the last cache point is written once, then read for
    // five minutes; those tokens are billed apart from the rest of the input.
    let mut cache = CacheUse::default();
    if let Some((key, tokens)) = summary.cache_prefix {
        if let Ok(mut entries) = state.prompt_cache.lock() {
            let fresh = entries
                .get(&key)
                .is_some_and(|at| at.elapsed() < Duration::from_secs(300));
            if fresh {
                cache.read = tokens;
            } else {
                cache.write = tokens;
                entries.insert(key, Instant::now());
            }
        }
    }
    let plan = StreamPlan {
        thinking,
        citations,
        tokens,
        cache,
        input_tokens: summary
            .input_tokens()
            .saturating_sub(cache.read + cache.write),
        stop_reason,
        rate: directives.rate.unwrap_or(config.tokens_per_second),
        first_token_ms: directives.first_token_ms.unwrap_or(config.first_token_ms),
        fault: if directives.stream_error {
            Some(MidStreamFault::ModelStreamError)
        } else if directives.throttle_mid {
            Some(MidStreamFault::Throttling)
        } else {
            None
        },
        drop_after: directives.drop_after.map(|n| n as usize),
        model_id: model_id.clone(),
    };

    match route.operation {
        "Converse" => {
            plan.wait_first_token().await;
            let output = plan.output_tokens();
            let mut content = Vec::new();
            if !plan.thinking.is_empty() {
                content.push(json!({ "reasoningContent": { "reasoningText": {
                    "text": plan.thinking.concat(), "signature": THINKING_SIGNATURE,
                } } }));
            }
            content.push(json!({ "text": plan.tokens.concat() }));
            wire::json(
                StatusCode::OK,
                &json!({
                    "output": { "message": { "role": "assistant", "content": content } },
                    "stopReason": plan.stop_reason,
                    "usage": usage_json(plan.input_tokens, output, plan.cache),
                    "metrics": { "latencyMs": plan.first_token_ms + 1 },
                }),
            )
        }
        "InvokeModel" => {
            plan.wait_first_token().await;
            let output = plan.output_tokens();
            let mut content = Vec::new();
            if !plan.thinking.is_empty() {
                content.push(json!({
                    "type": "thinking", "thinking": plan.thinking.concat(),
                    "signature": THINKING_SIGNATURE,
                }));
            }
            content.push(json!({ "type": "text", "text": plan.tokens.concat() }));
            let mut response = wire::json(
                StatusCode::OK,
                &json!({
                    "id": format!("msg_bdrk_{}", wire::request_id().replace('-', "")),
                    "type": "message",
                    "role": "assistant",
                    "model": anthropic_model_name(&model_id),
                    "content": content,
                    "stop_reason": plan.stop_reason,
                    "stop_sequence": null,
                    "usage": anthropic_usage(plan.input_tokens, output, plan.cache),
                }),
            );
            let headers = response.headers_mut();
            for (name, value) in [
                (
                    "x-amzn-bedrock-input-token-count",
                    plan.input_tokens.to_string(),
                ),
                ("x-amzn-bedrock-output-token-count", output.to_string()),
                (
                    "x-amzn-bedrock-invocation-latency",
                    (plan.first_token_ms + 1).to_string(),
                ),
            ] {
                if let Ok(v) = value.parse() {
                    headers.insert(name, v);
                }
            }
            response
        }
        "ConverseStream" => stream_response(plan, StreamKind::Converse),
        _ => stream_response(plan, StreamKind::Invoke),
    }
}

fn usage_json(input: u32, output: u32, cache: CacheUse) -> Value {
    let mut usage = json!({
        "inputTokens": input, "outputTokens": output,
        "totalTokens": input + output + cache.read + cache.write,
    });
    if cache.read + cache.write > 0 {
        usage["cacheReadInputTokens"] = json!(cache.read);
        usage["cacheWriteInputTokens"] = json!(cache.write);
    }
    usage
}

/// Anthropic's usage object (InvokeModel), cache fields included when a cache point was used.
fn anthropic_usage(input: u32, output: u32, cache: CacheUse) -> Value {
    let mut usage = json!({ "input_tokens": input, "output_tokens": output });
    if cache.read + cache.write > 0 {
        usage["cache_read_input_tokens"] = json!(cache.read);
        usage["cache_creation_input_tokens"] = json!(cache.write);
    }
    usage
}

fn anthropic_model_name(model_id: &str) -> String {
    let base = model_id.rsplit('/').next().unwrap_or(model_id);
    let base = base.split_once("anthropic.").map_or(base, |(_, rest)| rest);
    base.split(':')
        .next()
        .unwrap_or(base)
        .trim_end_matches("-v1")
        .to_owned()
}

fn count_tokens(body: &Value, model_id: &str) -> Response<Body> {
    let input = &body["input"];
    let summary = if let Some(converse) = input.get("converse") {
        summarize_converse(converse, "CountTokens", model_id)
    } else if let Some(invoke) = input.get("invokeModel") {
        let decoded = BASE64
            .decode(text_of(&invoke["body"]))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        match decoded {
            Some(inner) => summarize_invoke(&inner, "CountTokens", model_id),
            None => Err("The invokeModel body must be base64 of a JSON document.".into()),
        }
    } else {
        Err("The input must hold either converse or invokeModel.".into())
    };
    match summary {
        Ok(s) => wire::json(StatusCode::OK, &json!({ "inputTokens": s.input_tokens() })),
        Err(message) => validation(&message),
    }
}

#[derive(Debug, Clone, Copy)]
enum MidStreamFault {
    Throttling,
    ModelStreamError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamKind {
    Converse,
    Invoke,
}

/// Stands in for the model's signature over its thinking (clients pass it back unchanged).
const THINKING_SIGNATURE: &str = "c2ltdWxhdGVkLXRoaW5raW5nLXNpZ25hdHVyZQ==";

/// Input tokens read from or written to the prompt cache by one request.
#[derive(Debug, Clone, Copy, Default)]
struct CacheUse {
    read: u32,
    write: u32,
}

struct StreamPlan {
    cache: CacheUse,
    /// Extended thinking, streamed before the answer (empty when thinking is off).
    thinking: Vec<String>,
    /// Documents sent with citations on (and their index): the answer ends citing each.
    citations: Vec<(usize, DocumentSeen)>,
    tokens: Vec<String>,
    input_tokens: u32,
    stop_reason: &'static str,
    rate: u32,
    first_token_ms: u64,
    fault: Option<MidStreamFault>,
    drop_after: Option<usize>,
    model_id: String,
}

impl StreamPlan {
    fn output_tokens(&self) -> u32 {
        let cited: usize = self
            .citations
            .iter()
            .map(|(_, d)| citing_words(d).split_whitespace().count())
            .sum();
        (self.thinking.len() + self.tokens.len() + cited) as u32
    }

    async fn wait_first_token(&self) {
        if self.first_token_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.first_token_ms)).await;
        }
    }
}

/// The sentence that carries a document's citation.
fn citing_words(doc: &DocumentSeen) -> String {
    format!(
        "\n\nPage {} of \"{}\" says: ",
        cited_page(doc.pages),
        doc.name
    )
}

/// The frames of a citation at the end of the answer: the sentence, then the citation itself.
fn citation_frames(
    kind: StreamKind,
    text_index: usize,
    index: usize,
    doc: &DocumentSeen,
) -> Vec<Bytes> {
    let page = cited_page(doc.pages);
    match kind {
        StreamKind::Converse => vec![
            wire::event_frame(
                "contentBlockDelta",
                &json!({ "contentBlockIndex": text_index, "delta": { "text": citing_words(doc) } }),
            ),
            wire::event_frame(
                "contentBlockDelta",
                &json!({ "contentBlockIndex": text_index, "delta": { "citation": {
                    "title": doc.name,
                    "sourceContent": [{ "text": doc.cited_text }],
                    "location": { "documentPage": { "documentIndex": index, "start": page, "end": page + 1 } },
                } } }),
            ),
        ],
        StreamKind::Invoke => vec![
            invoke_chunk(&json!({
                "type": "content_block_delta", "index": text_index,
                "delta": { "type": "text_delta", "text": citing_words(doc) },
            })),
            invoke_chunk(&json!({
                "type": "content_block_delta", "index": text_index,
                "delta": { "type": "citations_delta", "citation": {
                    "type": "page_location", "cited_text": doc.cited_text,
                    "document_index": index, "document_title": doc.name,
                    "start_page_number": page, "end_page_number": page + 1,
                } },
            })),
        ],
    }
}

/// Tokens sent before a mid-stream fault fires.
const TOKENS_BEFORE_FAULT: usize = 5;

fn stream_response(plan: StreamPlan, kind: StreamKind) -> Response<Body> {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(32);
    tokio::spawn(produce_stream(plan, kind, tx));
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    wire::event_stream(Body::from_stream(body))
}

/// Collects frames and sends them in batches when unthrottled, one by one otherwise.
struct FrameSink {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: BytesMut,
    batch: bool,
}

impl FrameSink {
    /// Returns `false` once the client has gone away.
    async fn push(&mut self, frame: Bytes) -> bool {
        self.buffer.extend_from_slice(&frame);
        if !self.batch || self.buffer.len() >= 16 * 1024 {
            return self.flush().await;
        }
        true
    }

    async fn flush(&mut self) -> bool {
        if self.buffer.is_empty() {
            return true;
        }
        let chunk = self.buffer.split().freeze();
        self.tx.send(Ok(chunk)).await.is_ok()
    }

    async fn cut(mut self) {
        self.flush().await;
        // Let the bytes already produced reach the socket before the connection is cut.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = self
            .tx
            .send(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "simulated connection drop",
            )))
            .await;
    }
}

fn invoke_chunk(event: &Value) -> Bytes {
    wire::event_frame(
        "chunk",
        &json!({ "bytes": BASE64.encode(event.to_string()) }),
    )
}

async fn produce_stream(
    plan: StreamPlan,
    kind: StreamKind,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let started = Instant::now();
    let mut sink = FrameSink {
        tx,
        buffer: BytesMut::new(),
        batch: plan.rate == 0,
    };
    let message_id = format!("msg_bdrk_{}", wire::request_id().replace('-', ""));
    let mut opening = match kind {
        StreamKind::Converse => vec![wire::event_frame(
            "messageStart",
            &json!({ "role": "assistant" }),
        )],
        StreamKind::Invoke => vec![invoke_chunk(&json!({
            "type": "message_start",
            "message": {
                "id": message_id, "type": "message", "role": "assistant",
                "model": anthropic_model_name(&plan.model_id), "content": [],
                "stop_reason": null, "stop_sequence": null,
                "usage": anthropic_usage(plan.input_tokens, 1, plan.cache),
            },
        }))],
    };
    // Thinking comes first, in block 0; the answer's text follows in the next block.
    let text_index = usize::from(!plan.thinking.is_empty());
    let mut thinking_frames: Vec<Bytes> = Vec::new();
    if !plan.thinking.is_empty() {
        if kind == StreamKind::Invoke {
            thinking_frames.push(invoke_chunk(&json!({
                "type": "content_block_start", "index": 0,
                "content_block": { "type": "thinking", "thinking": "" },
            })));
        }
        for token in &plan.thinking {
            thinking_frames.push(match kind {
                StreamKind::Converse => wire::event_frame(
                    "contentBlockDelta",
                    &json!({ "contentBlockIndex": 0, "delta": { "reasoningContent": { "text": token } } }),
                ),
                StreamKind::Invoke => invoke_chunk(&json!({
                    "type": "content_block_delta", "index": 0,
                    "delta": { "type": "thinking_delta", "thinking": token },
                })),
            });
        }
        thinking_frames.extend(match kind {
            StreamKind::Converse => vec![
                wire::event_frame(
                    "contentBlockDelta",
                    &json!({ "contentBlockIndex": 0, "delta": { "reasoningContent": { "signature": THINKING_SIGNATURE } } }),
                ),
                wire::event_frame("contentBlockStop", &json!({ "contentBlockIndex": 0 })),
            ],
            StreamKind::Invoke => vec![
                invoke_chunk(&json!({
                    "type": "content_block_delta", "index": 0,
                    "delta": { "type": "signature_delta", "signature": THINKING_SIGNATURE },
                })),
                invoke_chunk(&json!({ "type": "content_block_stop", "index": 0 })),
            ],
        });
    }
    let text_start = (kind == StreamKind::Invoke).then(|| {
        invoke_chunk(&json!({
            "type": "content_block_start", "index": text_index,
            "content_block": { "type": "text", "text": "" },
        }))
    });
    plan.wait_first_token().await;
    let interval = (plan.rate > 0).then(|| Duration::from_secs_f64(1.0 / f64::from(plan.rate)));
    let mut next_tick = Instant::now();
    // Thinking deltas are paced like answer tokens; the block's closing frames are not.
    let paced = plan.thinking.len();
    opening.extend(thinking_frames);
    opening.extend(text_start);
    for (index, frame) in opening.into_iter().enumerate() {
        if let Some(step) = interval.filter(|_| (1..=paced).contains(&index)) {
            next_tick += step;
            tokio::time::sleep_until(next_tick.into()).await;
        }
        if !sink.push(frame).await {
            return;
        }
    }
    let first_byte_ms = started.elapsed().as_millis() as u64 + plan.first_token_ms;
    for (index, token) in plan.tokens.iter().enumerate() {
        if plan.drop_after == Some(index) {
            sink.cut().await;
            return;
        }
        if let Some(fault) = plan
            .fault
            .filter(|_| index == TOKENS_BEFORE_FAULT.min(plan.tokens.len() - 1))
        {
            let frame = match fault {
                MidStreamFault::Throttling => wire::exception_frame(
                    "throttlingException",
                    &json!({ "message": "Too many tokens, please wait before trying again." }),
                ),
                MidStreamFault::ModelStreamError => wire::exception_frame(
                    "modelStreamErrorException",
                    &json!({
                        "message": "The model stream was interrupted.",
                        "originalStatusCode": 500,
                        "originalMessage": "Internal error while generating the response.",
                    }),
                ),
            };
            sink.push(frame).await;
            sink.flush().await;
            return;
        }
        if let Some(step) = interval {
            next_tick += step;
            tokio::time::sleep_until(next_tick.into()).await;
        }
        let frame = match kind {
            StreamKind::Converse => wire::event_frame(
                "contentBlockDelta",
                &json!({ "contentBlockIndex": text_index, "delta": { "text": token } }),
            ),
            StreamKind::Invoke => invoke_chunk(&json!({
                "type": "content_block_delta", "index": text_index,
                "delta": { "type": "text_delta", "text": token },
            })),
        };
        if !sink.push(frame).await {
            return;
        }
    }
    for (index, doc) in &plan.citations {
        for frame in citation_frames(kind, text_index, *index, doc) {
            if !sink.push(frame).await {
                return;
            }
        }
    }
    let output = plan.output_tokens();
    let latency = started.elapsed().as_millis() as u64 + plan.first_token_ms;
    let closing = match kind {
        StreamKind::Converse => vec![
            wire::event_frame(
                "contentBlockStop",
                &json!({ "contentBlockIndex": text_index }),
            ),
            wire::event_frame("messageStop", &json!({ "stopReason": plan.stop_reason })),
            wire::event_frame(
                "metadata",
                &json!({
                    "usage": usage_json(plan.input_tokens, output, plan.cache),
                    "metrics": { "latencyMs": latency },
                }),
            ),
        ],
        StreamKind::Invoke => vec![
            invoke_chunk(&json!({ "type": "content_block_stop", "index": text_index })),
            invoke_chunk(&json!({
                "type": "message_delta",
                "delta": { "stop_reason": plan.stop_reason, "stop_sequence": null },
                "usage": { "output_tokens": output },
            })),
            invoke_chunk(&json!({
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": plan.input_tokens,
                    "outputTokenCount": output,
                    "invocationLatency": latency,
                    "firstByteLatency": first_byte_ms,
                },
            })),
        ],
    };
    for frame in closing {
        if !sink.push(frame).await {
            return;
        }
    }
    sink.flush().await;
}
