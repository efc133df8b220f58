//! The model-access table: which Claude models this account can use, where, and at what price.
//! Live answers from Bedrock merged with a bundled metadata file (data, not code); the live
//! answer wins where they disagree.

use std::collections::BTreeMap;

use aws_sdk_bedrock::types::{
    AgreementStatus, AuthorizationStatus, InferenceType, RegionAvailability,
};
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use crate::catalog::{geographies_for_region, EndpointKind};
use crate::error::{from_sdk, BedrockError, ErrorKind};
use crate::BedrockClients;

/// How many GetFoundationModelAvailability calls run at once.
pub const AVAILABILITY_CONCURRENCY: usize = 8;

const METADATA_JSON: &str = include_str!("../data/claude-models.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetadataFile {
    price_date: String,
    regional_premium: f64,
    models: Vec<ModelMetadata>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModelMetadata {
    model_id: String,
    name: String,
    family: String,
    context_window: u32,
    max_output: u32,
    context1m_beta: bool,
    thinking: bool,
    #[serde(default)]
    sampling_exclusive: bool,
    #[serde(default)]
    prompt_cache: bool,
    regional_premium: bool,
    input_price: f64,
    output_price: f64,
    pdf: bool,
    #[serde(default)]
    deprecated_on: Option<String>,
    profiles: Vec<String>,
    on_demand: bool,
}

/// The bundled metadata, parsed once (every message consults it several times).
fn metadata() -> Result<MetadataFile, BedrockError> {
    static PARSED: std::sync::OnceLock<Result<MetadataFile, String>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(METADATA_JSON).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| {
            BedrockError::new(
                ErrorKind::Internal,
                format!("bundled model data is invalid: {e}"),
            )
        })
}

/// Whether this account may call a model here, as far as Bedrock says without calling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AccessStatus {
    Authorized,
    NotAuthorized,
    /// The Anthropic use-case form / agreement is not accepted yet.
    AgreementPending,
    /// The model is not offered in the connection's region.
    NotInRegion,
    /// Not asked (offline, or the availability call failed).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GeoProfile {
    /// `global`, `us`, `eu`, `jp`, `apac`, `au`, …
    pub geo: String,
    pub profile_id: String,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogEntry {
    pub model_id: String,
    pub name: String,
    /// `opus`, `sonnet`, `haiku` when the metadata knows the model.
    pub family: Option<String>,
    /// `ACTIVE` or `LEGACY`.
    pub lifecycle: String,
    /// RFC 3339, from Bedrock's lifecycle (legacy since / end of life).
    pub legacy_since: Option<String>,
    pub end_of_life: Option<String>,
    /// From the metadata file when Bedrock gives no date.
    pub deprecated_on: Option<String>,
    pub profiles: Vec<GeoProfile>,
    /// The base ID can be called on demand in the connection's region.
    pub on_demand: bool,
    pub access: AccessStatus,
    /// Bedrock's own words when access is not plain "authorized".
    pub access_detail: Option<String>,
    pub input_modalities: Vec<String>,
    pub pdf: bool,
    pub context_window: Option<u32>,
    pub max_output: Option<u32>,
    pub context1m_beta: bool,
    pub thinking: bool,
    /// USD per million tokens (list price, an estimate).
    pub input_price: Option<f64>,
    pub output_price: Option<f64>,
    /// Regional (geographic) profiles cost `premium_factor` times the global price.
    pub regional_premium: bool,
    /// False when the bundled metadata does not know this model (prices, limits unknown).
    pub in_metadata: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelCatalog {
    pub entries: Vec<CatalogEntry>,
    /// Geographies found among the profiles, `global` first: the table's columns.
    pub geographies: Vec<String>,
    /// False for the bundled snapshot (offline or demo).
    pub live: bool,
    pub region: String,
    /// The region's geographies, most specific first (what "Regional" means here).
    #[serde(default)]
    pub region_geographies: Vec<String>,
    /// RFC 3339: when Bedrock was asked (or the snapshot's date).
    pub fetched_at: String,
    pub price_date: String,
    pub premium_factor: f64,
    /// Problems that did not stop the refresh (a profile for an unknown model, a failed
    /// availability call), in technical words.
    pub warnings: Vec<String>,
}

/// Which endpoint the user wants for a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum EndpointChoice {
    /// `global.`: most available, no premium (recommended).
    Global,
    /// The geography of the connection's region: data stays there.
    Regional,
}

