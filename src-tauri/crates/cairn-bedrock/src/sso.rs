//! IAM Identity Center sign-in inside the app: the OAuth device authorization flow through
//! SSO OIDC, the account/role choice through the SSO portal, and a credentials provider that
//! fetches short-term role credentials and refreshes them before they expire.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::{error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use serde::{Deserialize, Serialize};

use crate::error::{from_sdk, BedrockError, ErrorKind};

/// Role credentials are renewed when less than this is left.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Where IAM Identity Center lives: its region, and a custom endpoint (a proxy, the simulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSite {
    pub region: String,
    pub endpoint: Option<String>,
}

impl SsoSite {
    fn config(&self) -> aws_config::SdkConfig {
        let mut builder = aws_config::SdkConfig::builder()
            .region(Region::new(self.region.clone()))
            .behavior_version(BehaviorVersion::latest());
        if let Some(url) = &self.endpoint {
            builder = builder.endpoint_url(url);
        }
        builder.build()
    }

    fn oidc(&self) -> aws_sdk_ssooidc::Client {
        aws_sdk_ssooidc::Client::new(&self.config())
    }

    fn portal(&self) -> aws_sdk_sso::Client {
        aws_sdk_sso::Client::new(&self.config())
    }
}

/// A started sign-in: show `user_code`, open `verification_uri_complete`, then poll.
#[derive(Clone)]
pub struct DeviceAuthorization {
    pub client_id: String,
    pub client_secret: String,
    pub device_code: String,
    pub user_code: String,
    pub verification_uri_complete: String,
    pub interval: Duration,
    pub expires_at: SystemTime,
}

impl std::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .finish_non_exhaustive()
    }
}

/// Registers Cairn as a public OIDC client and starts the device authorization.
pub async fn start_device_authorization(
    site: &SsoSite,
    start_url: &str,
) -> Result<DeviceAuthorization, BedrockError> {
    let oidc = site.oidc();
    let client = oidc
        .register_client()
        .client_name("Cairn")
        .client_type("public")
        .scopes("sso:account:access")
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    let client_id = client.client_id.unwrap_or_default();
    let client_secret = client.client_secret.unwrap_or_default();
    let started = oidc
        .start_device_authorization()
        .client_id(&client_id)
        .client_secret(&client_secret)
        .start_url(start_url)
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    Ok(DeviceAuthorization {
        client_id,
        client_secret,
        device_code: started.device_code.unwrap_or_default(),
        user_code: started.user_code.unwrap_or_default(),
        verification_uri_complete: started
            .verification_uri_complete
            .or(started.verification_uri)
            .unwrap_or_default(),
        interval: Duration::from_secs(u64::try_from(started.interval.max(1)).unwrap_or(1)),
        expires_at: SystemTime::now()
            + Duration::from_secs(u64::try_from(started.expires_in.max(0)).unwrap_or(0)),
    })
}

/// An SSO access token (a secret) and when it expires.
#[derive(Clone)]
pub struct SsoToken {
    pub access_token: String,
    pub expires_at: SystemTime,
}

impl std::fmt::Debug for SsoToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SsoToken(<redacted>)")
    }
}

