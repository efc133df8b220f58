//! The AWS SDK for Rust, over real HTTP, accepts the simulator for every operation Cairn uses.

use aws_credential_types::Credentials;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseStreamOutput, Message, ResponseStream,
};
use cairn_sim::{SimConfig, SimCredential, Simulator};

const SONNET_45: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_3: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn credential(key: &str, secret: &str, token: Option<&str>, expired: bool) -> SimCredential {
    SimCredential {
        access_key_id: key.into(),
        secret_access_key: secret.into(),
        session_token: token.map(str::to_owned),
        user_name: "tester".into(),
        expired,
        allow: None,
    }
}

fn sim_config() -> SimConfig {
    SimConfig {
        credentials: vec![
            credential("AKIDPLAIN", "plain-secret", None, false),
            credential("ASIATEMP", "temp-secret", Some("session-token-1"), false),
            credential("AKIDEXPIRED", "old-secret", None, true),
        ],
        profiles_page_size: 4,
        ..SimConfig::default()
    }
}

fn sdk_config(url: &str, key: &str, secret: &str, token: Option<&str>) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .endpoint_url(url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                key,
                secret,
                token.map(str::to_owned),
                None,
                "test",
            )),
        )
        .behavior_version(aws_config::BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build()
}

fn runtime(url: &str) -> aws_sdk_bedrockruntime::Client {
    aws_sdk_bedrockruntime::Client::new(&sdk_config(url, "AKIDPLAIN", "plain-secret", None))
}

fn user_text(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .expect("message")
}

#[tokio::test]
async fn converse_stream_delivers_every_token_then_usage() {
    let sim = Simulator::start_local(sim_config()).await.expect("sim");
    let mut out = runtime(&sim.url())
        .converse_stream()
        .model_id(format!("global.{SONNET_45}"))
        .messages(user_text("Hello [[sim:tokens=40]]"))
        .send()
        .await
        .expect("stream starts");
    let mut text = String::new();
    let mut deltas = 0;
    let mut usage = None;
    let mut stop = None;
    while let Some(event) = out.stream.recv().await.expect("event") {
        match event {
            ConverseStreamOutput::ContentBlockDelta(d) => {
                deltas += 1;
                if let Some(aws_sdk_bedrockruntime::types::ContentBlockDelta::Text(t)) = d.delta {
                    text.push_str(&t);
                }
            }
            ConverseStreamOutput::MessageStop(s) => stop = Some(s.stop_reason),
            ConverseStreamOutput::Metadata(m) => usage = m.usage,
            _ => {}
        }
    }
    assert_eq!(deltas, 40);
    assert!(text.contains(&format!("global.{SONNET_45}")), "{text}");
    assert!(text.contains("ConverseStream"));
    assert_eq!(
        stop,
        Some(aws_sdk_bedrockruntime::types::StopReason::EndTurn)
    );
    let usage = usage.expect("usage");
    assert_eq!(usage.output_tokens, 40);
    assert_eq!(usage.total_tokens, usage.input_tokens + 40);
}

#[tokio::test]
async fn invoke_with_response_stream_carries_anthropic_events() {
    let sim = Simulator::start_local(sim_config()).await.expect("sim");
    let body = serde_json::json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "Hi [[sim:tokens=50]]"}],
        "anthropic_beta": ["context-1m-2025-08-07"],
    });
    let mut out = runtime(&sim.url())
        .invoke_model_with_response_stream()
        .model_id(format!("us.{SONNET_45}"))
        .body(Blob::new(body.to_string()))
        .send()
        .await
        .expect("stream");
    let mut kinds = Vec::new();
    let mut text = String::new();
    while let Some(ResponseStream::Chunk(chunk)) = out.body.recv().await.expect("event") {
        let event: serde_json::Value =
            serde_json::from_slice(chunk.bytes.expect("bytes").as_ref()).expect("json");
        if event["type"] == "content_block_delta" {
            text.push_str(event["delta"]["text"].as_str().expect("text"));
        }
        if event["type"] == "message_delta" {
            assert_eq!(event["delta"]["stop_reason"], "max_tokens");
            assert_eq!(event["usage"]["output_tokens"], 10);
        }
        kinds.push(event["type"].as_str().expect("type").to_owned());
    }
    assert_eq!(kinds.first().map(String::as_str), Some("message_start"));
    assert_eq!(kinds.last().map(String::as_str), Some("message_stop"));
    assert_eq!(
        kinds.iter().filter(|k| *k == "content_block_delta").count(),
        10
    );
    let recorded = sim.requests();
    assert_eq!(recorded[0]["operation"], "InvokeModelWithResponseStream");
    assert_eq!(
        recorded[0]["body"]["anthropic_beta"][0],
        "context-1m-2025-08-07"
    );
    assert_eq!(recorded[0]["auth"]["verdict"], "ok");
    assert!(text.starts_with("**Simulated"));
}

#[tokio::test]
async fn mid_stream_errors_arrive_as_exceptions() {
    let sim = Simulator::start_local(sim_config()).await.expect("sim");
    let mut out = runtime(&sim.url())
        .converse_stream()
        .model_id(format!("us.{SONNET_45}"))
        .messages(user_text("x [[sim:stream-error]]"))
        .send()
        .await
        .expect("stream starts");
    let mut deltas = 0;
    let error = loop {
        match out.stream.recv().await {
            Ok(Some(ConverseStreamOutput::ContentBlockDelta(_))) => deltas += 1,
            Ok(Some(_)) => {}
            Ok(None) => panic!("stream ended without the injected error"),
            Err(e) => break e,
        }
    };
    assert_eq!(deltas, 5);
    let service = error.into_service_error();
    assert!(service.is_model_stream_error_exception(), "{service:?}");
}

