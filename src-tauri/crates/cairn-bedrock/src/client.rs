//! Building the three SDK clients Cairn uses from one target description.

use std::path::PathBuf;

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};

/// Where Cairn's credentials come from. Secret strings here come straight from the vault and
/// go straight into the SDK; `Debug` never prints them.
#[derive(Clone)]
pub enum CredentialSource {
    /// Static keys (the offline demo, or keys from the keychain).
    Static {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    },
    /// A named profile of the shared config/credentials files (static, SSO, credential_process,
    /// assume-role), resolved by `aws-config`.
    Profile(String),
    /// A Bedrock API key: bearer auth, bedrock-runtime only.
    ApiKey(String),
    /// `aws-config`'s default chain: environment, profiles, SSO, `credential_process`, IMDS.
    DefaultChain,
    /// IAM Identity Center, signed in inside the app: role credentials from the SSO portal.
    Sso {
        site: crate::sso::SsoSite,
        token: crate::sso::SsoToken,
        account_id: String,
        role_name: String,
    },
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::Static { .. } => f.write_str("Static(<redacted>)"),
            CredentialSource::Profile(name) => write!(f, "Profile({name})"),
            CredentialSource::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            CredentialSource::DefaultChain => f.write_str("DefaultChain"),
            CredentialSource::Sso {
                account_id,
                role_name,
                ..
            } => write!(f, "Sso({account_id}/{role_name})"),
        }
    }
}

/// Custom endpoints (VPC endpoints, a proxy, the simulator). `None` uses the AWS default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub bedrock: Option<String>,
    pub runtime: Option<String>,
    pub sts: Option<String>,
}

impl Endpoints {
    /// One URL for all three services (the simulator answers them all).
    pub fn all(url: &str) -> Self {
        Self {
            bedrock: Some(url.to_owned()),
            runtime: Some(url.to_owned()),
            sts: Some(url.to_owned()),
        }
    }
}

/// Where the shared AWS config and credentials files are (tests point these at temp files).
#[derive(Debug, Clone, Default)]
pub struct ProfileLocation {
    pub config_file: Option<PathBuf>,
    pub credentials_file: Option<PathBuf>,
}

impl ProfileLocation {
    pub(crate) fn profile_files(&self) -> Option<ProfileFiles> {
        if self.config_file.is_none() && self.credentials_file.is_none() {
            return None;
        }
        let mut builder = ProfileFiles::builder();
        if let Some(path) = &self.config_file {
            builder = builder.with_file(ProfileFileKind::Config, path);
        }
        if let Some(path) = &self.credentials_file {
            builder = builder.with_file(ProfileFileKind::Credentials, path);
        }
        Some(builder.build())
    }
}

/// One AWS account and region, optionally at custom endpoints.
#[derive(Debug, Clone)]
pub struct Target {
    pub region: String,
    pub endpoints: Endpoints,
    pub credentials: CredentialSource,
    pub profiles: ProfileLocation,
}

/// The SDK clients for one target.
#[derive(Clone, Debug)]
pub struct BedrockClients {
    pub runtime: aws_sdk_bedrockruntime::Client,
    pub control: aws_sdk_bedrock::Client,
    pub sts: aws_sdk_sts::Client,
    pub region: String,
    /// Bearer-key connections can call bedrock-runtime only.
    pub runtime_only: bool,
}

impl BedrockClients {
    pub async fn connect(target: &Target) -> Self {
        let region = Region::new(target.region.clone());
        let base = match &target.credentials {
            CredentialSource::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => aws_config::SdkConfig::builder()
                .region(region)
                .behavior_version(BehaviorVersion::latest())
                .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                    access_key_id,
                    secret_access_key,
                    session_token.clone(),
                    None,
                    "cairn",
                )))
                .build(),
            CredentialSource::ApiKey(_) => aws_config::SdkConfig::builder()
                .region(region)
                .behavior_version(BehaviorVersion::latest())
                .build(),
            CredentialSource::Profile(name) => {
                let mut loader = aws_config::defaults(BehaviorVersion::latest())
                    .region(region)
                    .profile_name(name);
                if let Some(files) = target.profiles.profile_files() {
                    loader = loader.profile_files(files);
                }
                loader.load().await
            }
            CredentialSource::DefaultChain => {
                aws_config::defaults(BehaviorVersion::latest())
                    .region(region)
                    .load()
                    .await
            }
            CredentialSource::Sso {
                site,
                token,
                account_id,
                role_name,
            } => aws_config::SdkConfig::builder()
                .region(region)
                .behavior_version(BehaviorVersion::latest())
                .credentials_provider(SharedCredentialsProvider::new(
                    crate::sso::SsoRoleCredentials::new(
                        site.clone(),
                        token.clone(),
                        account_id.clone(),
                        role_name.clone(),
                    ),
                ))
                .build(),
        };

        // Chat retries throttled requests itself, with a visible countdown (cairn-core::chat).
        let mut runtime = aws_sdk_bedrockruntime::config::Builder::from(&base)
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1));
        if let Some(url) = &target.endpoints.runtime {
            runtime = runtime.endpoint_url(url);
        }
        if let CredentialSource::ApiKey(key) = &target.credentials {
            runtime = runtime.bearer_token(aws_sdk_bedrockruntime::config::Token::new(key, None));
        }
        let mut control = aws_sdk_bedrock::config::Builder::from(&base);
        if let Some(url) = &target.endpoints.bedrock {
            control = control.endpoint_url(url);
        }
        let mut sts = aws_sdk_sts::config::Builder::from(&base);
        if let Some(url) = &target.endpoints.sts {
            sts = sts.endpoint_url(url);
        }
        Self {
            runtime: aws_sdk_bedrockruntime::Client::from_conf(runtime.build()),
            control: aws_sdk_bedrock::Client::from_conf(control.build()),
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            region: target.region.clone(),
            runtime_only: matches!(target.credentials, CredentialSource::ApiKey(_)),
        }
    }
}