/// One poll of the device flow: `None` while the user has not answered yet.
pub async fn poll_token(
    site: &SsoSite,
    auth: &DeviceAuthorization,
) -> Result<Option<SsoToken>, BedrockError> {
    let result = site
        .oidc()
        .create_token()
        .client_id(&auth.client_id)
        .client_secret(&auth.client_secret)
        .grant_type("urn:ietf:params:oauth:grant-type:device_code")
        .device_code(&auth.device_code)
        .send()
        .await;
    match result {
        Ok(out) => Ok(Some(SsoToken {
            access_token: out.access_token.unwrap_or_default(),
            expires_at: SystemTime::now()
                + Duration::from_secs(u64::try_from(out.expires_in.max(0)).unwrap_or(0)),
        })),
        Err(err) => {
            if let Some(service) = err.as_service_error() {
                if service.is_authorization_pending_exception() || service.is_slow_down_exception()
                {
                    return Ok(None);
                }
                if service.is_access_denied_exception() {
                    return Err(BedrockError::new(
                        ErrorKind::Credentials,
                        "the sign-in was denied in the browser",
                    )
                    .with_code("SsoDenied"));
                }
                if service.is_expired_token_exception() {
                    return Err(BedrockError::new(
                        ErrorKind::Credentials,
                        "the sign-in code expired before it was approved",
                    )
                    .with_code("SsoExpired"));
                }
            }
            Err(from_sdk(&err))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SsoAccountRoles {
    pub account_id: String,
    pub account_name: String,
    pub roles: Vec<String>,
}

/// The accounts and roles this sign-in may use.
pub async fn accounts_and_roles(
    site: &SsoSite,
    token: &SsoToken,
) -> Result<Vec<SsoAccountRoles>, BedrockError> {
    let portal = site.portal();
    let mut out = Vec::new();
    let mut accounts = portal
        .list_accounts()
        .access_token(&token.access_token)
        .into_paginator()
        .items()
        .send();
    while let Some(account) = accounts.next().await {
        let account = account.map_err(|e| from_sdk(&e))?;
        let account_id = account.account_id.unwrap_or_default();
        let mut roles = Vec::new();
        let mut pages = portal
            .list_account_roles()
            .access_token(&token.access_token)
            .account_id(&account_id)
            .into_paginator()
            .items()
            .send();
        while let Some(role) = pages.next().await {
            if let Some(name) = role.map_err(|e| from_sdk(&e))?.role_name {
                roles.push(name);
            }
        }
        out.push(SsoAccountRoles {
            account_name: account.account_name.unwrap_or_else(|| account_id.clone()),
            account_id,
            roles,
        });
    }
    Ok(out)
}

/// Short-term role credentials for one account and role, renewed before they expire. When the
/// SSO session itself has expired it says so plainly instead of calling AWS.
pub struct SsoRoleCredentials {
    site: SsoSite,
    token: SsoToken,
    account_id: String,
    role_name: String,
    cached: Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for SsoRoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoRoleCredentials")
            .field("account_id", &self.account_id)
            .field("role_name", &self.role_name)
            .finish_non_exhaustive()
    }
}

/// The message every "sign in again" path recognizes.
pub const SSO_SESSION_EXPIRED: &str = "the IAM Identity Center session has expired; sign in again";

impl SsoRoleCredentials {
    pub fn new(site: SsoSite, token: SsoToken, account_id: String, role_name: String) -> Self {
        Self {
            site,
            token,
            account_id,
            role_name,
            cached: Mutex::new(None),
        }
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        if let Some(c) = self.cached.lock().ok().and_then(|c| c.clone()) {
            let fresh = c
                .expiry()
                .is_none_or(|until| until > SystemTime::now() + REFRESH_MARGIN);
            if fresh {
                return Ok(c);
            }
        }
        if SystemTime::now() >= self.token.expires_at {
            return Err(CredentialsError::not_loaded(SSO_SESSION_EXPIRED));
        }
        let out = self
            .site
            .portal()
            .get_role_credentials()
            .access_token(&self.token.access_token)
            .account_id(&self.account_id)
            .role_name(&self.role_name)
            .send()
            .await
            .map_err(|e| CredentialsError::provider_error(crate::error::source_chain(&e)))?;
        let role = out
            .role_credentials
            .ok_or_else(|| CredentialsError::unhandled("no role credentials in the answer"))?;
        let expiry =
            UNIX_EPOCH + Duration::from_millis(u64::try_from(role.expiration).unwrap_or(0));
        let credentials = Credentials::new(
            role.access_key_id.unwrap_or_default(),
            role.secret_access_key.unwrap_or_default(),
            role.session_token,
            Some(expiry),
            "cairn-sso",
        );
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some(credentials.clone());
        }
        Ok(credentials)
    }
}

impl ProvideCredentials for SsoRoleCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.fetch())
    }
}