/// The ID Cairn calls, and whether the regional premium applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub invocation_id: String,
    pub endpoint: EndpointKind,
    pub premium: bool,
}

/// Derives the invocation ID. Never the base ID of a profile-only model; never `global.` when
/// the connection keeps data in its geography. `Err` carries a code saying why no route exists.
pub fn invocation_for(
    model_id: &str,
    geos: &[&str],
    on_demand: bool,
    regional_premium: bool,
    choice: EndpointChoice,
    keep_in_geography: bool,
    region: &str,
) -> Result<Invocation, &'static str> {
    if choice == EndpointChoice::Global && !keep_in_geography && geos.contains(&"global") {
        return Ok(Invocation {
            invocation_id: format!("global.{model_id}"),
            endpoint: EndpointKind::Global,
            premium: false,
        });
    }
    for geo in geographies_for_region(region) {
        if geos.contains(geo) {
            return Ok(Invocation {
                invocation_id: format!("{geo}.{model_id}"),
                endpoint: EndpointKind::Regional,
                premium: regional_premium,
            });
        }
    }
    if on_demand {
        return Ok(Invocation {
            invocation_id: model_id.to_owned(),
            endpoint: EndpointKind::Base,
            premium: false,
        });
    }
    if !keep_in_geography && geos.contains(&"global") {
        // Regional was asked for but this geography has no profile: global is the only way.
        return Ok(Invocation {
            invocation_id: format!("global.{model_id}"),
            endpoint: EndpointKind::Global,
            premium: false,
        });
    }
    Err(if keep_in_geography && geos.contains(&"global") {
        "OnlyGlobalProfile"
    } else {
        "NoProfileForRegion"
    })
}

fn geo_order(geo: &str) -> (usize, String) {
    let known = ["global", "us", "eu", "jp", "apac", "au"];
    (
        known.iter().position(|g| *g == geo).unwrap_or(known.len()),
        geo.to_owned(),
    )
}

fn columns(entries: &[CatalogEntry]) -> Vec<String> {
    let mut geos: Vec<String> = entries
        .iter()
        .flat_map(|e| e.profiles.iter().map(|p| p.geo.clone()))
        .collect();
    geos.sort_by_key(|g| geo_order(g));
    geos.dedup();
    geos
}

fn region_geographies(region: &str) -> Vec<String> {
    geographies_for_region(region)
        .iter()
        .map(|g| (*g).to_owned())
        .collect()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn from_metadata(m: &ModelMetadata, geos: &[String]) -> CatalogEntry {
    CatalogEntry {
        model_id: m.model_id.clone(),
        name: m.name.clone(),
        family: Some(m.family.clone()),
        lifecycle: if m.deprecated_on.is_some() {
            "LEGACY"
        } else {
            "ACTIVE"
        }
        .to_owned(),
        legacy_since: None,
        end_of_life: None,
        deprecated_on: m.deprecated_on.clone(),
        profiles: geos
            .iter()
            .map(|g| GeoProfile {
                geo: g.clone(),
                profile_id: format!("{g}.{}", m.model_id),
            })
            .collect(),
        on_demand: m.on_demand,
        access: AccessStatus::Unknown,
        access_detail: None,
        input_modalities: if m.pdf {
            vec!["TEXT".into(), "IMAGE".into(), "PDF".into()]
        } else {
            vec!["TEXT".into(), "IMAGE".into()]
        },
        pdf: m.pdf,
        context_window: Some(m.context_window),
        max_output: Some(m.max_output),
        context1m_beta: m.context1m_beta,
        thinking: m.thinking,
        input_price: Some(m.input_price),
        output_price: Some(m.output_price),
        regional_premium: m.regional_premium,
        in_metadata: true,
    }
}

impl CatalogEntry {
    /// The invocation for a choice in `region`.
    pub fn invocation(
        &self,
        choice: EndpointChoice,
        keep_in_geography: bool,
        region: &str,
    ) -> Result<Invocation, &'static str> {
        let geos: Vec<&str> = self.profiles.iter().map(|p| p.geo.as_str()).collect();
        invocation_for(
            &self.model_id,
            &geos,
            self.on_demand,
            self.regional_premium,
            choice,
            keep_in_geography,
            region,
        )
    }
}

