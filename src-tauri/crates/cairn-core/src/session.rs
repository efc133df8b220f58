//! Choosing how Cairn talks to Bedrock at start-up: a real AWS account when one is configured,
//! otherwise the offline demo backed by an in-process simulator.

use std::path::Path;

use cairn_bedrock::{BedrockClients, CredentialSource, ErrorKind, Target};
use cairn_sim::{SimConfig, Simulator};
use serde::{Deserialize, Serialize};

use crate::CairnError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AppMode {
    /// Simulated answers from the in-process simulator: no AWS, no cost.
    Demo,
    /// A real AWS account through the default credential chain.
    Aws,
}

/// Where the region came from, so the UI can say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum RegionSource {
    Environment,
    Default,
}

/// True when the environment holds anything the AWS default chain could use.
pub fn aws_configured(env: impl Fn(&str) -> Option<String>, home: Option<&Path>) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.trim().is_empty());
    if set("AWS_ACCESS_KEY_ID")
        || set("AWS_PROFILE")
        || set("AWS_BEARER_TOKEN_BEDROCK")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || set("AWS_WEB_IDENTITY_TOKEN_FILE")
    {
        return true;
    }
    let file_exists = |var: &str, default: &str| {
        env(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.map(|h| h.join(default)))
            .is_some_and(|p| p.is_file())
    };
    file_exists("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
        || file_exists("AWS_CONFIG_FILE", ".aws/config")
}

/// `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`.
pub fn region_from_env(env: impl Fn(&str) -> Option<String>) -> (String, RegionSource) {
    for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = env(name).filter(|r| !r.trim().is_empty()) {
            return (region.trim().to_owned(), RegionSource::Environment);
        }
    }
    ("us-east-1".to_owned(), RegionSource::Default)
}

/// A running session: the clients to use, and the simulator when in demo.
pub struct Session {
    pub mode: AppMode,
    pub clients: BedrockClients,
    pub region: String,
    pub simulator: Option<Simulator>,
}

/// The demo's simulator answers at a readable pace unless a configuration says otherwise.
pub fn demo_config(config_json: Option<&str>) -> Result<SimConfig, CairnError> {
    match config_json {
        Some(text) => SimConfig::from_json(text).map_err(|e| {
            CairnError::new(
                ErrorKind::Simulator,
                format!("the demo configuration is invalid: {e}"),
            )
        }),
        None => Ok(SimConfig {
            tokens_per_second: 40,
            answer_tokens: 160,
            ..SimConfig::default()
        }),
    }
}

/// Starts the offline demo: a simulator on a free loopback port and clients pointed at it.
pub async fn start_demo(config: SimConfig) -> Result<Session, CairnError> {
    let region = config.region.clone();
    let credential = config.credentials.first().cloned().ok_or_else(|| {
        CairnError::new(
            ErrorKind::Simulator,
            "the demo configuration has no credentials",
        )
    })?;
    let simulator = Simulator::start_local(config).await.map_err(|e| {
        CairnError::new(
            ErrorKind::Simulator,
            format!("the demo simulator could not start: {e}"),
        )
    })?;
    let clients = BedrockClients::connect(&Target {
        region: region.clone(),
        endpoint_url: Some(simulator.url()),
        credentials: CredentialSource::Static {
            access_key_id: credential.access_key_id,
            secret_access_key: credential.secret_access_key,
            session_token: credential.session_token,
        },
    })
    .await;
    Ok(Session {
        mode: AppMode::Demo,
        clients,
        region,
        simulator: Some(simulator),
    })
}

/// Connects to the real AWS account found by the default chain.
pub async fn start_aws(region: String) -> Session {
    let clients = BedrockClients::connect(&Target {
        region: region.clone(),
        endpoint_url: None,
        credentials: CredentialSource::DefaultChain,
    })
    .await;
    Session {
        mode: AppMode::Aws,
        clients,
        region,
        simulator: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn nothing_configured_means_demo() {
        let home = tempfile::tempdir().expect("home");
        assert!(!aws_configured(env(&[]), Some(home.path())));
        assert!(!aws_configured(
            env(&[("AWS_PROFILE", " ")]),
            Some(home.path())
        ));
    }

    #[test]
    fn keys_profiles_or_files_mean_aws() {
        let home = tempfile::tempdir().expect("home");
        assert!(aws_configured(
            env(&[("AWS_ACCESS_KEY_ID", "AKID")]),
            Some(home.path())
        ));
        assert!(aws_configured(
            env(&[("AWS_PROFILE", "work")]),
            Some(home.path())
        ));
        std::fs::create_dir_all(home.path().join(".aws")).expect("dir");
        std::fs::write(
            home.path().join(".aws/config"),
            "[default]\nregion=eu-west-1\n",
        )
        .expect("write");
        assert!(aws_configured(env(&[]), Some(home.path())));
    }

    #[test]
    fn region_prefers_the_environment() {
        assert_eq!(
            region_from_env(env(&[("AWS_REGION", "eu-central-1")])),
            ("eu-central-1".to_owned(), RegionSource::Environment)
        );
        assert_eq!(
            region_from_env(env(&[])),
            ("us-east-1".to_owned(), RegionSource::Default)
        );
    }
}
