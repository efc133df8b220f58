//! The model-access table against the simulator serving the origin document's catalog.

use std::sync::Arc;

use cairn_bedrock::access::{AccessStatus, EndpointChoice};
use cairn_bedrock::catalog::EndpointKind;
use cairn_bedrock::{
    BedrockClients, CredentialSource, Endpoints, ErrorKind, ProfileLocation, Target,
};
use cairn_core::models::ModelService;
use cairn_sim::config::Faults;
use cairn_sim::{SimConfig, Simulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
use cairn_store::Store;

/// The origin document's table: model, base ID, global / us / eu / jp / apac, deprecated.
const ORIGIN_TABLE: &[(&str, [bool; 5], bool)] = &[
    (
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        [true, true, true, true, false],
        false,
    ),
    (
        "anthropic.claude-sonnet-4-20250514-v1:0",
        [true, true, true, false, true],
        false,
    ),
    (
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        [false, true, true, false, true],
        true,
    ),
    (
        "anthropic.claude-opus-4-5-20251101-v1:0",
        [true, true, true, false, false],
        false,
    ),
    (
        "anthropic.claude-opus-4-1-20250805-v1:0",
        [false, true, false, false, false],
        false,
    ),
    (
        "anthropic.claude-opus-4-20250514-v1:0",
        [false, true, false, false, false],
        false,
    ),
    (
        "anthropic.claude-3-opus-20240229-v1:0",
        [false, true, false, false, false],
        true,
    ),
    (
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        [true, true, true, false, false],
        false,
    ),
    (
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        [false, true, false, false, false],
        true,
    ),
    (
        "anthropic.claude-3-haiku-20240307-v1:0",
        [false, true, true, false, true],
        false,
    ),
];
const GEOS: [&str; 5] = ["global", "us", "eu", "jp", "apac"];
const DENIED: &str = "anthropic.claude-opus-4-1-20250805-v1:0";

async fn setup(region: &str) -> (Simulator, BedrockClients, Arc<Store>) {
    let sim = Simulator::start_local(SimConfig {
        profiles_page_size: 7,
        faults: Faults {
            access_denied_models: vec![DENIED.into()],
            throttle_all: false,
        },
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let clients = BedrockClients::connect(&Target {
        region: region.into(),
        endpoints: Endpoints::all(&sim.url()),
        credentials: CredentialSource::Static {
            access_key_id: DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.into(),
            session_token: None,
        },
        profiles: ProfileLocation::default(),
    })
    .await;
    (
        sim,
        clients,
        Arc::new(Store::open_in_memory().expect("store")),
    )
}

#[tokio::test]
async fn the_live_table_reproduces_the_origin_document_row_for_row() {
    let (sim, clients, store) = setup("us-east-1").await;
    let svc = ModelService {
        store: &store,
        clients: &clients,
        connection_id: "work",
    };
    let table = svc.table(true).await.expect("table");
    assert!(table.catalog.live);
    assert_eq!(
        table.catalog.geographies,
        ["global", "us", "eu", "jp", "apac", "au"]
    );
    for (model_id, yes, deprecated) in ORIGIN_TABLE {
        let row = table
            .rows
            .iter()
            .find(|r| r.entry.model_id == *model_id)
            .unwrap_or_else(|| panic!("{model_id} missing"));
        for (geo, expected) in GEOS.iter().zip(yes) {
            let has = row
                .entry
                .profiles
                .iter()
                .any(|p| p.geo == *geo && p.profile_id == format!("{geo}.{model_id}"));
            assert_eq!(has, *expected, "{model_id} {geo}");
        }
        assert_eq!(
            row.entry.lifecycle == "LEGACY",
            *deprecated,
            "{model_id} lifecycle"
        );
        assert_eq!(
            row.entry.deprecated_on.is_some(),
            *deprecated,
            "{model_id} deprecation date"
        );
    }
    let denied = table
        .rows
        .iter()
        .find(|r| r.entry.model_id == DENIED)
        .expect("denied row");
    assert_eq!(denied.entry.access, AccessStatus::NotAuthorized);
    let ops: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| r["operation"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        ops.iter()
            .filter(|o| *o == "GetFoundationModelAvailability")
            .count(),
        table.rows.len()
    );
    assert!(
        ops.iter().filter(|o| *o == "ListInferenceProfiles").count() > 1,
        "all pages read"
    );

    // A second look uses the cache: no new calls.
    sim.clear_requests();
    svc.table(false).await.expect("cached");
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn regional_choice_residency_and_premium() {
    let (_sim, clients, store) = setup("eu-central-1").await;
    let svc = ModelService {
        store: &store,
        clients: &clients,
        connection_id: "work",
    };
    let sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let table = svc.table(true).await.expect("table");
    let row = table
        .rows
        .iter()
        .find(|r| r.entry.model_id == sonnet)
        .expect("row");
    let inv = row.invocation.clone().expect("route");
    assert_eq!(
        (inv.invocation_id.as_str(), inv.endpoint),
        (format!("global.{sonnet}").as_str(), EndpointKind::Global)
    );
    assert_eq!(row.input_price, Some(3.0));

    svc.set_choice(sonnet, EndpointChoice::Regional)
        .expect("choice");
    let table = svc.table(false).await.expect("table");
    let row = table
        .rows
        .iter()
        .find(|r| r.entry.model_id == sonnet)
        .expect("row");
    let inv = row.invocation.clone().expect("route");
    assert_eq!(inv.invocation_id, format!("eu.{sonnet}"));
    assert!(inv.premium);
    assert!(
        (row.input_price.expect("price") - 3.3).abs() < 1e-9,
        "+10% for Sonnet 4.5 regional"
    );

    // Keep data in the EU: no model is offered through global.
    svc.set_keep_in_geography(true).expect("residency");
    let models = svc.chat_models().await.expect("models");
    assert!(!models.is_empty());
    assert!(
        models
            .iter()
            .all(|m| !m.invocation_id.starts_with("global.")),
        "{models:?}"
    );
    let opus41 = svc
        .table(false)
        .await
        .expect("t")
        .rows
        .into_iter()
        .find(|r| r.entry.model_id == DENIED)
        .expect("row");
    assert_eq!(
        opus41.route_problem.as_deref(),
        Some("NoProfileForRegion"),
        "Opus 4.1 has only a us profile"
    );
}

#[tokio::test]
async fn check_access_calls_the_profile_never_the_base_id() {
    let (sim, clients, store) = setup("us-east-1").await;
    let svc = ModelService {
        store: &store,
        clients: &clients,
        connection_id: "work",
    };
    svc.table(true).await.expect("table");
    sim.clear_requests();
    let all = svc.check_all().await.expect("check all");
    let denied = all.iter().find(|(id, _)| id == DENIED).expect("checked");
    assert!(!denied.1.ok);
    assert_eq!(
        denied.1.error.as_ref().expect("error").kind,
        ErrorKind::AccessDenied
    );
    assert!(all.iter().filter(|(id, _)| id != DENIED).all(|(_, c)| c.ok));
    for request in sim.requests() {
        assert_eq!(request["operation"], "CountTokens");
        let id = request["modelId"].as_str().expect("id");
        let resolved = cairn_sim::catalog::resolve(id).expect("known");
        assert!(
            resolved.profile.is_some() || resolved.model.on_demand,
            "base-ID call for profile-only {id}"
        );
    }
    let row = svc
        .table(false)
        .await
        .expect("t")
        .rows
        .into_iter()
        .find(|r| r.entry.model_id == DENIED)
        .expect("row");
    assert!(!row.last_check.expect("remembered").ok);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_cached_table_and_says_why() {
    let (sim, clients, store) = setup("us-east-1").await;
    let svc = ModelService {
        store: &store,
        clients: &clients,
        connection_id: "work",
    };
    svc.table(true).await.expect("first fetch");
    sim.shutdown().await;
    let table = svc.table(true).await.expect("falls back");
    assert!(table.catalog.live, "the cached live copy");
    assert_eq!(table.notice.expect("notice").kind, ErrorKind::Network);

    let demo = ModelService {
        store: &store,
        clients: &clients,
        connection_id: "demo",
    };
    let bundled = demo.table(true).await.expect("demo");
    assert!(!bundled.catalog.live && bundled.notice.is_none());
}
