//! IAM Identity Center as the app meets it: the SSO OIDC device authorization flow
//! (RegisterClient, StartDeviceAuthorization, CreateToken) and the SSO portal (ListAccounts,
//! ListAccountRoles, GetRoleCredentials). Role credentials it hands out are accepted by the
//! SigV4 check until they expire. Approval happens at `/_sim/sso/approve?user_code=…`
//! (or `/_sim/sso/deny?…`), the stand-in for the user clicking "Allow" in the browser.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::{SimConfig, SimCredential};
use crate::wire;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SsoConfig {
    pub accounts: Vec<SsoAccount>,
    /// Lifetime of an SSO access token.
    pub token_seconds: u64,
    /// Lifetime of role credentials from GetRoleCredentials.
    pub credential_seconds: u64,
    /// How long a device code may wait for approval.
    pub device_code_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoAccount {
    pub account_id: String,
    pub account_name: String,
    #[serde(default)]
    pub email_address: String,
    pub roles: Vec<String>,
}

impl Default for SsoConfig {
    fn default() -> Self {
        Self {
            accounts: vec![SsoAccount {
                account_id: "123456789012".into(),
                account_name: "Cairn Analytics".into(),
                email_address: "analytics@example.com".into(),
                roles: vec!["BedrockAnalyst".into(), "ReadOnly".into()],
            }],
            token_seconds: 8 * 3600,
            credential_seconds: 3600,
            device_code_seconds: 600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Approval {
    Pending,
    Approved,
    Denied,
}

#[derive(Debug)]
struct DeviceAuthorization {
    client_id: String,
    user_code: String,
    approval: Approval,
    expires: SystemTime,
}

/// Everything the flow remembers between requests.
#[derive(Debug, Default)]
pub struct SsoState {
    clients: HashMap<String, String>,
    devices: HashMap<String, DeviceAuthorization>,
    tokens: HashMap<String, SystemTime>,
    issued: Vec<(SimCredential, SystemTime)>,
}

impl SsoState {
    /// What the user's "Allow" or "Deny" in the browser does. `false` for an unknown code.
    pub fn answer(&mut self, user_code: &str, approve: bool) -> bool {
        match self.devices.values_mut().find(|d| d.user_code == user_code) {
            Some(device) => {
                device.approval = if approve {
                    Approval::Approved
                } else {
                    Approval::Denied
                };
                true
            }
            None => false,
        }
    }

    /// Role credentials handed out so far, marked expired when their time is up.
    pub fn issued_credentials(&self) -> Vec<SimCredential> {
        let now = SystemTime::now();
        self.issued
            .iter()
            .map(|(c, until)| SimCredential {
                expired: now > *until,
                ..c.clone()
            })
            .collect()
    }
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

fn oidc_error(
    status: StatusCode,
    error_type: &str,
    error: &str,
    description: &str,
) -> Response<Body> {
    let mut response = wire::json(
        status,
        &json!({ "error": error, "error_description": description }),
    );
    if let Ok(v) = error_type.parse() {
        response.headers_mut().insert("x-amzn-errortype", v);
    }
    response
}

fn epoch_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn user_code() -> String {
    let raw = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    format!("{}-{}", &raw[..4], &raw[4..8])
}

fn query(q: &str, name: &str) -> Option<String> {
    q.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// The parts of a request the SSO routes read.
pub struct Incoming<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Answers the SSO routes; `None` when the request is not one of them.
pub fn handle(
    config: &SimConfig,
    base_url: &str,
    state: &mut SsoState,
    request: &Incoming<'_>,
) -> Option<Response<Body>> {
    let Incoming {
        method,
        path,
        raw_query,
        headers,
        body,
    } = *request;
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let sso = &config.sso;
    let now = SystemTime::now();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Some(match (method, path) {
        (&Method::POST, "/client/register") => {
            let client_id = random_token("client-");
            let secret = random_token("client-secret-");
            state.clients.insert(client_id.clone(), secret.clone());
            wire::json(
                StatusCode::OK,
                &json!({
                    "clientId": client_id,
                    "clientSecret": secret,
                    "clientIdIssuedAt": epoch_seconds(now),
                    "clientSecretExpiresAt": epoch_seconds(now + Duration::from_secs(90 * 86_400)),
                }),
            )
        }
        (&Method::POST, "/device_authorization") => {
            let client_id = text(&body["clientId"]);
            if state.clients.get(&client_id) != Some(&text(&body["clientSecret"])) {
                return Some(oidc_error(
                    StatusCode::UNAUTHORIZED,
                    "InvalidClientException",
                    "invalid_client",
                    "Unknown client",
                ));
            }
            let device_code = random_token("device-");
            let code = user_code();
            state.devices.insert(
                device_code.clone(),
                DeviceAuthorization {
                    client_id,
                    user_code: code.clone(),
                    approval: Approval::Pending,
                    expires: now + Duration::from_secs(sso.device_code_seconds),
                },
            );
            let verification = format!("{base_url}/_sim/sso/verify");
            wire::json(
                StatusCode::OK,
                &json!({
                    "deviceCode": device_code,
                    "userCode": code,
                    "verificationUri": verification,
                    "verificationUriComplete": format!("{verification}?user_code={code}"),
                    "expiresIn": sso.device_code_seconds,
                    "interval": 1,
                }),
            )
        }
        (&Method::POST, "/token") => {
            let Some(device) = state.devices.get(&text(&body["deviceCode"])) else {
                return Some(oidc_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidGrantException",
                    "invalid_grant",
                    "Unknown device code",
                ));
            };
            if device.client_id != text(&body["clientId"]) {
                return Some(oidc_error(
                    StatusCode::UNAUTHORIZED,
                    "InvalidClientException",
                    "invalid_client",
                    "Client mismatch",
                ));
            }
            if now > device.expires {
                return Some(oidc_error(
                    StatusCode::BAD_REQUEST,
                    "ExpiredTokenException",
                    "expired_token",
                    "The device code has expired",
                ));
            }
            match device.approval {
                Approval::Pending => oidc_error(
                    StatusCode::BAD_REQUEST,
                    "AuthorizationPendingException",
                    "authorization_pending",
                    "Authorization is pending",
                ),
                Approval::Denied => oidc_error(
                    StatusCode::BAD_REQUEST,
                    "AccessDeniedException",
                    "access_denied",
                    "The user denied the request",
                ),
                Approval::Approved => {
                    let token = random_token("sso-access-");
                    state
                        .tokens
                        .insert(token.clone(), now + Duration::from_secs(sso.token_seconds));
                    wire::json(
                        StatusCode::OK,
                        &json!({
                            "accessToken": token,
                            "tokenType": "Bearer",
                            "expiresIn": sso.token_seconds,
                        }),
                    )
                }
            }
        }
        (
            &Method::POST | &Method::GET,
            "/_sim/sso/approve" | "/_sim/sso/deny" | "/_sim/sso/verify",
        ) => {
            let code = query(raw_query, "user_code").unwrap_or_default();
            let approve = !path.ends_with("deny");
            if state.answer(&code, approve) {
                wire::json(
                    StatusCode::OK,
                    &json!({ "userCode": code, "approved": approve }),
                )
            } else {
                wire::error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFoundException",
                    "No such user code",
                )
            }
        }
        (
            &Method::GET,
            "/assignment/accounts" | "/assignment/roles" | "/federation/credentials",
        ) => {
            let token = headers
                .get("x-amz-sso_bearer_token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            match state.tokens.get(token) {
                Some(until) if now <= *until => {}
                Some(_) => {
                    return Some(wire::error(
                        StatusCode::UNAUTHORIZED,
                        "UnauthorizedException",
                        "Session token has expired",
                    ))
                }
                None => {
                    return Some(wire::error(
                        StatusCode::UNAUTHORIZED,
                        "UnauthorizedException",
                        "Session token not found or invalid",
                    ))
                }
            }
            match path {
                "/assignment/accounts" => wire::json(
                    StatusCode::OK,
                    &json!({ "accountList": sso.accounts.iter().map(|a| json!({
                        "accountId": a.account_id, "accountName": a.account_name, "emailAddress": a.email_address,
                    })).collect::<Vec<_>>() }),
                ),
                "/assignment/roles" => {
                    let account = query(raw_query, "account_id").unwrap_or_default();
                    let roles: Vec<Value> = sso
                        .accounts
                        .iter()
                        .filter(|a| a.account_id == account)
                        .flat_map(|a| {
                            a.roles
                                .iter()
                                .map(move |r| json!({ "roleName": r, "accountId": a.account_id }))
                        })
                        .collect();
                    wire::json(StatusCode::OK, &json!({ "roleList": roles }))
                }
                _ => {
                    let account = query(raw_query, "account_id").unwrap_or_default();
                    let role = query(raw_query, "role_name").unwrap_or_default();
                    let allowed = sso
                        .accounts
                        .iter()
                        .any(|a| a.account_id == account && a.roles.contains(&role));
                    if !allowed {
                        return Some(wire::error(
                            StatusCode::FORBIDDEN,
                            "ForbiddenException",
                            "No access to this role",
                        ));
                    }
                    let until = now + Duration::from_secs(sso.credential_seconds);
                    let credential = SimCredential {
                        access_key_id: format!(
                            "ASIA{}",
                            &uuid::Uuid::new_v4().simple().to_string().to_uppercase()[..16]
                        ),
                        secret_access_key: random_token("sso-secret-"),
                        session_token: Some(random_token("sso-session-")),
                        user_name: format!("{role}/sso-user"),
                        expired: false,
                        allow: None,
                    };
                    let reply = json!({ "roleCredentials": {
                        "accessKeyId": credential.access_key_id,
                        "secretAccessKey": credential.secret_access_key,
                        "sessionToken": credential.session_token,
                        "expiration": epoch_seconds(until) * 1000,
                    }});
                    state.issued.push((credential, until));
                    wire::json(StatusCode::OK, &reply)
                }
            }
        }
        _ => return None,
    })
}
