//! Building the three SDK clients Cairn uses from one target description.

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

/// Where Cairn's credentials come from.
#[derive(Clone)]
pub enum CredentialSource {
    /// Static keys (the offline demo, or keys from the keychain).
    Static {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    },
    /// `aws-config`'s default chain: environment, profiles, SSO, `credential_process`, IMDS.
    DefaultChain,
}

impl std::fmt::Debug for CredentialSource {
    // Never print secrets, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::Static { access_key_id, .. } => {
                let tail: String = access_key_id
                    .chars()
                    .rev()
                    .take(4)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                write!(f, "Static(••••{tail})")
            }
            CredentialSource::DefaultChain => write!(f, "DefaultChain"),
        }
    }
}

/// One AWS account and region, optionally at a custom endpoint (the simulator, a VPC endpoint).
#[derive(Debug, Clone)]
pub struct Target {
    pub region: String,
    pub endpoint_url: Option<String>,
    pub credentials: CredentialSource,
}

/// The SDK clients for one target.
#[derive(Clone, Debug)]
pub struct BedrockClients {
    pub runtime: aws_sdk_bedrockruntime::Client,
    pub control: aws_sdk_bedrock::Client,
    pub sts: aws_sdk_sts::Client,
    pub region: String,
}

impl BedrockClients {
    pub async fn connect(target: &Target) -> Self {
        let region = Region::new(target.region.clone());
        let config = match &target.credentials {
            CredentialSource::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => {
                let mut builder = aws_config::SdkConfig::builder()
                    .region(region)
                    .behavior_version(BehaviorVersion::latest())
                    .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                        access_key_id,
                        secret_access_key,
                        session_token.clone(),
                        None,
                        "cairn",
                    )));
                if let Some(url) = &target.endpoint_url {
                    builder = builder.endpoint_url(url);
                }
                builder.build()
            }
            CredentialSource::DefaultChain => {
                let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region);
                if let Some(url) = &target.endpoint_url {
                    loader = loader.endpoint_url(url);
                }
                loader.load().await
            }
        };
        Self::from_config(&config, target.region.clone())
    }

    pub fn from_config(config: &aws_config::SdkConfig, region: String) -> Self {
        Self {
            runtime: aws_sdk_bedrockruntime::Client::new(config),
            control: aws_sdk_bedrock::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            region,
        }
    }
}
