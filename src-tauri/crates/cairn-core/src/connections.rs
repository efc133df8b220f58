//! Connections: named ways to reach AWS, several saved, one active. Secrets go to the OS
//! keychain (or, when the user chooses it, to memory for this session); the database keeps
//! only what may be shown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cairn_bedrock::client::{Endpoints, ProfileLocation};
use cairn_bedrock::identity;
use cairn_bedrock::profiles::{list_profiles, ProfileInfo};
use cairn_bedrock::regions::looks_like_region;
use cairn_bedrock::sso::{self, DeviceAuthorization, SsoAccountRoles, SsoSite, SsoToken};
use cairn_bedrock::{BedrockClients, CredentialSource, ErrorKind, Target};
use cairn_store::{ConnectionRecord, SsoRecord, Store, VerificationRecord};
use cairn_vault::{MemoryStore, Secret, SecretStore, VaultError};
use serde::{Deserialize, Serialize};

use crate::CairnError;

/// The built-in offline demo, always present, never stored.
pub const DEMO_ID: &str = "demo";
const ACTIVE_KEY: &str = "active_connection";
/// The model used to prove a Bedrock API key works (CountTokens costs nothing).
const API_KEY_CHECK_MODEL: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// Access key ID + secret (+ session token), kept in the keychain.
    AccessKeys,
    /// A profile of the shared AWS files (static, SSO, assume-role, credential_process).
    Profile,
    /// A Bedrock API key (bearer), bedrock-runtime only.
    ApiKey,
    /// Whatever this computer's AWS setup provides (environment, default profile, SSO cache).
    DefaultChain,
    /// IAM Identity Center, signed in inside Cairn (device authorization in the browser).
    Sso,
}

impl ConnectionKind {
    fn as_db(self) -> &'static str {
        match self {
            ConnectionKind::AccessKeys => "accessKeys",
            ConnectionKind::Profile => "profile",
            ConnectionKind::ApiKey => "apiKey",
            ConnectionKind::DefaultChain => "defaultChain",
            ConnectionKind::Sso => "sso",
        }
    }

    fn from_db(value: &str) -> Self {
        match value {
            "accessKeys" => ConnectionKind::AccessKeys,
            "profile" => ConnectionKind::Profile,
            "apiKey" => ConnectionKind::ApiKey,
            "sso" => ConnectionKind::Sso,
            _ => ConnectionKind::DefaultChain,
        }
    }
}

/// Where the region came from, so the UI can say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum RegionSource {
    /// `AWS_REGION` or `AWS_DEFAULT_REGION`.
    Environment,
    /// The profile's `region`.
    Profile,
    /// Nothing said otherwise: `us-east-1`.
    Default,
    /// The user picked it.
    Chosen,
}

impl RegionSource {
    fn as_db(self) -> &'static str {
        match self {
            RegionSource::Environment => "environment",
            RegionSource::Profile => "profile",
            RegionSource::Default => "default",
            RegionSource::Chosen => "chosen",
        }
    }

    fn from_db(value: &str) -> Self {
        match value {
            "environment" => RegionSource::Environment,
            "profile" => RegionSource::Profile,
            "chosen" => RegionSource::Chosen,
            _ => RegionSource::Default,
        }
    }
}

/// Where a connection's secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SecretStorage {
    Keychain,
    /// In memory, for this session only (the user chose it when the keychain was unavailable).
    Session,
    /// The kind has no secret of its own (profiles, the default chain).
    None,
}

impl SecretStorage {
    fn as_db(self) -> &'static str {
        match self {
            SecretStorage::Keychain => "keychain",
            SecretStorage::Session => "session",
            SecretStorage::None => "none",
        }
    }

    fn from_db(value: &str) -> Self {
        match value {
            "keychain" => SecretStorage::Keychain,
            "session" => SecretStorage::Session,
            _ => SecretStorage::None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EndpointOverrides {
    pub bedrock: Option<String>,
    pub runtime: Option<String>,
    pub sts: Option<String>,
    /// IAM Identity Center (SSO OIDC and portal).
    #[serde(default)]
    #[specta(optional)]
    pub sso: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub account: String,
    pub arn: String,
    pub user_id: String,
    /// RFC 3339; `None` for API keys, which STS cannot identify.
    pub verified_at: String,
}

/// A connection as the UI sees it: never a secret, at most its last four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    pub region: String,
    pub region_source: RegionSource,
    pub profile: Option<String>,
    /// "••••WXYZ"
    pub key_hint: Option<String>,
    pub has_session_token: bool,
    pub secret_storage: SecretStorage,
    /// False when a session-only secret is gone (the app was restarted): enter it again.
    pub secret_available: bool,
    pub endpoints: EndpointOverrides,
    pub verification: Option<Verification>,
    pub sso: Option<SsoInfo>,
}

/// An IAM Identity Center connection's sign-in, without its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SsoInfo {
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
    /// RFC 3339: when the sign-in stops working.
    pub expires_at: String,
    /// Already past `expires_at`: sign in again before using it.
    pub expired: bool,
}

