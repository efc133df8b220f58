//! Bedrock's model-invocation logging for this account and region: read it, and change it.

use aws_sdk_bedrock::types::{CloudWatchConfig, LoggingConfig, S3Config};
use serde::{Deserialize, Serialize};

use crate::error::{from_sdk, BedrockError, ErrorKind};
use crate::BedrockClients;

/// The configuration in Cairn's terms; all destinations off means logging is off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InvocationLogging {
    /// CloudWatch Logs: the log group and the role Bedrock writes with.
    pub cloud_watch: Option<CloudWatchDestination>,
    /// S3: bucket and key prefix. Documents and images sent through Converse land here too.
    pub s3: Option<S3Destination>,
    pub text: bool,
    pub image: bool,
    pub embedding: bool,
    pub video: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchDestination {
    pub log_group_name: String,
    pub role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct S3Destination {
    pub bucket_name: String,
    pub key_prefix: Option<String>,
}

impl InvocationLogging {
    pub fn enabled(&self) -> bool {
        self.cloud_watch.is_some() || self.s3.is_some()
    }
}

fn from_config(config: &LoggingConfig) -> InvocationLogging {
    InvocationLogging {
        cloud_watch: config.cloud_watch_config().map(|c| CloudWatchDestination {
            log_group_name: c.log_group_name.clone(),
            role_arn: c.role_arn.clone(),
        }),
        s3: config.s3_config().map(|s| S3Destination {
            bucket_name: s.bucket_name.clone(),
            key_prefix: s.key_prefix.clone(),
        }),
        text: config.text_data_delivery_enabled().unwrap_or(false),
        image: config.image_data_delivery_enabled().unwrap_or(false),
        embedding: config.embedding_data_delivery_enabled().unwrap_or(false),
        video: config.video_data_delivery_enabled().unwrap_or(false),
    }
}

fn invalid(message: impl Into<String>) -> BedrockError {
    BedrockError::new(ErrorKind::InvalidInput, message).with_code("LoggingConfigInvalid")
}

/// What this account logs in the connection's region.
pub async fn get_logging(clients: &BedrockClients) -> Result<InvocationLogging, BedrockError> {
    let out = clients
        .control
        .get_model_invocation_logging_configuration()
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    Ok(out.logging_config().map(from_config).unwrap_or_default())
}

/// Changes the configuration (turning logging off deletes it), checked first.
pub async fn set_logging(
    clients: &BedrockClients,
    logging: &InvocationLogging,
) -> Result<(), BedrockError> {
    if !logging.enabled() {
        clients
            .control
            .delete_model_invocation_logging_configuration()
            .send()
            .await
            .map_err(|e| from_sdk(&e))?;
        return Ok(());
    }
    let mut config = LoggingConfig::builder()
        .text_data_delivery_enabled(logging.text)
        .image_data_delivery_enabled(logging.image)
        .embedding_data_delivery_enabled(logging.embedding)
        .video_data_delivery_enabled(logging.video);
    if let Some(cw) = &logging.cloud_watch {
        if cw.log_group_name.trim().is_empty() || !cw.role_arn.starts_with("arn:aws") {
            return Err(invalid(
                "CloudWatch needs a log group name and the ARN of a role Bedrock can use",
            ));
        }
        config = config.cloud_watch_config(
            CloudWatchConfig::builder()
                .log_group_name(cw.log_group_name.trim())
                .role_arn(cw.role_arn.trim())
                .build()
                .map_err(|e| invalid(e.to_string()))?,
        );
    }
    if let Some(s3) = &logging.s3 {
        let bucket = s3.bucket_name.trim();
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !valid_bucket {
            return Err(invalid(format!("{bucket:?} is not an S3 bucket name")));
        }
        config = config.s3_config(
            S3Config::builder()
                .bucket_name(bucket)
                .set_key_prefix(s3.key_prefix.clone().filter(|p| !p.trim().is_empty()))
                .build()
                .map_err(|e| invalid(e.to_string()))?,
        );
    }
    clients
        .control
        .put_model_invocation_logging_configuration()
        .logging_config(config.build())
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    Ok(())
}
