//! Connections end to end against the simulator: save, verify, use, switch, delete — and the
//! canary: a unique secret that must never appear in the data directory, the logs or any reply.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cairn_bedrock::{ErrorKind, ProfileLocation};
use cairn_core::chat::{ChatEvent, ChatService, SendRequest};
use cairn_core::connections::{
    ConnectionInput, ConnectionKind, ConnectionService, EndpointOverrides, RegionSource,
    SecretStorage, DEMO_ID,
};
use cairn_core::session::{clients_for, start_demo};
use cairn_core::CairnError;
use cairn_sim::{SimConfig, SimCredential, Simulator};
use cairn_store::Store;
use cairn_vault::{MemoryStore, Secret, SecretStore, VaultError};
use tokio_util::sync::CancellationToken;

const KEY: &str = "AKIATESTKEY000000001";
const SECRET: &str = "testSecretKey/0123456789+abcdefghijklmno";
const TEMP_KEY: &str = "ASIATESTKEY000000002";
const API_KEY: &str = "ABSKdGVzdC1hcGkta2V5LTAwMDE=";
const MODEL: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";

fn credential(key: &str, secret: &str, token: Option<&str>, expired: bool) -> SimCredential {
    SimCredential {
        access_key_id: key.into(),
        secret_access_key: secret.into(),
        session_token: token.map(str::to_owned),
        user_name: "analyst".into(),
        expired,
        allow: None,
    }
}

async fn sim(extra: Vec<SimCredential>) -> Simulator {
    let mut credentials = vec![credential(KEY, SECRET, None, false)];
    credentials.extend(extra);
    Simulator::start_local(SimConfig {
        credentials,
        api_keys: vec![API_KEY.into()],
        ..SimConfig::default()
    })
    .await
    .expect("sim")
}

struct Fixture {
    service: ConnectionService,
    store: Arc<Store>,
    keychain: Arc<MemoryStore>,
    dir: tempfile::TempDir,
}

fn fixture_with(
    keychain: Arc<dyn SecretStore>,
    memory: Arc<MemoryStore>,
    profiles: ProfileLocation,
) -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let service =
        ConnectionService::new(store.clone(), keychain, profiles, Arc::new(|_: &str| None));
    Fixture {
        service,
        store,
        keychain: memory,
        dir,
    }
}

fn fixture() -> Fixture {
    let keychain = Arc::new(MemoryStore::default());
    fixture_with(keychain.clone(), keychain, ProfileLocation::default())
}

fn keys_input(
    name: &str,
    url: &str,
    key: &str,
    secret: &str,
    token: Option<&str>,
) -> ConnectionInput {
    ConnectionInput {
        id: None,
        name: name.into(),
        kind: ConnectionKind::AccessKeys,
        region: Some("us-west-2".into()),
        profile: None,
        access_key_id: Some(key.into()),
        secret_access_key: Some(Secret::new(secret.into())),
        session_token: token.map(|t| Secret::new(t.to_owned())),
        api_key: None,
        endpoints: EndpointOverrides {
            bedrock: Some(url.into()),
            runtime: Some(url.into()),
            sts: Some(url.into()),
            sso: None,
        },
        session_only: false,
        sso_flow_id: None,
        sso_account_id: None,
        sso_role_name: None,
    }
}