/// A started IAM Identity Center sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SsoSignIn {
    pub flow_id: String,
    /// The code the user checks in the browser.
    pub user_code: String,
    /// The page to open (already carrying the code).
    pub verification_uri: String,
    /// RFC 3339: when the code stops working.
    pub expires_at: String,
    /// Seconds between polls.
    pub interval_seconds: u32,
}

/// The state of a sign-in after one poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SsoPoll {
    /// False while the user has not approved in the browser yet.
    pub approved: bool,
    /// Once approved: the accounts and roles to choose from.
    pub accounts: Vec<SsoAccountRoles>,
}

/// What the connection form sends. It is only ever deserialized: it has no `Serialize`, and its
/// secrets are `Secret`s (redacted `Debug`, no `Serialize`), so they cannot travel back to the UI
/// or into logs.
#[derive(Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    /// Set when editing; secrets left empty then keep their saved values.
    pub id: Option<String>,
    pub name: String,
    pub kind: ConnectionKind,
    /// `None` picks the default (environment, then profile, then us-east-1).
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key_id: Option<String>,
    #[specta(type = Option<String>)]
    pub secret_access_key: Option<Secret<String>>,
    #[specta(type = Option<String>)]
    pub session_token: Option<Secret<String>>,
    #[specta(type = Option<String>)]
    pub api_key: Option<Secret<String>>,
    pub endpoints: EndpointOverrides,
    /// Keep the secret in memory for this session instead of the keychain.
    pub session_only: bool,
    /// IAM Identity Center: the finished sign-in whose token to keep, and the chosen role.
    #[serde(default)]
    #[specta(optional)]
    pub sso_flow_id: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub sso_account_id: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub sso_role_name: Option<String>,
}

impl std::fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

fn invalid(code: &str, message: impl Into<String>) -> CairnError {
    CairnError::new(ErrorKind::InvalidInput, message).with_code(code)
}

/// Pasted keys often carry spaces or line breaks; none belong in a key.
pub fn clean_key(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect()
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.map(clean_key).filter(|v| !v.is_empty())
}

fn non_empty_secret(value: Option<&Secret<String>>) -> Option<String> {
    non_empty(value.map(|s| s.expose().as_str()))
}

pub fn validate_access_key_id(id: &str) -> Result<(), CairnError> {
    let ok = (id.starts_with("AKIA") || id.starts_with("ASIA"))
        && (16..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "AccessKeyIdInvalid",
            "an access key ID starts with AKIA or ASIA and has 16 to 128 capital letters and digits",
        ))
    }
}

pub fn validate_secret_access_key(secret: &str) -> Result<(), CairnError> {
    let ok = secret.len() == 40
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "SecretKeyInvalid",
            format!(
                "a secret access key has exactly 40 characters (letters, digits, / and +); this one has {}",
                secret.chars().count()
            ),
        ))
    }
}

pub fn validate_api_key(key: &str) -> Result<(), CairnError> {
    let ok = (key.starts_with("ABSK") || key.starts_with("bedrock-api-key-")) && key.len() >= 20;
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "ApiKeyInvalid",
            "a Bedrock API key starts with ABSK (long-term) or bedrock-api-key- (short-term)",
        ))
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// https anywhere, http only to this computer (the simulator, a local proxy).
pub fn validate_endpoint(url: &str) -> Result<String, CairnError> {
    let url = url.trim();
    let bad = || {
        invalid(
            "EndpointInvalid",
            format!("'{url}' is not a usable endpoint: use https://host[:port], or http:// only for this computer (localhost, 127.0.0.1)"),
        )
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(':') && port.parse::<u16>().is_ok() => h,
        _ => authority,
    };
    if host.is_empty() || host.contains(char::is_whitespace) || authority.contains('@') {
        return Err(bad());
    }
    match scheme {
        "https" => Ok(url.trim_end_matches('/').to_owned()),
        "http" if is_loopback(host) => Ok(url.trim_end_matches('/').to_owned()),
        _ => Err(bad()),
    }
}

