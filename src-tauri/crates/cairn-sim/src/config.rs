//! The simulator's configuration: who may call it, how fast it answers, which faults it injects.

use serde::Deserialize;

/// The key pair every simulator accepts unless a configuration says otherwise.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIACAIRNSIMULATOR01";
/// Secret of [`DEFAULT_ACCESS_KEY_ID`]. Not a real AWS secret: it only opens this simulator.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "cairn/simulator/secret/key/0123456789abc";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimConfig {
    pub account: String,
    pub region: String,
    pub credentials: Vec<SimCredential>,
    pub api_keys: Vec<String>,
    /// Streaming rate of answers; 0 streams as fast as the connection takes it.
    pub tokens_per_second: u32,
    /// Length of an answer, in tokens (whitespace-separated words), unless a directive says otherwise.
    pub answer_tokens: u32,
    /// Delay before the first token of every answer.
    pub first_token_ms: u64,
    /// Page size of ListInferenceProfiles when the client sends no `maxResults`.
    pub profiles_page_size: usize,
    pub faults: Faults,
    /// IAM Identity Center: accounts, roles and lifetimes for the device-authorization flow.
    pub sso: crate::sso::SsoConfig,
    /// Synthetic models added to the catalog (benchmarks of large catalogs).
    pub synthetic_models: u32,
    /// Inference profiles spread over the synthetic models.
    pub synthetic_profiles: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimCredential {
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default)]
    pub session_token: Option<String>,
    #[serde(default = "default_user_name")]
    pub user_name: String,
    #[serde(default)]
    pub expired: bool,
    /// Operations this key may call (e.g. `["ConverseStream", "GetCallerIdentity"]`); `None`
    /// allows everything. Others answer 403 AccessDeniedException, as an IAM policy would.
    #[serde(default)]
    pub allow: Option<Vec<String>>,
}

fn default_user_name() -> String {
    "analyst".to_owned()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Base model IDs or inference-profile IDs that answer 403 AccessDeniedException.
    pub access_denied_models: Vec<String>,
    /// Every runtime call answers 429 ThrottlingException.
    pub throttle_all: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            credentials: vec![SimCredential {
                access_key_id: DEFAULT_ACCESS_KEY_ID.to_owned(),
                secret_access_key: DEFAULT_SECRET_ACCESS_KEY.to_owned(),
                session_token: None,
                user_name: default_user_name(),
                expired: false,
                allow: None,
            }],
            api_keys: Vec::new(),
            tokens_per_second: 0,
            answer_tokens: 120,
            first_token_ms: 0,
            profiles_page_size: 10,
            faults: Faults::default(),
            sso: crate::sso::SsoConfig::default(),
            synthetic_models: 0,
            synthetic_profiles: 0,
        }
    }
}

impl SimConfig {
    /// Parses a JSON configuration; absent fields keep their defaults.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