#[tokio::test]
async fn access_keys_save_verify_use_switch_delete() {
    let sim = sim(vec![]).await;
    let f = fixture();
    let saved = f
        .service
        .save(keys_input(
            "Work",
            &sim.url(),
            &format!(" {KEY}\n"),
            &format!("{SECRET}\n"),
            None,
        ))
        .await
        .expect("save");
    assert_eq!(saved.key_hint.as_deref(), Some("••••0001"));
    assert_eq!(saved.secret_storage, SecretStorage::Keychain);
    assert_eq!(saved.region_source, RegionSource::Chosen);
    assert!(saved.verification.is_none());

    let verified = f.service.verify(&saved.id).await.expect("verify");
    let v = verified.verification.expect("verification");
    assert_eq!(v.account, "123456789012");
    assert_eq!(v.arn, "arn:aws:iam::123456789012:user/analyst");
    assert!(!v.verified_at.is_empty());

    f.service.set_active(&saved.id).expect("activate");
    assert_eq!(f.service.active_id().expect("active"), saved.id);
    let clients = clients_for(&f.service, None, &saved.id)
        .await
        .expect("clients");
    assert_eq!(clients.region, "us-west-2");
    let chat = ChatService::new(f.store.clone(), clients);
    let mut done = false;
    chat.send(
        SendRequest {
            stream_id: "s".into(),
            conversation_id: None,
            model_id: MODEL.into(),
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
    assert!(done, "the chat answered through the saved connection");
    assert!(sim
        .requests()
        .iter()
        .all(|r| r["auth"]["accessKeyId"] == KEY && r["auth"]["verdict"] == "ok"));

    f.service.delete(&saved.id).expect("delete");
    assert_eq!(
        f.service.active_id().expect("active"),
        DEMO_ID,
        "deleting the active one falls back to the demo"
    );
    assert!(
        f.keychain
            .get(&format!("connection:{}", saved.id))
            .expect("get")
            .is_none(),
        "keychain entry removed"
    );
    assert!(f.service.list().expect("list").is_empty());
}

#[tokio::test]
async fn verify_explains_bad_credentials() {
    let sim = sim(vec![credential("AKIAEXPIREDKEY000001", SECRET, None, true)]).await;
    let f = fixture();
    let cases = [
        (
            KEY,
            "wrongSecretKey/0123456789+abcdefghijklmn",
            "InvalidSignatureException",
        ),
        (
            "AKIAUNKNOWNKEY000001",
            SECRET,
            "UnrecognizedClientException",
        ),
        ("AKIAEXPIREDKEY000001", SECRET, "ExpiredTokenException"),
    ];
    for (key, secret, code) in cases {
        let saved = f
            .service
            .save(keys_input(code, &sim.url(), key, secret, None))
            .await
            .expect("save");
        let err = f.service.verify(&saved.id).await.expect_err(code);
        assert_eq!(err.kind, ErrorKind::Credentials, "{code}: {err:?}");
        assert_eq!(err.code.as_deref(), Some(code));
        assert!(f
            .service
            .get(&saved.id)
            .expect("get")
            .verification
            .is_none());
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_half_saved() {
    let f = fixture();
    let url = "http://127.0.0.1:9";
    let mut cases: Vec<(ConnectionInput, &str)> = vec![
        (
            keys_input("x", url, "NOTAKEY", SECRET, None),
            "AccessKeyIdInvalid",
        ),
        (
            keys_input("x", url, KEY, "tooshort", None),
            "SecretKeyInvalid",
        ),
        (
            keys_input("x", url, KEY, SECRET, Some("token")),
            "SessionTokenNeedsTemporaryKey",
        ),
        (
            keys_input("x", url, TEMP_KEY, SECRET, None),
            "TemporaryKeyNeedsSessionToken",
        ),
        (keys_input("  ", url, KEY, SECRET, None), "NameInvalid"),
        (
            keys_input("x", "http://example.com", KEY, SECRET, None),
            "EndpointInvalid",
        ),
    ];
    let mut bad_region = keys_input("x", url, KEY, SECRET, None);
    bad_region.region = Some("Tokyo".into());
    cases.push((bad_region, "RegionInvalid"));
    let mut bad_profile = keys_input("x", url, KEY, SECRET, None);
    bad_profile.kind = ConnectionKind::Profile;
    bad_profile.profile = Some("nope".into());
    cases.push((bad_profile, "ProfileNotFound"));
    let mut bad_api_key = keys_input("x", url, KEY, SECRET, None);
    bad_api_key.kind = ConnectionKind::ApiKey;
    bad_api_key.api_key = Some(Secret::new("sk-not-a-bedrock-key".into()));
    cases.push((bad_api_key, "ApiKeyInvalid"));
    for (input, code) in cases {
        let err = f.service.save(input).await.expect_err(code);
        assert_eq!(err.code.as_deref(), Some(code), "{err:?}");
        assert!(matches!(err.kind, ErrorKind::InvalidInput), "{err:?}");
    }
    assert!(f.service.list().expect("list").is_empty());
    assert!(f.keychain.get("connection:x").expect("get").is_none());
}

/// A keychain that is not there, as on a Linux desktop without a Secret Service.
struct NoKeychain;

impl SecretStore for NoKeychain {
    fn put(&self, _: &str, _: &Secret<String>) -> Result<(), VaultError> {
        Err(VaultError::Unavailable(
            "org.freedesktop.secrets was not provided by any .service files".into(),
        ))
    }
    fn get(&self, _: &str) -> Result<Option<Secret<String>>, VaultError> {
        Err(VaultError::Unavailable("no secret service".into()))
    }
    fn delete(&self, _: &str) -> Result<(), VaultError> {
        Err(VaultError::Unavailable("no secret service".into()))
    }
}

#[tokio::test]
async fn without_a_keychain_nothing_is_saved_unless_the_user_chooses_memory() {
    let sim = sim(vec![]).await;
    let f = fixture_with(
        Arc::new(NoKeychain),
        Arc::new(MemoryStore::default()),
        ProfileLocation::default(),
    );
    let err = f
        .service
        .save(keys_input("Work", &sim.url(), KEY, SECRET, None))
        .await
        .expect_err("no keychain");
    assert_eq!(err.kind, ErrorKind::KeychainUnavailable);
    assert!(
        f.service.list().expect("list").is_empty(),
        "no plaintext fallback, nothing saved"
    );

    let mut input = keys_input("Work", &sim.url(), KEY, SECRET, None);
    input.session_only = true;
    let saved = f.service.save(input).await.expect("session only");
    assert_eq!(saved.secret_storage, SecretStorage::Session);
    assert!(saved.secret_available);
    f.service
        .verify(&saved.id)
        .await
        .expect("works for this session");
}

#[tokio::test]
async fn profiles_and_api_keys() {
    let sim = sim(vec![]).await;
    let home = tempfile::tempdir().expect("home");
    let credentials = home.path().join("credentials");
    let config = home.path().join("config");
    std::fs::write(
        &credentials,
        format!("[work]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"),
    )
    .expect("write");
    std::fs::write(&config, "[profile work]\nregion = eu-central-1\n").expect("write");
    let keychain = Arc::new(MemoryStore::default());
    let f = fixture_with(
        keychain.clone(),
        keychain,
        ProfileLocation {
            config_file: Some(config),
            credentials_file: Some(credentials),
        },
    );
    let profiles = f.service.profiles().await.expect("profiles");
    assert_eq!(profiles.len(), 1);
    let mut input = keys_input("From profile", &sim.url(), "", "", None);
    input.kind = ConnectionKind::Profile;
    input.profile = Some("work".into());
    input.region = None;
    let saved = f.service.save(input).await.expect("profile connection");
    assert_eq!(
        (saved.region.as_str(), saved.region_source),
        ("eu-central-1", RegionSource::Profile)
    );
    assert_eq!(saved.secret_storage, SecretStorage::None);
    let verified = f
        .service
        .verify(&saved.id)
        .await
        .expect("verify through the profile");
    assert_eq!(verified.verification.expect("v").account, "123456789012");

    let mut api = keys_input("API key", &sim.url(), "", "", None);
    api.kind = ConnectionKind::ApiKey;
    api.api_key = Some(Secret::new(format!("{API_KEY}\n")));
    let saved = f.service.save(api).await.expect("api key connection");
    assert_eq!(saved.key_hint.as_deref(), Some("••••MDE="));
    f.service
        .verify(&saved.id)
        .await
        .expect("CountTokens accepts the key");
    assert_eq!(
        sim.requests().last().expect("request")["auth"]["scheme"],
        "bearer"
    );
    let clients = clients_for(&f.service, None, &saved.id)
        .await
        .expect("clients");
    sim.clear_requests();
    let service = cairn_core::models::ModelService {
        store: &f.store,
        clients: &clients,
        connection_id: &saved.id,
    };
    let models = service.chat_models().await.expect("bundled models");
    assert!(
        models
            .iter()
            .any(|m| m.invocation_id.starts_with("global.")),
        "{models:?}"
    );
    let table = service.table(true).await.expect("table");
    assert!(!table.catalog.live, "the snapshot, marked as not live");
    assert_eq!(table.notice.expect("notice").kind, ErrorKind::NeedsSigV4);
    assert!(
        sim.requests().is_empty(),
        "no control-plane call is attempted with a bearer key"
    );
    // …and the chat works with the key alone.
    let chat = ChatService::new(f.store.clone(), clients);
    let mut done = false;
    chat.send(
        SendRequest {
            stream_id: "k".into(),
            conversation_id: None,
            model_id: models[0].invocation_id.clone(),
            text: "hi [[sim:tokens=2]]".into(),
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
    assert_eq!(
        sim.requests().last().expect("request")["auth"]["scheme"],
        "bearer"
    );
}

/// Captures every log line of the test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn canary_secret_never_leaves_the_keychain() {
    let canary_secret = "CanarySecret0123456789/abcdefghijklmnopq";
    let canary_token = "CanarySessionToken-7d1c9e2b5a";
    let sim = sim(vec![credential(
        TEMP_KEY,
        canary_secret,
        Some(canary_token),
        false,
    )])
    .await;
    let demo = start_demo(SimConfig::default()).await.expect("demo");
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let f = fixture();
    let mut replies: Vec<String> = Vec::new();
    let json = |v: &dyn erased::Json| v.to_json();

    let saved = f
        .service
        .save(keys_input(
            "Canary",
            &sim.url(),
            TEMP_KEY,
            canary_secret,
            Some(canary_token),
        ))
        .await
        .expect("save");
    replies.push(json(&saved));
    replies.push(json(&f.service.verify(&saved.id).await.expect("verify")));
    f.service.set_active(&saved.id).expect("activate");
    replies.push(json(&f.service.list().expect("list")));
    let clients = clients_for(&f.service, Some(&demo), &saved.id)
        .await
        .expect("clients");
    tracing::debug!(?clients, "built clients");
    let chat = ChatService::new(f.store.clone(), clients);
    let mut events = Vec::new();
    chat.send(
        SendRequest {
            stream_id: "canary".into(),
            conversation_id: None,
            model_id: MODEL.into(),
            text: "hello [[sim:tokens=5]]".into(),
            settings: None,
            action: None,
            documents: Vec::new(),
        },
        CancellationToken::new(),
        |e| events.push(e),
    )
    .await
    .expect("send");
    assert!(
        events.iter().any(|e| matches!(e, ChatEvent::Done { .. })),
        "{events:?}"
    );
    replies.push(json(&events));
    // A failing edit reports an error; errors are replies too.
    let mut bad = keys_input("Canary", &sim.url(), TEMP_KEY, "short", Some(canary_token));
    bad.id = Some(saved.id.clone());
    let err: CairnError = f.service.save(bad).await.expect_err("bad secret");
    replies.push(json(&err));
    f.service.set_active(DEMO_ID).expect("switch to demo");
    replies.push(json(&f.service.list().expect("list")));
    f.service.delete(&saved.id).expect("delete");
    replies.push(json(&f.service.list().expect("list")));
    drop(chat);
    drop(f.service);
    drop(f.store);

    let log_text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf8");
    assert!(log_text.contains("connection saved"), "logs were captured");
    for canary in [canary_secret, canary_token] {
        for reply in &replies {
            assert!(!reply.contains(canary), "IPC reply leaks {canary}: {reply}");
        }
        assert!(!log_text.contains(canary), "logs leak {canary}");
        let files = files_under(f.dir.path());
        assert!(!files.is_empty());
        for file in files {
            let bytes = std::fs::read(&file).expect("read");
            let hit = bytes.windows(canary.len()).any(|w| w == canary.as_bytes());
            assert!(!hit, "{} leaks {canary}", file.display());
        }
    }
}

/// Everything the app sends back over IPC is serde-serialized; this is the same encoding.
mod erased {
    pub trait Json {
        fn to_json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).expect("serializable reply")
        }
    }
}

#[tokio::test]
#[ignore = "needs a private Secret Service session: run through tests/with-keyring.sh"]
async fn the_real_keychain_holds_the_secret_and_forgets_it_on_delete() {
    let sim = sim(vec![]).await;
    let keychain: Arc<dyn SecretStore> =
        Arc::new(cairn_vault::KeychainStore::new("dev.cairn.desktop.test"));
    let f = fixture_with(
        keychain.clone(),
        Arc::new(MemoryStore::default()),
        ProfileLocation::default(),
    );
    let saved = f
        .service
        .save(keys_input("Keychain", &sim.url(), KEY, SECRET, None))
        .await
        .expect("save to the keychain");
    let account = format!("connection:{}", saved.id);
    let stored = keychain
        .get(&account)
        .expect("read")
        .expect("the keychain has the entry");
    assert!(stored.expose().contains(SECRET));
    f.service
        .verify(&saved.id)
        .await
        .expect("verify with the keychain's secret");
    f.service.delete(&saved.id).expect("delete");
    assert!(
        keychain.get(&account).expect("read").is_none(),
        "delete removed the keychain entry"
    );
}