fn validate_endpoints(e: &EndpointOverrides) -> Result<EndpointOverrides, CairnError> {
    let one = |v: &Option<String>| -> Result<Option<String>, CairnError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(url) => validate_endpoint(url).map(Some),
            None => Ok(None),
        }
    };
    Ok(EndpointOverrides {
        bedrock: one(&e.bedrock)?,
        runtime: one(&e.runtime)?,
        sts: one(&e.sts)?,
        sso: one(&e.sso)?,
    })
}

/// "••••" and the last four characters.
fn hint(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("••••{tail}")
}

/// The secret of one connection, serialized as one keychain entry.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredSecret {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    api_key: Option<String>,
    #[serde(default)]
    sso_access_token: Option<String>,
    /// Seconds since the epoch.
    #[serde(default)]
    sso_token_expires_at: Option<u64>,
}

fn vault_error(e: VaultError) -> CairnError {
    match e {
        VaultError::Unavailable(m) => {
            CairnError::new(ErrorKind::KeychainUnavailable, m).with_code("KeychainUnavailable")
        }
        VaultError::Locked(m) => {
            CairnError::new(ErrorKind::KeychainLocked, m).with_code("KeychainLocked")
        }
        VaultError::Other(m) => CairnError::new(ErrorKind::KeychainUnavailable, m),
    }
}

type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub struct ConnectionService {
    store: Arc<Store>,
    keychain: Arc<dyn SecretStore>,
    session: MemoryStore,
    profiles: ProfileLocation,
    env: EnvLookup,
    /// Sign-ins in progress (flow ID → where, the device code, and the token once approved).
    flows: Mutex<HashMap<String, SsoFlow>>,
}

struct SsoFlow {
    site: SsoSite,
    start_url: String,
    authorization: DeviceAuthorization,
    token: Option<SsoToken>,
    accounts: Vec<SsoAccountRoles>,
}

fn account_for(id: &str) -> String {
    format!("connection:{id}")
}

impl ConnectionService {
    pub fn new(
        store: Arc<Store>,
        keychain: Arc<dyn SecretStore>,
        profiles: ProfileLocation,
        env: EnvLookup,
    ) -> Self {
        Self {
            store,
            keychain,
            session: MemoryStore::default(),
            profiles,
            env,
            flows: Mutex::new(HashMap::new()),
        }
    }

    fn secrets_for(&self, storage: SecretStorage) -> Option<&dyn SecretStore> {
        match storage {
            SecretStorage::Keychain => Some(self.keychain.as_ref()),
            SecretStorage::Session => Some(&self.session),
            SecretStorage::None => None,
        }
    }

    fn load_secret(&self, record: &ConnectionRecord) -> Result<Option<StoredSecret>, CairnError> {
        let storage = SecretStorage::from_db(&record.secret_storage);
        let Some(store) = self.secrets_for(storage) else {
            return Ok(None);
        };
        let Some(secret) = store.get(&account_for(&record.id)).map_err(vault_error)? else {
            return Ok(None);
        };
        serde_json::from_str(secret.expose())
            .map(Some)
            .map_err(|_| CairnError::new(ErrorKind::Internal, "a saved secret could not be read"))
    }

    fn info(&self, record: ConnectionRecord) -> ConnectionInfo {
        let storage = SecretStorage::from_db(&record.secret_storage);
        let secret_available = match storage {
            SecretStorage::None => true,
            SecretStorage::Session => self
                .session
                .get(&account_for(&record.id))
                .ok()
                .flatten()
                .is_some(),
            // Reading the keychain for every listing would prompt on some systems; a failure
            // shows up when the connection is used.
            SecretStorage::Keychain => true,
        };
        ConnectionInfo {
            kind: ConnectionKind::from_db(&record.kind),
            region_source: RegionSource::from_db(&record.region_source),
            secret_storage: storage,
            secret_available,
            endpoints: EndpointOverrides {
                bedrock: record.endpoint_bedrock,
                runtime: record.endpoint_runtime,
                sts: record.endpoint_sts,
                sso: record.endpoint_sso,
            },
            sso: record.sso.map(|s| SsoInfo {
                expired: rfc3339_to_system_time(&s.expires_at)
                    .is_none_or(|t| t <= SystemTime::now()),
                start_url: s.start_url,
                region: s.region,
                account_id: s.account_id,
                role_name: s.role_name,
                expires_at: s.expires_at,
            }),
            verification: record.verification.map(|v| Verification {
                account: v.account,
                arn: v.arn,
                user_id: v.user_id,
                verified_at: v.verified_at,
            }),
            id: record.id,
            name: record.name,
            region: record.region,
            profile: record.profile,
            key_hint: record.access_key_hint,
            has_session_token: record.has_session_token,
        }
    }

