//! IAM Identity Center sign-in inside the app, against the simulator's SSO OIDC and portal.

use std::sync::Arc;
use std::time::Duration;

use cairn_bedrock::{ErrorKind, ProfileLocation};
use cairn_core::chat::{ChatEvent, ChatService, SendRequest};
use cairn_core::connections::{
    ConnectionInput, ConnectionKind, ConnectionService, EndpointOverrides, SecretStorage,
};
use cairn_core::session::clients_for;
use cairn_sim::sso::SsoConfig;
use cairn_sim::{SimConfig, Simulator};
use cairn_store::Store;
use cairn_vault::MemoryStore;
use tokio_util::sync::CancellationToken;

const START_URL: &str = "https://cairn-test.awsapps.com/start";

async fn sim(sso: SsoConfig) -> Simulator {
    Simulator::start_local(SimConfig {
        sso,
        ..SimConfig::default()
    })
    .await
    .expect("sim")
}

fn service() -> (ConnectionService, Arc<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let service = ConnectionService::new(
        store.clone(),
        Arc::new(MemoryStore::default()),
        ProfileLocation::default(),
        Arc::new(|_: &str| None),
    );
    (service, store, dir)
}

fn sso_input(url: &str, flow_id: &str, account: &str, role: &str) -> ConnectionInput {
    ConnectionInput {
        id: None,
        name: "Company SSO".into(),
        kind: ConnectionKind::Sso,
        region: Some("us-east-1".into()),
        profile: None,
        access_key_id: None,
        secret_access_key: None,
        session_token: None,
        api_key: None,
        endpoints: EndpointOverrides {
            bedrock: Some(url.into()),
            runtime: Some(url.into()),
            sts: Some(url.into()),
            sso: None,
        },
        session_only: false,
        sso_flow_id: Some(flow_id.into()),
        sso_account_id: Some(account.into()),
        sso_role_name: Some(role.into()),
    }
}

