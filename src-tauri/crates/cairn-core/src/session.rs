//! How Cairn talks to Bedrock: the offline demo (an in-process simulator) or a saved connection.

use std::path::Path;

use cairn_bedrock::{
    BedrockClients, CredentialSource, Endpoints, ErrorKind, ProfileLocation, Target,
};
use cairn_sim::{SimConfig, Simulator};
use serde::{Deserialize, Serialize};

use crate::connections::{ConnectionService, DEMO_ID};
use crate::CairnError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AppMode {
    /// Simulated answers from the in-process simulator: no AWS, no cost.
    Demo,
    /// A real AWS account through a saved connection.
    Aws,
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

/// The offline demo: a simulator on a free loopback port and clients pointed at it.
pub struct Demo {
    pub simulator: Simulator,
    pub clients: BedrockClients,
}

pub async fn start_demo(config: SimConfig) -> Result<Demo, CairnError> {
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
        region,
        endpoints: Endpoints::all(&simulator.url()),
        credentials: CredentialSource::Static {
            access_key_id: credential.access_key_id,
            secret_access_key: credential.secret_access_key,
            session_token: credential.session_token,
        },
        profiles: ProfileLocation::default(),
    })
    .await;
    Ok(Demo { simulator, clients })
}

/// The clients for a connection: the demo's, or freshly built from the saved connection.
pub async fn clients_for(
    connections: &ConnectionService,
    demo: Option<&Demo>,
    id: &str,
) -> Result<BedrockClients, CairnError> {
    if id == DEMO_ID {
        return demo.map(|d| d.clients.clone()).ok_or_else(|| {
            CairnError::new(ErrorKind::Simulator, "the demo simulator is not running")
        });
    }
    let target = connections.target(id)?;
    Ok(BedrockClients::connect(&target).await)
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
}