    pub fn list(&self) -> Result<Vec<ConnectionInfo>, CairnError> {
        Ok(self
            .store
            .connections()?
            .into_iter()
            .map(|r| self.info(r))
            .collect())
    }

    pub fn get(&self, id: &str) -> Result<ConnectionInfo, CairnError> {
        Ok(self.info(self.store.connection(id)?))
    }

    pub async fn profiles(&self) -> Result<Vec<ProfileInfo>, CairnError> {
        Ok(list_profiles(&self.profiles).await?)
    }

    /// The region a new connection starts with, and why.
    pub fn default_region(&self, profile_region: Option<&str>) -> (String, RegionSource) {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let Some(region) = (self.env)(name).filter(|r| !r.trim().is_empty()) {
                return (region.trim().to_owned(), RegionSource::Environment);
            }
        }
        if let Some(region) = profile_region {
            return (region.to_owned(), RegionSource::Profile);
        }
        ("us-east-1".to_owned(), RegionSource::Default)
    }

    /// Validates and saves a connection. The secret is written first; if that fails nothing
    /// is saved at all.
    pub async fn save(&self, input: ConnectionInput) -> Result<ConnectionInfo, CairnError> {
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(invalid(
                "NameInvalid",
                "a connection needs a name of 1 to 80 characters",
            ));
        }
        let existing = match &input.id {
            Some(id) => Some(self.store.connection(id)?),
            None => None,
        };
        let id = existing.as_ref().map_or_else(uuid_v4, |e| e.id.clone());
        let endpoints = validate_endpoints(&input.endpoints)?;

        let profile = match input.kind {
            ConnectionKind::Profile => {
                let wanted = input
                    .profile
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| invalid("ProfileNotFound", "choose a profile"))?;
                let found = self
                    .profiles()
                    .await?
                    .into_iter()
                    .find(|p| p.name == wanted)
                    .ok_or_else(|| {
                        invalid(
                            "ProfileNotFound",
                            format!("there is no profile named '{wanted}' in the AWS config or credentials file"),
                        )
                    })?;
                Some(found)
            }
            _ => None,
        };

        let (region, region_source) = match input
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(region) if looks_like_region(region) => (region.to_owned(), RegionSource::Chosen),
            Some(region) => {
                return Err(invalid(
                    "RegionInvalid",
                    format!("'{region}' is not an AWS region code"),
                ))
            }
            None => self.default_region(profile.as_ref().and_then(|p| p.region.as_deref())),
        };

        let previous_secret = match &existing {
            Some(record) => self.load_secret(record)?,
            None => None,
        };
        let mut endpoints = endpoints;
        let (secret, sso_record) = if input.kind == ConnectionKind::Sso {
            let (secret, record, site_endpoint) =
                self.sso_choice(&input, existing.as_ref(), previous_secret)?;
            endpoints.sso = site_endpoint;
            (Some(secret), Some(record))
        } else {
            (self.secret_from(&input, previous_secret)?, None)
        };
        let (key_hint, has_session_token) = match &secret {
            Some(s) => (
                s.access_key_id
                    .as_deref()
                    .or(s.api_key.as_deref())
                    .map(hint),
                s.session_token.is_some(),
            ),
            None => (None, false),
        };
        let storage = match (&secret, input.session_only) {
            (None, _) => SecretStorage::None,
            (Some(_), true) => SecretStorage::Session,
            (Some(_), false) => SecretStorage::Keychain,
        };

        if let Some(secret) = &secret {
            let text = serde_json::to_string(secret)
                .map_err(|e| CairnError::new(ErrorKind::Internal, e.to_string()))?;
            if let Some(store) = self.secrets_for(storage) {
                store
                    .put(&account_for(&id), &Secret::new(text))
                    .map_err(vault_error)?;
            }
        }
        // A secret that moved (keychain ↔ session) or is no longer needed leaves its old place.
        if let Some(old) = &existing {
            let old_storage = SecretStorage::from_db(&old.secret_storage);
            if old_storage != storage {
                if let Some(store) = self.secrets_for(old_storage) {
                    store.delete(&account_for(&id)).map_err(vault_error)?;
                }
            }
        }

        let keep_verification = existing.as_ref().and_then(|e| {
            (e.kind == input.kind.as_db() && e.region == region && secret_unchanged(&input))
                .then(|| e.verification.clone())
                .flatten()
        });
        let record = ConnectionRecord {
            id: id.clone(),
            name: name.to_owned(),
            kind: input.kind.as_db().to_owned(),
            region,
            region_source: region_source.as_db().to_owned(),
            profile: profile.map(|p| p.name),
            access_key_hint: key_hint,
            has_session_token,
            secret_storage: storage.as_db().to_owned(),
            endpoint_bedrock: endpoints.bedrock,
            endpoint_runtime: endpoints.runtime,
            endpoint_sts: endpoints.sts,
            endpoint_sso: endpoints.sso,
            verification: keep_verification,
            sso: sso_record,
            created_at: existing.map(|e| e.created_at).unwrap_or_default(),
        };
        if let Err(e) = self.store.put_connection(&record) {
            // Nothing half-saved: take the secret back out.
            if let Some(store) = self.secrets_for(storage) {
                let _ = store.delete(&account_for(&id));
            }
            return Err(e.into());
        }
        if let Some(flow_id) = &input.sso_flow_id {
            if let Ok(mut flows) = self.flows.lock() {
                flows.remove(flow_id);
            }
        }
        tracing::info!(connection = %id, kind = ?input.kind, "connection saved");
        self.get(&id)
    }

    fn secret_from(
        &self,
        input: &ConnectionInput,
        previous: Option<StoredSecret>,
    ) -> Result<Option<StoredSecret>, CairnError> {
        match input.kind {
            ConnectionKind::AccessKeys => {
                let key_id = non_empty(input.access_key_id.as_deref())
                    .or_else(|| previous.as_ref().and_then(|p| p.access_key_id.clone()))
                    .ok_or_else(|| invalid("AccessKeyIdInvalid", "enter the access key ID"))?;
                validate_access_key_id(&key_id)?;
                let typed_secret = non_empty_secret(input.secret_access_key.as_ref());
                let secret = typed_secret
                    .clone()
                    .or_else(|| previous.as_ref().and_then(|p| p.secret_access_key.clone()))
                    .ok_or_else(|| invalid("SecretKeyInvalid", "enter the secret access key"))?;
                validate_secret_access_key(&secret)?;
                // A new secret without a token means no token; an untouched form keeps the old one.
                let token = non_empty_secret(input.session_token.as_ref()).or_else(|| {
                    typed_secret
                        .is_none()
                        .then(|| previous.as_ref().and_then(|p| p.session_token.clone()))
                        .flatten()
                });
                match (key_id.starts_with("ASIA"), token.is_some()) {
                    (false, true) => {
                        return Err(invalid(
                            "SessionTokenNeedsTemporaryKey",
                            "a session token belongs to temporary keys, whose ID starts with ASIA",
                        ))
                    }
                    (true, false) => {
                        return Err(invalid(
                            "TemporaryKeyNeedsSessionToken",
                            "temporary keys (ASIA…) only work with their session token",
                        ))
                    }
                    _ => {}
                }
                Ok(Some(StoredSecret {
                    access_key_id: Some(key_id),
                    secret_access_key: Some(secret),
                    session_token: token,
                    api_key: None,
                    sso_access_token: None,
                    sso_token_expires_at: None,
                }))
            }
            ConnectionKind::ApiKey => {
                let key = non_empty_secret(input.api_key.as_ref())
                    .or_else(|| previous.as_ref().and_then(|p| p.api_key.clone()))
                    .ok_or_else(|| invalid("ApiKeyInvalid", "enter the Bedrock API key"))?;
                validate_api_key(&key)?;
                Ok(Some(StoredSecret {
                    access_key_id: None,
                    secret_access_key: None,
                    session_token: None,
                    api_key: Some(key),
                    sso_access_token: None,
                    sso_token_expires_at: None,
                }))
            }
            ConnectionKind::Profile | ConnectionKind::DefaultChain | ConnectionKind::Sso => {
                Ok(None)
            }
        }
    }

    /// The token and role of an IAM Identity Center connection: from a just-finished sign-in,
    /// or, when editing without signing in again, the saved ones.
    fn sso_choice(
        &self,
        input: &ConnectionInput,
        existing: Option<&ConnectionRecord>,
        previous: Option<StoredSecret>,
    ) -> Result<(StoredSecret, SsoRecord, Option<String>), CairnError> {
        let account_id = input
            .sso_account_id
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        let role_name = input
            .sso_role_name
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if let Some(flow_id) = &input.sso_flow_id {
            // The sign-in stays usable until the connection is saved: a refused role or a
            // keychain error can be answered without signing in again.
            let (token, accounts, site, start_url) = {
                let flows = self
                    .flows
                    .lock()
                    .map_err(|_| CairnError::new(ErrorKind::Internal, "sign-in state poisoned"))?;
                let flow = flows.get(flow_id).ok_or_else(|| {
                    invalid("SsoSignInRequired", "this sign-in is over; sign in again")
                })?;
                (
                    flow.token.clone(),
                    flow.accounts.clone(),
                    flow.site.clone(),
                    flow.start_url.clone(),
                )
            };
            let Some(token) = token else {
                return Err(invalid(
                    "SsoSignInRequired",
                    "the sign-in has not been approved in the browser yet",
                ));
            };
            let offered = accounts
                .iter()
                .any(|a| a.account_id == account_id && a.roles.iter().any(|r| r == role_name));
            if !offered {
                return Err(invalid(
                    "SsoRoleInvalid",
                    "choose one of the accounts and roles this sign-in offers",
                ));
            }
            let expires = epoch_seconds(token.expires_at);
            return Ok((
                StoredSecret {
                    access_key_id: None,
                    secret_access_key: None,
                    session_token: None,
                    api_key: None,
                    sso_access_token: Some(token.access_token),
                    sso_token_expires_at: Some(expires),
                },
                SsoRecord {
                    start_url,
                    region: site.region,
                    account_id: account_id.to_owned(),
                    role_name: role_name.to_owned(),
                    expires_at: rfc3339(token.expires_at),
                },
                site.endpoint,
            ));
        }
        let (Some(record), Some(secret)) = (existing.and_then(|e| e.sso.clone()), previous) else {
            return Err(invalid(
                "SsoSignInRequired",
                "sign in to IAM Identity Center first",
            ));
        };
        if secret.sso_access_token.is_none() {
            return Err(invalid(
                "SsoSignInRequired",
                "sign in to IAM Identity Center first",
            ));
        }
        let record = SsoRecord {
            account_id: if account_id.is_empty() {
                record.account_id
            } else {
                account_id.to_owned()
            },
            role_name: if role_name.is_empty() {
                record.role_name
            } else {
                role_name.to_owned()
            },
            ..record
        };
        Ok((
            secret,
            record,
            existing.and_then(|e| e.endpoint_sso.clone()),
        ))
    }

    /// Starts an IAM Identity Center sign-in; the user approves it in the browser.
    pub async fn sso_start(
        &self,
        start_url: &str,
        sso_region: &str,
        endpoint: Option<&str>,
    ) -> Result<SsoSignIn, CairnError> {
        let start_url = validate_endpoint(start_url).map_err(|_| {
            invalid(
                "SsoStartUrlInvalid",
                "the start URL looks like https://your-name.awsapps.com/start",
            )
        })?;
        let region = sso_region.trim();
        if !looks_like_region(region) {
            return Err(invalid(
                "RegionInvalid",
                format!("'{region}' is not an AWS region code"),
            ));
        }
        let endpoint = match endpoint.map(str::trim).filter(|e| !e.is_empty()) {
            Some(url) => Some(validate_endpoint(url)?),
            None => None,
        };
        let site = SsoSite {
            region: region.to_owned(),
            endpoint,
        };
        let authorization = sso::start_device_authorization(&site, &start_url).await?;
        let flow_id = uuid_v4();
        let sign_in = SsoSignIn {
            flow_id: flow_id.clone(),
            user_code: authorization.user_code.clone(),
            verification_uri: authorization.verification_uri_complete.clone(),
            expires_at: rfc3339(authorization.expires_at),
            interval_seconds: u32::try_from(authorization.interval.as_secs()).unwrap_or(1),
        };
        self.flows
            .lock()
            .map_err(|_| CairnError::new(ErrorKind::Internal, "sign-in state poisoned"))?
            .insert(
                flow_id,
                SsoFlow {
                    site,
                    start_url,
                    authorization,
                    token: None,
                    accounts: Vec::new(),
                },
            );
        tracing::info!("IAM Identity Center sign-in started");
        Ok(sign_in)
    }

    /// Asks once whether the user has approved the sign-in; once approved, lists the accounts
    /// and roles. A denied or expired sign-in is an error with its own code.
    pub async fn sso_poll(&self, flow_id: &str) -> Result<SsoPoll, CairnError> {
        let (site, authorization) = {
            let flows = self
                .flows
                .lock()
                .map_err(|_| CairnError::new(ErrorKind::Internal, "sign-in state poisoned"))?;
            let flow = flows.get(flow_id).ok_or_else(|| {
                invalid("SsoSignInRequired", "this sign-in is over; sign in again")
            })?;
            if flow.token.is_some() {
                return Ok(SsoPoll {
                    approved: true,
                    accounts: flow.accounts.clone(),
                });
            }
            (flow.site.clone(), flow.authorization.clone())
        };
        let forget = |e: CairnError| {
            if let Ok(mut flows) = self.flows.lock() {
                flows.remove(flow_id);
            }
            e
        };
        if SystemTime::now() > authorization.expires_at {
            return Err(forget(
                CairnError::new(
                    ErrorKind::Credentials,
                    "the sign-in code expired before it was approved",
                )
                .with_code("SsoExpired"),
            ));
        }
        let Some(token) = sso::poll_token(&site, &authorization)
            .await
            .map_err(|e| forget(e.into()))?
        else {
            return Ok(SsoPoll {
                approved: false,
                accounts: Vec::new(),
            });
        };
        let accounts = sso::accounts_and_roles(&site, &token)
            .await
            .map_err(|e| forget(e.into()))?;
        if let Ok(mut flows) = self.flows.lock() {
            if let Some(flow) = flows.get_mut(flow_id) {
                flow.token = Some(token);
                flow.accounts = accounts.clone();
            }
        }
        tracing::info!("IAM Identity Center sign-in approved");
        Ok(SsoPoll {
            approved: true,
            accounts,
        })
    }

    /// Deletes a connection and its keychain entry; the demo becomes active if it was.
    pub fn delete(&self, id: &str) -> Result<(), CairnError> {
        let record = self.store.connection(id)?;
        if let Some(store) = self.secrets_for(SecretStorage::from_db(&record.secret_storage)) {
            store.delete(&account_for(id)).map_err(vault_error)?;
        }
        self.store.delete_connection(id)?;
        if self.active_id()? == id {
            self.store.set_setting(ACTIVE_KEY, DEMO_ID)?;
        }
        tracing::info!(connection = %id, "connection deleted");
        Ok(())
    }

    /// The active connection's ID, or [`DEMO_ID`].
    pub fn active_id(&self) -> Result<String, CairnError> {
        Ok(self
            .store
            .setting(ACTIVE_KEY)?
            .unwrap_or_else(|| DEMO_ID.to_owned()))
    }

    pub fn set_active(&self, id: &str) -> Result<(), CairnError> {
        if id != DEMO_ID {
            self.store.connection(id)?;
        }
        self.store.set_setting(ACTIVE_KEY, id)?;
        Ok(())
    }

    /// What the SDK needs to call AWS as this connection.
    pub fn target(&self, id: &str) -> Result<Target, CairnError> {
        let record = self.store.connection(id)?;
        let secret = self.load_secret(&record)?;
        let kind = ConnectionKind::from_db(&record.kind);
        let missing = || {
            CairnError::new(
                ErrorKind::Credentials,
                "the secret of this connection is no longer saved (it was kept for one session only); edit the connection and enter it again",
            )
            .with_code("SecretMissing")
        };
        let credentials = match kind {
            ConnectionKind::AccessKeys => {
                let s = secret.ok_or_else(missing)?;
                CredentialSource::Static {
                    access_key_id: s.access_key_id.ok_or_else(missing)?,
                    secret_access_key: s.secret_access_key.ok_or_else(missing)?,
                    session_token: s.session_token,
                }
            }
            ConnectionKind::ApiKey => {
                CredentialSource::ApiKey(secret.and_then(|s| s.api_key).ok_or_else(missing)?)
            }
            ConnectionKind::Profile => {
                CredentialSource::Profile(record.profile.clone().unwrap_or_default())
            }
            ConnectionKind::DefaultChain => CredentialSource::DefaultChain,
            ConnectionKind::Sso => {
                let s = secret.ok_or_else(missing)?;
                let sso = record.sso.clone().ok_or_else(missing)?;
                let expires_at =
                    UNIX_EPOCH + Duration::from_secs(s.sso_token_expires_at.unwrap_or(0));
                // Noticed here, before any request leaves, so the UI can offer to sign in again.
                if expires_at <= SystemTime::now() {
                    return Err(
                        CairnError::new(ErrorKind::Credentials, sso::SSO_SESSION_EXPIRED)
                            .with_code("SsoSessionExpired"),
                    );
                }
                CredentialSource::Sso {
                    site: SsoSite {
                        region: sso.region,
                        endpoint: record.endpoint_sso.clone(),
                    },
                    token: SsoToken {
                        access_token: s.sso_access_token.ok_or_else(missing)?,
                        expires_at,
                    },
                    account_id: sso.account_id,
                    role_name: sso.role_name,
                }
            }
        };
        Ok(Target {
            region: record.region,
            endpoints: Endpoints {
                bedrock: record.endpoint_bedrock,
                runtime: record.endpoint_runtime,
                sts: record.endpoint_sts,
            },
            credentials,
            profiles: self.profiles.clone(),
        })
    }

    /// Proves the connection works: STS GetCallerIdentity (or, for an API key, a free
    /// CountTokens call). The result and time are saved with the connection.
    pub async fn verify(&self, id: &str) -> Result<ConnectionInfo, CairnError> {
        let target = self.target(id)?;
        let clients = BedrockClients::connect(&target).await;
        let at = now_rfc3339();
        let verification = if clients.runtime_only {
            identity::probe_model(&clients, API_KEY_CHECK_MODEL).await?;
            VerificationRecord {
                account: String::new(),
                arn: String::new(),
                user_id: String::new(),
                verified_at: at,
            }
        } else {
            let who = identity::caller_identity(&clients).await?;
            VerificationRecord {
                account: who.account,
                arn: who.arn,
                user_id: who.user_id,
                verified_at: at,
            }
        };
        self.store.set_verification(id, Some(&verification))?;
        tracing::info!(connection = %id, "connection verified");
        self.get(id)
    }
}

