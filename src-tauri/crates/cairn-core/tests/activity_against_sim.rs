//! The activity log fed by real calls, and Bedrock's invocation-logging settings read and
//! changed through the simulator (including a key that may not).

use std::sync::Arc;

use cairn_bedrock::logging::{
    get_logging, set_logging, CloudWatchDestination, InvocationLogging, S3Destination,
};
use cairn_bedrock::{
    BedrockClients, CredentialSource, Endpoints, ErrorKind, ProfileLocation, Target,
};
use cairn_core::activity::ActivityContext;
use cairn_core::chat::{ChatService, SendRequest};
use cairn_sim::{
    SimConfig, SimCredential, Simulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY,
};
use cairn_store::{ActivityFilter, Store};
use tokio_util::sync::CancellationToken;

const LIMITED_KEY: &str = "AKIALIMITEDKEY000001";
const LIMITED_SECRET: &str = "limited/secret/key/0123456789abcdefghij";

async fn sim() -> Simulator {
    let mut config = SimConfig::default();
    config.credentials.push(SimCredential {
        access_key_id: LIMITED_KEY.into(),
        secret_access_key: LIMITED_SECRET.into(),
        session_token: None,
        user_name: "reader".into(),
        expired: false,
        allow: Some(vec![
            "GetModelInvocationLoggingConfiguration".into(),
            "ConverseStream".into(),
        ]),
    });
    Simulator::start_local(config).await.expect("sim")
}

async fn clients(sim: &Simulator, key: &str, secret: &str) -> BedrockClients {
    BedrockClients::connect(&Target {
        region: "us-east-1".into(),
        endpoints: Endpoints::all(&sim.url()),
        credentials: CredentialSource::Static {
            access_key_id: key.into(),
            secret_access_key: secret.into(),
            session_token: None,
        },
        profiles: ProfileLocation::default(),
    })
    .await
}

#[tokio::test]
async fn each_call_is_logged_with_its_cost_and_no_text() {
    let sim = sim().await;
    let store = Arc::new(Store::open_in_memory().expect("store"));
    let service = ChatService::new(
        store.clone(),
        clients(&sim, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY).await,
    )
    .with_activity(ActivityContext {
        connection_id: "c1".into(),
        connection_name: "Work".into(),
        account: Some("123456789012".into()),
        region: "us-east-1".into(),
    })
    .with_retry_delays(vec![]);
    for (model, text) in [
        (
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "A private question [[sim:tokens=5]]",
        ),
        (
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "Another one [[sim:tokens=7]]",
        ),
        (
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Busy [[sim:throttle]]",
        ),
    ] {
        service
            .send(
                SendRequest {
                    stream_id: "s".into(),
                    conversation_id: None,
                    model_id: model.into(),
                    text: text.into(),
                    settings: None,
                    action: None,
                    documents: Vec::new(),
                },
                CancellationToken::new(),
                |_| {},
            )
            .await
            .expect("send");
    }
    let calls = store
        .activity(&ActivityFilter::default(), 10, 0)
        .expect("list");
    assert_eq!(calls.len(), 3);
    let (throttled, haiku, sonnet) = (&calls[0], &calls[1], &calls[2]);
    assert_eq!(
        (sonnet.outcome.as_str(), sonnet.output_tokens),
        ("complete", 5)
    );
    assert_eq!(sonnet.endpoint, "global");
    assert_eq!(sonnet.model_id, "anthropic.claude-sonnet-4-5-20250929-v1:0");
    assert_eq!(sonnet.account.as_deref(), Some("123456789012"));
    assert!(sonnet.cost_usd.is_some_and(|c| c > 0.0) && sonnet.first_token_ms.is_some());
    assert_eq!(
        (haiku.endpoint.as_str(), haiku.output_tokens),
        ("regional", 7)
    );
    assert_eq!(throttled.outcome, "failed");
    assert_eq!(throttled.error_kind.as_deref(), Some("throttled"));
    assert!(
        calls.iter().all(|c| c.excerpt.is_none()),
        "no text without opting in"
    );
    let csv = store.activity_csv(&ActivityFilter::default()).expect("csv");
    assert!(!csv.contains("private question"));
    let summary = store
        .activity_summary(&ActivityFilter::default())
        .expect("summary");
    assert_eq!((summary.totals.calls, summary.totals.failed), (3, 1));
    assert!(
        (summary.totals.cost_usd - sonnet.cost_usd.unwrap_or(0.0) - haiku.cost_usd.unwrap_or(0.0))
            .abs()
            < 1e-12
    );
}

#[tokio::test]
async fn invocation_logging_round_trips_and_is_validated() {
    let sim = sim().await;
    let admin = clients(&sim, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY).await;
    assert_eq!(
        get_logging(&admin).await.expect("get"),
        InvocationLogging::default()
    );
    let wanted = InvocationLogging {
        cloud_watch: Some(CloudWatchDestination {
            log_group_name: "/aws/bedrock/invocations".into(),
            role_arn: "arn:aws:iam::123456789012:role/BedrockLogging".into(),
        }),
        s3: Some(S3Destination {
            bucket_name: "cairn-invocation-logs".into(),
            key_prefix: Some("bedrock/".into()),
        }),
        text: true,
        image: true,
        embedding: false,
        video: false,
    };
    set_logging(&admin, &wanted).await.expect("put");
    assert_eq!(get_logging(&admin).await.expect("get"), wanted);
    let put = sim
        .requests()
        .into_iter()
        .rfind(|r| r["operation"] == "PutModelInvocationLoggingConfiguration")
        .expect("put recorded");
    assert_eq!(
        put["body"]["loggingConfig"]["s3Config"]["keyPrefix"],
        "bedrock/"
    );
    assert_eq!(
        put["body"]["loggingConfig"]["textDataDeliveryEnabled"],
        true
    );

    // Cairn refuses what Bedrock would, before sending.
    let mut bad = wanted.clone();
    bad.s3 = Some(S3Destination {
        bucket_name: "Not A Bucket".into(),
        key_prefix: None,
    });
    let err = set_logging(&admin, &bad).await.expect_err("bad bucket");
    assert_eq!(err.code.as_deref(), Some("LoggingConfigInvalid"));

    // Off: the configuration is deleted.
    set_logging(&admin, &InvocationLogging::default())
        .await
        .expect("off");
    assert!(!get_logging(&admin).await.expect("get").enabled());

    // A key that may read but not change: AccessDenied, and the setting is unchanged.
    let reader = clients(&sim, LIMITED_KEY, LIMITED_SECRET).await;
    assert!(!get_logging(&reader).await.expect("get").enabled());
    let err = set_logging(&reader, &wanted).await.expect_err("denied");
    assert_eq!(err.kind, ErrorKind::AccessDenied);
    assert!(
        err.message
            .contains("bedrock:PutModelInvocationLoggingConfiguration"),
        "{}",
        err.message
    );
    assert!(!get_logging(&admin).await.expect("get").enabled());
}