/// List prices for an invocation ID (profile or base), from the bundled metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceInfo {
    /// USD per million tokens, the regional premium included when it applies.
    pub input: f64,
    pub output: f64,
    pub premium: bool,
    pub context1m_beta: bool,
    pub date: String,
}

/// The metadata entry of an invocation ID (profile or base ID) and the profile prefix.
fn model_entry(invocation_id: &str) -> Option<(Option<&str>, ModelMetadata, MetadataFile)> {
    let meta = metadata().ok()?;
    let (prefix, base) = match invocation_id.split_once('.') {
        Some((p, rest)) if rest.starts_with("anthropic.") => (Some(p), rest),
        _ => (None, invocation_id),
    };
    let model = meta.models.iter().find(|m| m.model_id == base)?.clone();
    Some((prefix, model, meta))
}

pub fn price_for(invocation_id: &str) -> Option<PriceInfo> {
    let (prefix, model, meta) = model_entry(invocation_id)?;
    let premium = model.regional_premium && prefix.is_some_and(|p| p != "global");
    let factor = if premium { meta.regional_premium } else { 1.0 };
    Some(PriceInfo {
        input: model.input_price * factor,
        output: model.output_price * factor,
        premium,
        context1m_beta: model.context1m_beta,
        date: meta.price_date,
    })
}

/// What a model accepts, from the bundled metadata: checked before a request leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelLimits {
    pub max_output: u32,
    pub context_window: u32,
    /// Takes PDF documents.
    pub pdf: bool,
    /// Claude 4 and later: Converse takes PDFs above 4.5 MB.
    pub converse_large_pdf: bool,
    pub thinking: bool,
    /// Temperature and top-p cannot both be set.
    pub sampling_exclusive: bool,
    pub prompt_cache: bool,
}

pub fn limits_for(invocation_id: &str) -> Option<ModelLimits> {
    let (_, model, _) = model_entry(invocation_id)?;
    Some(ModelLimits {
        max_output: model.max_output,
        context_window: model.context_window,
        pdf: model.pdf,
        converse_large_pdf: !model.model_id.contains("claude-3"),
        thinking: model.thinking,
        sampling_exclusive: model.sampling_exclusive,
        prompt_cache: model.prompt_cache,
    })
}

/// Whether a model (by invocation or base ID) accepts the 1M-context beta flag.
pub fn accepts_context_1m(invocation_id: &str) -> bool {
    price_for(invocation_id).is_some_and(|p| p.context1m_beta)
}

/// The tokens of one answer, as billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    /// Input tokens at the full price (cache reads and writes not included).
    pub input: u32,
    pub output: u32,
    pub cache_read: u32,
    pub cache_write: u32,
}

/// Cache writes (5-minute cache) cost this much of the input price, cache reads this much.
pub const CACHE_WRITE_FACTOR: f64 = 1.25;
pub const CACHE_READ_FACTOR: f64 = 0.1;

/// Estimated USD for one answer: cache writes ×1.25 and reads ×0.1 of the input price;
/// long-context pricing (input ×2, output ×1.5) above 200K input tokens when the 1M beta is on.
pub fn estimate_cost(price: &PriceInfo, tokens: TokenCounts, context_1m: bool) -> f64 {
    let all_input =
        u64::from(tokens.input) + u64::from(tokens.cache_read) + u64::from(tokens.cache_write);
    let long = context_1m && all_input > 200_000;
    let (i, o) = if long { (2.0, 1.5) } else { (1.0, 1.0) };
    let input_equivalent = f64::from(tokens.input)
        + f64::from(tokens.cache_write) * CACHE_WRITE_FACTOR
        + f64::from(tokens.cache_read) * CACHE_READ_FACTOR;
    input_equivalent / 1e6 * price.input * i + f64::from(tokens.output) / 1e6 * price.output * o
}

/// The bundled snapshot, marked as not live: what the table shows offline and in the demo.
pub fn bundled_catalog(region: &str) -> Result<ModelCatalog, BedrockError> {
    let meta = metadata()?;
    let entries: Vec<CatalogEntry> = meta
        .models
        .iter()
        .map(|m| from_metadata(m, &m.profiles))
        .collect();
    Ok(ModelCatalog {
        geographies: columns(&entries),
        entries,
        live: false,
        region: region.to_owned(),
        region_geographies: region_geographies(region),
        fetched_at: format!("{}T00:00:00Z", meta.price_date),
        price_date: meta.price_date,
        premium_factor: meta.regional_premium,
        warnings: Vec::new(),
    })
}