/// Editing without typing any secret keeps the saved one (and its verification).
fn secret_unchanged(input: &ConnectionInput) -> bool {
    non_empty(input.access_key_id.as_deref()).is_none()
        && [
            &input.secret_access_key,
            &input.session_token,
            &input.api_key,
        ]
        .iter()
        .all(|v| non_empty_secret(v.as_ref()).is_none())
}

fn epoch_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn rfc3339_to_system_time(text: &str) -> Option<SystemTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(SystemTime::from)
}

fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_keys_lose_their_whitespace() {
        assert_eq!(clean_key(" AKIA ABCD\n1234\t"), "AKIAABCD1234");
    }

    #[test]
    fn access_key_ids() {
        assert!(validate_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(validate_access_key_id("ASIAIOSFODNN7EXAMPLE").is_ok());
        for bad in [
            "",
            "AKIA",
            "akiaiosfodnn7example",
            "XKIAIOSFODNN7EXAMPLE",
            "AKIA-OSFODNN7EXAMPLE",
        ] {
            let err = validate_access_key_id(bad).expect_err(bad);
            assert_eq!(err.code.as_deref(), Some("AccessKeyIdInvalid"));
        }
    }

    #[test]
    fn secrets_have_forty_characters() {
        assert!(validate_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_ok());
        let err = validate_secret_access_key("short").expect_err("short");
        assert_eq!(err.code.as_deref(), Some("SecretKeyInvalid"));
        assert!(err.message.contains("has 5"));
        assert!(validate_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE!").is_err());
    }

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        assert_eq!(
            validate_endpoint("https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/")
                .expect("https"),
            "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com"
        );
        assert!(validate_endpoint("http://127.0.0.1:4599").is_ok());
        assert!(validate_endpoint("http://localhost:8080/x").is_ok());
        assert!(validate_endpoint("http://[::1]:9000").is_ok());
        for bad in [
            "http://example.com",
            "ftp://127.0.0.1",
            "127.0.0.1:80",
            "https://",
            "https://u@host",
            "http://10.0.0.1",
        ] {
            assert_eq!(
                validate_endpoint(bad).expect_err(bad).code.as_deref(),
                Some("EndpointInvalid"),
                "{bad}"
            );
        }
    }

    #[test]
    fn api_keys() {
        assert!(validate_api_key("ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl").is_ok());
        assert!(validate_api_key("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t").is_ok());
        assert!(validate_api_key("sk-ant-123").is_err());
    }

    #[test]
    fn input_debug_never_shows_secrets() {
        let input = ConnectionInput {
            id: None,
            name: "n".into(),
            kind: ConnectionKind::AccessKeys,
            region: None,
            profile: None,
            access_key_id: Some("AKIACANARYCANARY0001".into()),
            secret_access_key: Some(Secret::new("canary-secret".into())),
            session_token: Some(Secret::new("canary-token".into())),
            api_key: Some(Secret::new("canary-api".into())),
            endpoints: EndpointOverrides::default(),
            session_only: false,
            sso_flow_id: None,
            sso_account_id: None,
            sso_role_name: None,
        };
        let shown = format!("{input:?}");
        assert!(!shown.contains("canary"), "{shown}");
    }
}