#[tokio::test]
async fn sign_in_choose_a_role_verify_and_chat() {
    let sim = sim(SsoConfig {
        credential_seconds: 1,
        ..SsoConfig::default()
    })
    .await;
    let (service, store, _dir) = service();
    let sign_in = service
        .sso_start(START_URL, "us-east-1", Some(&sim.url()))
        .await
        .expect("start");
    assert!(sign_in.verification_uri.contains(&sign_in.user_code));
    let pending = service.sso_poll(&sign_in.flow_id).await.expect("poll");
    assert!(!pending.approved);
    assert!(
        sim.answer_sso(&sign_in.user_code, true),
        "the browser approves"
    );
    let approved = service.sso_poll(&sign_in.flow_id).await.expect("poll");
    assert!(approved.approved);
    assert_eq!(approved.accounts.len(), 1);
    assert_eq!(approved.accounts[0].roles, ["BedrockAnalyst", "ReadOnly"]);

    let wrong = service
        .save(sso_input(
            &sim.url(),
            &sign_in.flow_id,
            "123456789012",
            "Admin",
        ))
        .await
        .expect_err("a role the sign-in does not offer");
    assert_eq!(wrong.code.as_deref(), Some("SsoRoleInvalid"));
    // A refused choice leaves the sign-in usable: choose again.
    let saved = service
        .save(sso_input(
            &sim.url(),
            &sign_in.flow_id,
            "123456789012",
            "BedrockAnalyst",
        ))
        .await
        .expect("save");
    assert_eq!(saved.secret_storage, SecretStorage::Keychain);
    let sso = saved.sso.clone().expect("sso info");
    assert_eq!(
        (sso.account_id.as_str(), sso.role_name.as_str()),
        ("123456789012", "BedrockAnalyst")
    );
    assert!(!sso.expired);
    let again = service
        .save(sso_input(
            &sim.url(),
            &sign_in.flow_id,
            "123456789012",
            "ReadOnly",
        ))
        .await
        .expect_err("a saved sign-in is used up");
    assert_eq!(again.code.as_deref(), Some("SsoSignInRequired"));

    let verified = service
        .verify(&saved.id)
        .await
        .expect("verify with role credentials");
    assert_eq!(verified.verification.expect("v").account, "123456789012");
    // Role credentials live one second here: the next call must fetch fresh ones by itself.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    service
        .verify(&saved.id)
        .await
        .expect("refreshed role credentials");

    let clients = clients_for(&service, None, &saved.id)
        .await
        .expect("clients");
    let chat = ChatService::new(store, clients);
    let mut done = false;
    chat.send(
        SendRequest {
            stream_id: "s".into(),
            conversation_id: None,
            model_id: "global.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
            text: "hi [[sim:tokens=3]]".into(),
            settings: None,
            action: None,
            documents: Vec::new(),
        },
        CancellationToken::new(),
        |e| done |= matches!(e, ChatEvent::Done { .. }),
    )
    .await
    .expect("send");
    assert!(done);
    let signed: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r["auth"]["verdict"] == "ok")
        .map(|r| {
            r["auth"]["accessKeyId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert!(
        signed.len() >= 3 && signed.iter().all(|k| k.starts_with("ASIA")),
        "{signed:?}"
    );
}

#[tokio::test]
async fn denied_and_expired_sign_ins_say_so() {
    let sim = sim(SsoConfig::default()).await;
    let (service, _store, _dir) = service();
    let sign_in = service
        .sso_start(START_URL, "us-east-1", Some(&sim.url()))
        .await
        .expect("start");
    assert!(
        sim.answer_sso(&sign_in.user_code, false),
        "the browser denies"
    );
    let err = service
        .sso_poll(&sign_in.flow_id)
        .await
        .expect_err("denied");
    assert_eq!(err.code.as_deref(), Some("SsoDenied"));
    let again = service
        .sso_poll(&sign_in.flow_id)
        .await
        .expect_err("the flow is over");
    assert_eq!(again.code.as_deref(), Some("SsoSignInRequired"));

    let quick = self::sim(SsoConfig {
        device_code_seconds: 0,
        ..SsoConfig::default()
    })
    .await;
    let sign_in = service
        .sso_start(START_URL, "us-east-1", Some(&quick.url()))
        .await
        .expect("start");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = service
        .sso_poll(&sign_in.flow_id)
        .await
        .expect_err("timed out");
    assert_eq!(err.code.as_deref(), Some("SsoExpired"));

    let bad = service
        .sso_start("not a url", "us-east-1", None)
        .await
        .expect_err("bad url");
    assert_eq!(bad.code.as_deref(), Some("SsoStartUrlInvalid"));
}

#[tokio::test]
async fn an_expired_session_is_noticed_before_any_request() {
    let sim = sim(SsoConfig {
        token_seconds: 1,
        ..SsoConfig::default()
    })
    .await;
    let (service, _store, _dir) = service();
    let sign_in = service
        .sso_start(START_URL, "us-east-1", Some(&sim.url()))
        .await
        .expect("start");
    sim.answer_sso(&sign_in.user_code, true);
    service.sso_poll(&sign_in.flow_id).await.expect("poll");
    let saved = service
        .save(sso_input(
            &sim.url(),
            &sign_in.flow_id,
            "123456789012",
            "ReadOnly",
        ))
        .await
        .expect("save");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        service
            .get(&saved.id)
            .expect("get")
            .sso
            .expect("sso")
            .expired
    );
    sim.clear_requests();
    let err = clients_for(&service, None, &saved.id)
        .await
        .expect_err("expired");
    assert_eq!(err.kind, ErrorKind::Credentials);
    assert_eq!(err.code.as_deref(), Some("SsoSessionExpired"));
    assert!(
        sim.requests().is_empty(),
        "nothing was sent with an expired session"
    );

    // Signing in again on the same connection renews it.
    let sign_in = service
        .sso_start(START_URL, "us-east-1", Some(&sim.url()))
        .await
        .expect("start");
    sim.answer_sso(&sign_in.user_code, true);
    service.sso_poll(&sign_in.flow_id).await.expect("poll");
    let mut renew = sso_input(&sim.url(), &sign_in.flow_id, "123456789012", "ReadOnly");
    renew.id = Some(saved.id.clone());
    let renewed = service.save(renew).await.expect("renew");
    assert!(!renewed.sso.expect("sso").expired);
    assert_eq!(service.list().expect("list").len(), 1);
}
