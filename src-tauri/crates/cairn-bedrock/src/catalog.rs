//! The chat's view of a model (which ID to call it by) and the geography of a region.

use serde::{Deserialize, Serialize};

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
