//! The profiles of the shared AWS config and credentials files, read with aws-config's parser.

use aws_types::os_shim_internal::{Env, Fs};

use crate::client::ProfileLocation;
use crate::error::{BedrockError, ErrorKind};

/// How a profile gets its credentials, so the UI can say what signing in will involve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    StaticKeys,
    Sso,
    AssumeRole,
    CredentialProcess,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInfo {
    pub name: String,
    pub region: Option<String>,
    pub kind: ProfileKind,
}

/// Lists profiles; a file with syntax errors is an error that names the problem.
pub async fn list_profiles(location: &ProfileLocation) -> Result<Vec<ProfileInfo>, BedrockError> {
    let files = location.profile_files().unwrap_or_default();
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &files, None)
        .await
        .map_err(|e| {
            BedrockError::new(
                ErrorKind::InvalidInput,
                format!("the AWS config or credentials file could not be read: {e}"),
            )
            .with_code("ProfileFileInvalid")
        })?;
    let mut out: Vec<ProfileInfo> = set
        .profiles()
        .filter_map(|name| {
            let profile = set.get_profile(name)?;
            let kind =
                if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
                    ProfileKind::Sso
                } else if profile.get("role_arn").is_some() {
                    ProfileKind::AssumeRole
                } else if profile.get("credential_process").is_some() {
                    ProfileKind::CredentialProcess
                } else if profile.get("aws_access_key_id").is_some() {
                    ProfileKind::StaticKeys
                } else {
                    ProfileKind::Other
                };
            Some(ProfileInfo {
                name: name.to_owned(),
                region: profile.get("region").map(str::to_owned),
                kind,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lists_profiles_with_kind_and_region() {
        let dir = tempfile::tempdir().expect("dir");
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = eu-central-1\n[profile sso-dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\nregion = us-west-2\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n[profile tool]\ncredential_process = /bin/true\n",
        )
        .expect("config");
        std::fs::write(
            &credentials,
            "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
        )
        .expect("credentials");
        let location = ProfileLocation {
            config_file: Some(config),
            credentials_file: Some(credentials),
        };
        let profiles = list_profiles(&location).await.expect("profiles");
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["default", "sso-dev", "tool"]);
        assert_eq!(profiles[0].kind, ProfileKind::StaticKeys);
        assert_eq!(profiles[0].region.as_deref(), Some("eu-central-1"));
        assert_eq!(profiles[1].kind, ProfileKind::Sso);
        assert_eq!(profiles[2].kind, ProfileKind::CredentialProcess);
    }

    #[tokio::test]
    async fn a_broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("dir");
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile broken\nregion = x\n").expect("config");
        let err = list_profiles(&ProfileLocation {
            config_file: Some(config),
            credentials_file: None,
        })
        .await
        .expect_err("syntax error");
        assert_eq!(err.code.as_deref(), Some("ProfileFileInvalid"));
    }
}
