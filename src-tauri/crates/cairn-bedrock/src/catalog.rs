//! Which Claude models the chat can call, and by which invocation ID.

use std::collections::BTreeMap;

use aws_sdk_bedrock::types::InferenceType;
use serde::{Deserialize, Serialize};

use crate::error::{from_sdk, BedrockError};
use crate::BedrockClients;

/// How a model is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum EndpointKind {
    /// A `global.` inference profile: routed worldwide, no premium.
    Global,
    /// A geographic inference profile (`us.`, `eu.`, `jp.`, `apac.`, `au.`): data stays there.
    Regional,
    /// The base model ID, on-demand in the connection's region.
    Base,
}

/// A model as the chat's model picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelOption {
    /// The base model ID (`anthropic.claude-…`).
    pub model_id: String,
    /// The ID to call: a profile ID or the base ID.
    pub invocation_id: String,
    pub name: String,
    /// `ACTIVE` or `LEGACY`, as Bedrock reports it.
    pub lifecycle: String,
    pub endpoint: EndpointKind,
}

/// Profile prefixes to try for a region, most specific first (after `global`).
pub fn geographies_for_region(region: &str) -> &'static [&'static str] {
    match region {
        r if r.starts_with("us-") || r.starts_with("ca-") => &["us"],
        r if r.starts_with("eu-") => &["eu"],
        "ap-northeast-1" | "ap-northeast-3" => &["jp", "apac"],
        "ap-southeast-2" | "ap-southeast-4" => &["au", "apac"],
        r if r.starts_with("ap-") => &["apac"],
        _ => &[],
    }
}

/// Picks the invocation ID for a model: the global profile when there is one, else a profile of
/// the region's geography, else the base ID when it supports on-demand calls. `None` when the
/// model cannot be called from this region at all. A profile-only model never gets its base ID.
pub fn choose_invocation(
    model_id: &str,
    on_demand: bool,
    profile_prefixes: &[&str],
    region: &str,
) -> Option<(String, EndpointKind)> {
    if profile_prefixes.contains(&"global") {
        return Some((format!("global.{model_id}"), EndpointKind::Global));
    }
    for geo in geographies_for_region(region) {
        if profile_prefixes.contains(geo) {
            return Some((format!("{geo}.{model_id}"), EndpointKind::Regional));
        }
    }
    on_demand.then(|| (model_id.to_owned(), EndpointKind::Base))
}

/// Lists the Claude models this connection can chat with, newest first within each lifecycle.
pub async fn list_chat_models(clients: &BedrockClients) -> Result<Vec<ModelOption>, BedrockError> {
    // The catalog needs SigV4; a Bedrock API key can still chat with the global profiles.
    if clients.runtime_only {
        return Ok(bundled_chat_models());
    }
    let models = clients
        .control
        .list_foundation_models()
        .by_provider("anthropic")
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;

    // base model ID → profile prefixes that exist for it
    let mut prefixes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pages = clients
        .control
        .list_inference_profiles()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk(&e))?;
        for profile in page.inference_profile_summaries.unwrap_or_default() {
            if let Some((prefix, base)) = profile.inference_profile_id.split_once('.') {
                if base.starts_with("anthropic.") {
                    prefixes
                        .entry(base.to_owned())
                        .or_default()
                        .push(prefix.to_owned());
                }
            }
        }
    }

    let mut options = Vec::new();
    for summary in models.model_summaries.unwrap_or_default() {
        let on_demand = summary
            .inference_types_supported
            .as_deref()
            .unwrap_or_default()
            .contains(&InferenceType::OnDemand);
        let found: Vec<&str> = prefixes
            .get(&summary.model_id)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let Some((invocation_id, endpoint)) =
            choose_invocation(&summary.model_id, on_demand, &found, &clients.region)
        else {
            continue;
        };
        let lifecycle = summary
            .model_lifecycle
            .as_ref()
            .map_or("ACTIVE", |l| l.status.as_str())
            .to_owned();
        options.push(ModelOption {
            name: summary
                .model_name
                .clone()
                .unwrap_or_else(|| summary.model_id.clone()),
            model_id: summary.model_id,
            invocation_id,
            lifecycle,
            endpoint,
        });
    }
    options.sort_by_key(|o| o.lifecycle != "ACTIVE");
    Ok(options)
}

/// Models every account can call through a `global.` profile from any region, newest first:
/// the chat's choices when the live catalog is out of reach (a Bedrock API key cannot list it).
const BUNDLED_GLOBAL_MODELS: &[(&str, &str)] = &[
    ("anthropic.claude-sonnet-4-6", "Claude Sonnet 4.6"),
    ("anthropic.claude-opus-4-6-v1", "Claude Opus 4.6"),
    ("anthropic.claude-opus-4-5-20251101-v1:0", "Claude Opus 4.5"),
    (
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Claude Sonnet 4.5",
    ),
    (
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "Claude Haiku 4.5",
    ),
    ("anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4"),
];

pub fn bundled_chat_models() -> Vec<ModelOption> {
    BUNDLED_GLOBAL_MODELS
        .iter()
        .map(|(id, name)| ModelOption {
            model_id: (*id).to_owned(),
            invocation_id: format!("global.{id}"),
            name: (*name).to_owned(),
            lifecycle: "ACTIVE".to_owned(),
            endpoint: EndpointKind::Global,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_wins_when_it_exists() {
        assert_eq!(
            choose_invocation("m", false, &["us", "global"], "us-east-1"),
            Some(("global.m".into(), EndpointKind::Global))
        );
    }

    #[test]
    fn regional_profile_follows_the_region() {
        assert_eq!(
            choose_invocation("m", false, &["us", "eu"], "eu-central-1"),
            Some(("eu.m".into(), EndpointKind::Regional))
        );
        assert_eq!(
            choose_invocation("m", false, &["apac"], "ap-northeast-1"),
            Some(("apac.m".into(), EndpointKind::Regional))
        );
        assert_eq!(
            choose_invocation("m", false, &["jp", "apac"], "ap-northeast-1"),
            Some(("jp.m".into(), EndpointKind::Regional))
        );
    }

    #[test]
    fn profile_only_models_never_get_their_base_id() {
        assert_eq!(choose_invocation("m", false, &["eu"], "us-east-1"), None);
        assert_eq!(choose_invocation("m", false, &[], "us-east-1"), None);
    }

    #[test]
    fn on_demand_models_fall_back_to_the_base_id() {
        assert_eq!(
            choose_invocation("m", true, &["eu"], "us-west-2"),
            Some(("m".into(), EndpointKind::Base))
        );
    }
}