fn access_from(
    out: &aws_sdk_bedrock::operation::get_foundation_model_availability::GetFoundationModelAvailabilityOutput,
) -> Availability {
    if out.region_availability == RegionAvailability::NotAvailable {
        return (AccessStatus::NotInRegion, None);
    }
    if out.authorization_status == AuthorizationStatus::NotAuthorized {
        return (AccessStatus::NotAuthorized, None);
    }
    match out.agreement_availability.as_ref().map(|a| &a.status) {
        Some(AgreementStatus::Available) | None => (AccessStatus::Authorized, None),
        Some(AgreementStatus::Pending) => (AccessStatus::AgreementPending, None),
        Some(other) => (
            AccessStatus::NotAuthorized,
            out.agreement_availability
                .as_ref()
                .and_then(|a| a.error_message.clone())
                .or_else(|| Some(format!("agreement {}", other.as_str()))),
        ),
    }
}

/// A model's access status and Bedrock's words about it.
type Availability = (AccessStatus, Option<String>);

async fn availability_of(
    clients: &BedrockClients,
    model_id: String,
) -> (String, Result<Availability, BedrockError>) {
    let result = clients
        .control
        .get_foundation_model_availability()
        .model_id(&model_id)
        .send()
        .await
        .map(|out| access_from(&out))
        .map_err(|e| from_sdk(&e));
    (model_id, result)
}