#[tokio::test]
async fn profile_only_models_refuse_their_base_id() {
    let sim = Simulator::start_local(sim_config()).await.expect("sim");
    let client = runtime(&sim.url());
    let err = client
        .converse()
        .model_id(SONNET_45)
        .messages(user_text("hi"))
        .send()
        .await
        .expect_err("base ID must fail");
    let service = err.into_service_error();
    assert!(service.is_validation_exception());
    assert!(format!("{service:?}").contains("on-demand throughput isn"));
    // An on-demand model works by base ID.
    let ok = client
        .converse()
        .model_id(HAIKU_3)
        .messages(user_text("hi [[sim:tokens=3]]"))
        .send()
        .await
        .expect("on-demand base ID works");
    assert_eq!(ok.usage.expect("usage").output_tokens, 3);
}

#[tokio::test]
async fn sigv4_accepts_session_tokens_and_rejects_bad_credentials() {
    let sim = Simulator::start_local(sim_config()).await.expect("sim");
    let url = sim.url();
    let call = |key: &'static str, secret: &'static str, token: Option<&'static str>| {
        let client = aws_sdk_bedrockruntime::Client::new(&sdk_config(&url, key, secret, token));
        async move {
            client
                .converse()
                .model_id(format!("us.{SONNET_45}"))
                .messages(user_text("hi [[sim:tokens=2]]"))
                .send()
                .await
        }
    };
    call("ASIATEMP", "temp-secret", Some("session-token-1"))
        .await
        .expect("session credentials work");
    let wrong = call("AKIDPLAIN", "not-the-secret", None)
        .await
        .expect_err("wrong secret");
    let raw = wrong.raw_response().expect("response");
    assert_eq!(raw.status().as_u16(), 403);
    assert_eq!(
        aws_sdk_bedrockruntime::error::ProvideErrorMetadata::code(&wrong),
        Some("InvalidSignatureException")
    );
    let unknown = call("AKIDNOBODY", "x", None)
        .await
        .expect_err("unknown key");
    assert_eq!(
        aws_sdk_bedrockruntime::error::ProvideErrorMetadata::code(&unknown),
        Some("UnrecognizedClientException")
    );
    let expired = call("AKIDEXPIRED", "old-secret", None)
        .await
        .expect_err("expired");
    assert_eq!(
        aws_sdk_bedrockruntime::error::ProvideErrorMetadata::code(&expired),
        Some("ExpiredTokenException")
    );
}

#[tokio::test]
async fn control_plane_and_sts_answer_the_sdk() {
    let sim = Simulator::start_local(sim_config()).await.expect("sim");
    let config = sdk_config(&sim.url(), "AKIDPLAIN", "plain-secret", None);
    let bedrock = aws_sdk_bedrock::Client::new(&config);
    let models = bedrock
        .list_foundation_models()
        .by_provider("anthropic")
        .send()
        .await
        .expect("models");
    let summaries = models.model_summaries.expect("summaries");
    assert!(summaries.iter().any(|m| m.model_id == SONNET_45));
    let legacy = summaries
        .iter()
        .find(|m| m.model_id == "anthropic.claude-3-opus-20240229-v1:0")
        .expect("opus 3");
    let lifecycle = legacy.model_lifecycle.as_ref().expect("lifecycle");
    assert_eq!(lifecycle.status.as_str(), "LEGACY");
    assert!(lifecycle.legacy_time.is_some());

    let mut profiles = Vec::new();
    let mut pages = bedrock.list_inference_profiles().into_paginator().send();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        page_count += 1;
        profiles.extend(
            page.expect("page")
                .inference_profile_summaries
                .unwrap_or_default(),
        );
    }
    assert!(page_count > 3, "pagination exercised: {page_count} pages");
    assert!(profiles
        .iter()
        .any(|p| p.inference_profile_id == format!("jp.{SONNET_45}")));
    assert!(!profiles
        .iter()
        .any(|p| p.inference_profile_id == format!("apac.{SONNET_45}")));

    let availability = bedrock
        .get_foundation_model_availability()
        .model_id(SONNET_45)
        .send()
        .await
        .expect("availability");
    assert_eq!(availability.authorization_status.as_str(), "AUTHORIZED");

    let sts = aws_sdk_sts::Client::new(&config);
    let who = sts.get_caller_identity().send().await.expect("identity");
    assert_eq!(who.account.as_deref(), Some("123456789012"));
    assert_eq!(
        who.arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/tester")
    );
}

#[tokio::test]
async fn keys_limited_by_policy_are_refused_other_operations() {
    let mut limited = credential("AKIDLIMITED", "limited-secret", None, false);
    limited.allow = Some(vec!["ConverseStream".into(), "GetCallerIdentity".into()]);
    let mut config = sim_config();
    config.credentials.push(limited);
    let sim = Simulator::start_local(config).await.expect("sim");
    let sdk = sdk_config(&sim.url(), "AKIDLIMITED", "limited-secret", None);
    aws_sdk_sts::Client::new(&sdk)
        .get_caller_identity()
        .send()
        .await
        .expect("allowed");
    let err = aws_sdk_bedrock::Client::new(&sdk)
        .list_foundation_models()
        .send()
        .await
        .expect_err("not allowed");
    let service = err.into_service_error();
    assert!(service.is_access_denied_exception(), "{service:?}");
    assert!(format!("{service:?}").contains("bedrock:ListFoundationModels"));
}