/// Asks Bedrock: the Claude models, every inference profile (all pages), and the availability of
/// each model (at most [`AVAILABILITY_CONCURRENCY`] calls at once), merged with the metadata.
pub async fn refresh_catalog(clients: &BedrockClients) -> Result<ModelCatalog, BedrockError> {
    if clients.runtime_only {
        return Err(BedrockError::new(
            ErrorKind::NeedsSigV4,
            "the model catalog needs SigV4 credentials (access keys, a profile or IAM Identity Center); a Bedrock API key only works for chat",
        ));
    }
    let meta = metadata()?;
    let by_id: BTreeMap<&str, &ModelMetadata> = meta
        .models
        .iter()
        .map(|m| (m.model_id.as_str(), m))
        .collect();
    let models = clients
        .control
        .list_foundation_models()
        .by_provider("anthropic")
        .send()
        .await
        .map_err(|e| from_sdk(&e))?
        .model_summaries
        .unwrap_or_default();

    let mut profiles: BTreeMap<String, Vec<GeoProfile>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let known: std::collections::BTreeSet<&str> =
        models.iter().map(|m| m.model_id.as_str()).collect();
    let mut pages = clients
        .control
        .list_inference_profiles()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for p in page
            .map_err(|e| from_sdk(&e))?
            .inference_profile_summaries
            .unwrap_or_default()
        {
            let Some((geo, base)) = p.inference_profile_id.split_once('.') else {
                continue;
            };
            if !base.starts_with("anthropic.") {
                continue;
            }
            if !known.contains(base) {
                warnings.push(format!(
                    "inference profile {} points at {base}, which ListFoundationModels does not list",
                    p.inference_profile_id
                ));
                continue;
            }
            profiles
                .entry(base.to_owned())
                .or_default()
                .push(GeoProfile {
                    geo: geo.to_owned(),
                    profile_id: p.inference_profile_id.clone(),
                });
        }
    }

    // Futures built up front by a named async fn: closures returning futures trip rustc's
    // higher-ranked `Send` check in Tauri's async commands.
    let calls: Vec<_> = models
        .iter()
        .map(|m| availability_of(clients, m.model_id.clone()))
        .collect();
    let availability: Vec<(String, Result<Availability, BedrockError>)> = stream::iter(calls)
        .buffer_unordered(AVAILABILITY_CONCURRENCY)
        .collect()
        .await;
    let mut access: BTreeMap<String, Availability> = BTreeMap::new();
    for (id, result) in availability {
        match result {
            Ok(a) => {
                access.insert(id, a);
            }
            Err(e) => {
                warnings.push(format!("availability of {id}: {}", e.message));
                access.insert(id, (AccessStatus::Unknown, Some(e.message)));
            }
        }
    }

    let mut entries = Vec::with_capacity(models.len());
    for summary in models {
        let meta = by_id.get(summary.model_id.as_str()).copied();
        let lifecycle = summary.model_lifecycle.as_ref();
        let mut geos = profiles.remove(&summary.model_id).unwrap_or_default();
        geos.sort_by_key(|g| geo_order(&g.geo));
        let (status, detail) = access
            .remove(&summary.model_id)
            .unwrap_or((AccessStatus::Unknown, None));
        let modalities: Vec<String> = summary
            .input_modalities
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect();
        entries.push(CatalogEntry {
            name: summary
                .model_name
                .clone()
                .or_else(|| meta.map(|m| m.name.clone()))
                .unwrap_or_else(|| summary.model_id.clone()),
            family: meta.map(|m| m.family.clone()),
            lifecycle: lifecycle.map_or("ACTIVE", |l| l.status.as_str()).to_owned(),
            legacy_since: lifecycle.and_then(|l| l.legacy_time).map(|t| t.to_string()),
            end_of_life: lifecycle
                .and_then(|l| l.end_of_life_time)
                .map(|t| t.to_string()),
            deprecated_on: meta.and_then(|m| m.deprecated_on.clone()),
            profiles: geos,
            on_demand: summary
                .inference_types_supported
                .as_deref()
                .unwrap_or_default()
                .contains(&InferenceType::OnDemand),
            access: status,
            access_detail: detail,
            pdf: meta.is_some_and(|m| m.pdf),
            input_modalities: {
                let mut all = modalities;
                if meta.is_some_and(|m| m.pdf) && !all.iter().any(|m| m == "PDF") {
                    all.push("PDF".into());
                }
                all
            },
            context_window: meta.map(|m| m.context_window),
            max_output: meta.map(|m| m.max_output),
            context1m_beta: meta.is_some_and(|m| m.context1m_beta),
            thinking: meta.is_some_and(|m| m.thinking),
            input_price: meta.map(|m| m.input_price),
            output_price: meta.map(|m| m.output_price),
            regional_premium: meta.is_some_and(|m| m.regional_premium),
            in_metadata: meta.is_some(),
            model_id: summary.model_id,
        });
    }
    Ok(ModelCatalog {
        geographies: columns(&entries),
        entries,
        live: true,
        region: clients.region.clone(),
        region_geographies: region_geographies(&clients.region),
        fetched_at: now_rfc3339(),
        price_date: meta.price_date,
        premium_factor: meta.regional_premium,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_parses_and_matches_the_origin_table() {
        let catalog = bundled_catalog("us-east-1").expect("bundled");
        assert!(!catalog.live);
        assert_eq!(catalog.region_geographies, ["us"]);
        assert_eq!(
            bundled_catalog("ap-northeast-1")
                .expect("b")
                .region_geographies,
            ["jp", "apac"]
        );
        assert_eq!(catalog.geographies, ["global", "us", "eu", "jp", "apac"]);
        let sonnet45 = catalog
            .entries
            .iter()
            .find(|e| e.model_id == "anthropic.claude-sonnet-4-5-20250929-v1:0")
            .expect("sonnet 4.5");
        let geos: Vec<&str> = sonnet45.profiles.iter().map(|p| p.geo.as_str()).collect();
        assert_eq!(geos, ["global", "us", "eu", "jp"]);
        let legacy: Vec<&str> = catalog
            .entries
            .iter()
            .filter(|e| e.deprecated_on.is_some())
            .map(|e| e.model_id.as_str())
            .collect();
        assert_eq!(legacy.len(), 3);
    }

    /// profiles, on-demand, choice, keep in geography, region → expected route
    type Case<'a> = (
        &'a [&'a str],
        bool,
        EndpointChoice,
        bool,
        &'a str,
        Result<(&'a str, EndpointKind, bool), &'a str>,
    );

    /// Every profile shape × region × choice × residency.
    #[test]
    fn invocation_ids_for_every_case() {
        use EndpointChoice::{Global, Regional};
        use EndpointKind as K;
        let all = ["global", "us", "eu", "jp", "apac"];
        let cases: &[Case] = &[
            // profile-only model with a global profile
            (
                &all,
                false,
                Global,
                false,
                "us-east-1",
                Ok(("global.m", K::Global, false)),
            ),
            (
                &all,
                false,
                Regional,
                false,
                "us-east-1",
                Ok(("us.m", K::Regional, true)),
            ),
            (
                &all,
                false,
                Regional,
                false,
                "eu-central-1",
                Ok(("eu.m", K::Regional, true)),
            ),
            (
                &all,
                false,
                Regional,
                false,
                "ap-northeast-1",
                Ok(("jp.m", K::Regional, true)),
            ),
            (
                &all,
                false,
                Regional,
                false,
                "ap-south-1",
                Ok(("apac.m", K::Regional, true)),
            ),
            (
                &all,
                false,
                Global,
                true,
                "eu-west-1",
                Ok(("eu.m", K::Regional, true)),
            ),
            // a region with no geography profile
            (
                &["global", "us"],
                false,
                Regional,
                false,
                "eu-west-1",
                Ok(("global.m", K::Global, false)),
            ),
            (
                &["global", "us"],
                false,
                Global,
                true,
                "eu-west-1",
                Err("OnlyGlobalProfile"),
            ),
            (
                &["us"],
                false,
                Global,
                false,
                "eu-west-1",
                Err("NoProfileForRegion"),
            ),
            (
                &["us"],
                false,
                Global,
                false,
                "sa-east-1",
                Err("NoProfileForRegion"),
            ),
            // on-demand older models
            (
                &["us", "eu"],
                true,
                Global,
                false,
                "us-west-2",
                Ok(("us.m", K::Regional, true)),
            ),
            (
                &["us"],
                true,
                Global,
                false,
                "eu-central-1",
                Ok(("m", K::Base, false)),
            ),
            (
                &[],
                true,
                Global,
                true,
                "ca-central-1",
                Ok(("m", K::Base, false)),
            ),
            // profile-only with nothing: never the base ID
            (
                &[],
                false,
                Global,
                false,
                "us-east-1",
                Err("NoProfileForRegion"),
            ),
        ];
        for (geos, on_demand, choice, keep, region, expected) in cases {
            let got = invocation_for("m", geos, *on_demand, true, *choice, *keep, region);
            let expected = expected.map(|(id, kind, premium)| Invocation {
                invocation_id: id.to_owned(),
                endpoint: kind,
                premium,
            });
            assert_eq!(
                got, expected,
                "{geos:?} on_demand={on_demand} {choice:?} keep={keep} {region}"
            );
        }
    }

    #[test]
    fn prices_follow_the_endpoint() {
        let global = price_for("global.anthropic.claude-sonnet-4-5-20250929-v1:0").expect("known");
        assert_eq!(
            (global.input, global.output, global.premium),
            (3.0, 15.0, false)
        );
        let regional = price_for("eu.anthropic.claude-sonnet-4-5-20250929-v1:0").expect("known");
        assert!(regional.premium && (regional.input - 3.3).abs() < 1e-9);
        let old = price_for("us.anthropic.claude-sonnet-4-20250514-v1:0").expect("known");
        assert!(!old.premium && old.context1m_beta);
        assert!(price_for("anthropic.unknown").is_none());
        assert!(!accepts_context_1m(
            "global.anthropic.claude-haiku-4-5-20251001-v1:0"
        ));
        // 1,000,000 in + 1,000,000 out of Sonnet 4.5 global: 3 + 15 dollars; long context: 6 + 22.5.
        let million = TokenCounts {
            input: 1_000_000,
            output: 1_000_000,
            ..TokenCounts::default()
        };
        assert!((estimate_cost(&global, million, false) - 18.0).abs() < 1e-9);
        assert!((estimate_cost(&global, million, true) - 28.5).abs() < 1e-9);
        // 1M cache writes: 3 × 1.25; 1M cache reads: 3 × 0.1.
        let cached = TokenCounts {
            cache_write: 1_000_000,
            cache_read: 1_000_000,
            ..TokenCounts::default()
        };
        assert!((estimate_cost(&global, cached, false) - 4.05).abs() < 1e-9);
        let limits = limits_for("global.anthropic.claude-sonnet-4-5-20250929-v1:0").expect("known");
        assert!(limits.sampling_exclusive && limits.thinking && limits.max_output > 0);
        assert!(
            !limits_for("us.anthropic.claude-sonnet-4-20250514-v1:0")
                .expect("known")
                .sampling_exclusive
        );
    }

    #[test]
    fn older_models_have_no_regional_premium() {
        let got = invocation_for(
            "m",
            &["us"],
            false,
            false,
            EndpointChoice::Regional,
            false,
            "us-east-1",
        );
        assert_eq!(got.map(|i| i.premium), Ok(false));
    }
}
