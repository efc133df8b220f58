//! The simulated catalog: the origin document's model table plus newer dateless models.

use serde_json::{json, Value};

/// Geographies of system-defined inference profiles, as prefixes of the profile ID.
pub const GEOGRAPHIES: [&str; 6] = ["global", "us", "eu", "jp", "apac", "au"];

#[derive(Debug, Clone)]
pub struct CatalogModel {
    pub model_id: &'static str,
    pub name: &'static str,
    /// `true` when the base ID may be called on demand; otherwise only inference profiles work.
    pub on_demand: bool,
    /// Profile prefixes that exist for this model (subset of [`GEOGRAPHIES`]).
    pub profiles: &'static [&'static str],
    /// The date from which the model is legacy (deprecated), if any.
    pub legacy_since: Option<&'static str>,
    pub end_of_life: Option<&'static str>,
    pub input_modalities: &'static [&'static str],
}

impl CatalogModel {
    pub fn lifecycle_status(&self) -> &'static str {
        if self.legacy_since.is_some() {
            "LEGACY"
        } else {
            "ACTIVE"
        }
    }

    pub fn inference_types(&self) -> Vec<&'static str> {
        if self.on_demand {
            vec!["ON_DEMAND", "INFERENCE_PROFILE"]
        } else {
            vec!["INFERENCE_PROFILE"]
        }
    }
}

/// Models from Opus 4.1 on take temperature or top_p, not both.
pub fn sampling_exclusive(model_id: &str) -> bool {
    ["opus-4-1", "-4-5", "-4-6", "-4-7"]
        .iter()
        .any(|generation| model_id.contains(generation))
}

const TEXT_IMAGE: &[&str] = &["TEXT", "IMAGE"];

/// The catalog every simulator serves. The first ten rows are the origin document's table.
pub fn models() -> &'static [CatalogModel] {
    &MODELS
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The standard catalog plus `extra_models` synthetic models carrying `extra_profiles` profiles
/// in all (for benchmarks). Built once per distinct size and kept for the process's life.
pub fn catalog_with(extra_models: u32, extra_profiles: u32) -> &'static [CatalogModel] {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    if extra_models == 0 {
        return models();
    }
    type Built = HashMap<(u32, u32), &'static [CatalogModel]>;
    static BUILT: OnceLock<Mutex<Built>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let Ok(mut built) = built.lock() else {
        return models();
    };
    built
        .entry((extra_models, extra_profiles))
        .or_insert_with(|| {
            let mut all: Vec<CatalogModel> = models().to_vec();
            let per_model = extra_profiles / extra_models;
            let remainder = extra_profiles % extra_models;
            for i in 0..extra_models {
                let count =
                    (per_model + u32::from(i < remainder)).min(GEOGRAPHIES.len() as u32) as usize;
                let profiles: Vec<&'static str> = GEOGRAPHIES[..count].to_vec();
                all.push(CatalogModel {
                    model_id: leak(format!("anthropic.claude-synthetic-{i:04}-v1")),
                    name: leak(format!("Claude Synthetic {i}")),
                    on_demand: i % 3 == 0,
                    profiles: Box::leak(profiles.into_boxed_slice()),
                    legacy_since: None,
                    end_of_life: None,
                    input_modalities: TEXT_IMAGE,
                });
            }
            Box::leak(all.into_boxed_slice())
        })
}

static MODELS: [CatalogModel; 13] = [
    CatalogModel {
        model_id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        name: "Claude Sonnet 4.5",
        on_demand: false,
        profiles: &["global", "us", "eu", "jp"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-sonnet-4-20250514-v1:0",
        name: "Claude Sonnet 4",
        on_demand: false,
        profiles: &["global", "us", "eu", "apac"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-3-7-sonnet-20250219-v1:0",
        name: "Claude 3.7 Sonnet",
        on_demand: true,
        profiles: &["us", "eu", "apac"],
        legacy_since: Some("2025-10-28T00:00:00Z"),
        end_of_life: Some("2026-04-28T00:00:00Z"),
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-opus-4-5-20251101-v1:0",
        name: "Claude Opus 4.5",
        on_demand: false,
        profiles: &["global", "us", "eu"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-opus-4-1-20250805-v1:0",
        name: "Claude Opus 4.1",
        on_demand: false,
        profiles: &["us"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-opus-4-20250514-v1:0",
        name: "Claude Opus 4",
        on_demand: false,
        profiles: &["us"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-3-opus-20240229-v1:0",
        name: "Claude 3 Opus",
        on_demand: true,
        profiles: &["us"],
        legacy_since: Some("2025-06-30T00:00:00Z"),
        end_of_life: Some("2026-01-15T00:00:00Z"),
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-haiku-4-5-20251001-v1:0",
        name: "Claude Haiku 4.5",
        on_demand: false,
        profiles: &["global", "us", "eu"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-3-5-haiku-20241022-v1:0",
        name: "Claude 3.5 Haiku",
        on_demand: true,
        profiles: &["us"],
        legacy_since: Some("2025-12-19T00:00:00Z"),
        end_of_life: Some("2026-06-19T00:00:00Z"),
        input_modalities: &["TEXT"],
    },
    CatalogModel {
        model_id: "anthropic.claude-3-haiku-20240307-v1:0",
        name: "Claude 3 Haiku",
        on_demand: true,
        profiles: &["us", "eu", "apac"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-opus-4-6-v1",
        name: "Claude Opus 4.6",
        on_demand: false,
        profiles: &["global", "us", "eu", "jp", "au"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-sonnet-4-6",
        name: "Claude Sonnet 4.6",
        on_demand: false,
        profiles: &["global", "us", "eu", "jp", "apac", "au"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
    CatalogModel {
        model_id: "anthropic.claude-opus-4-7",
        name: "Claude Opus 4.7",
        on_demand: false,
        profiles: &["global", "us", "eu"],
        legacy_since: None,
        end_of_life: None,
        input_modalities: TEXT_IMAGE,
    },
];

/// What a model ID in a request path refers to.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    pub model: &'static CatalogModel,
    /// The profile prefix when the caller used an inference profile, `None` for the base ID.
    pub profile: Option<&'static str>,
}

/// Resolves a base ID, a profile ID, or an ARN of either, in the standard catalog.
pub fn resolve(id: &str) -> Option<ResolvedModel> {
    resolve_in(models(), id)
}

/// Resolves an ID in `catalog`.
pub fn resolve_in(catalog: &'static [CatalogModel], id: &str) -> Option<ResolvedModel> {
    let id = id
        .rsplit_once(":foundation-model/")
        .or_else(|| id.rsplit_once(":inference-profile/"))
        .map_or(id, |(_, tail)| tail);
    for model in catalog {
        if model.model_id == id {
            return Some(ResolvedModel {
                model,
                profile: None,
            });
        }
        if let Some((prefix, rest)) = id.split_once('.') {
            if rest == model.model_id {
                if let Some(found) = model.profiles.iter().find(|p| **p == prefix) {
                    return Some(ResolvedModel {
                        model,
                        profile: Some(found),
                    });
                }
            }
        }
    }
    None
}

fn profile_regions(geo: &str) -> &'static [&'static str] {
    match geo {
        "us" => &["us-east-1", "us-east-2", "us-west-2"],
        "eu" => &["eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1"],
        "jp" => &["ap-northeast-1", "ap-northeast-3"],
        "apac" => &[
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-southeast-1",
            "ap-south-1",
        ],
        "au" => &["ap-southeast-2", "ap-southeast-4"],
        _ => &["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"],
    }
}

fn geo_label(geo: &str) -> &'static str {
    match geo {
        "global" => "Global",
        "us" => "US",
        "eu" => "EU",
        "jp" => "JP",
        "apac" => "APAC",
        "au" => "AU",
        _ => "Other",
    }
}

const CREATED_AT: &str = "2025-10-01T00:00:00Z";

pub fn model_arn(region: &str, model_id: &str) -> String {
    format!("arn:aws:bedrock:{region}::foundation-model/{model_id}")
}

pub fn model_summary(model: &CatalogModel, region: &str) -> Value {
    let mut lifecycle = json!({ "status": model.lifecycle_status() });
    if let Some(since) = model.legacy_since {
        lifecycle["legacyTime"] = json!(since);
    }
    if let Some(end) = model.end_of_life {
        lifecycle["endOfLifeTime"] = json!(end);
    }
    json!({
        "modelArn": model_arn(region, model.model_id),
        "modelId": model.model_id,
        "modelName": model.name,
        "providerName": "Anthropic",
        "inputModalities": model.input_modalities,
        "outputModalities": ["TEXT"],
        "responseStreamingSupported": true,
        "customizationsSupported": [],
        "inferenceTypesSupported": model.inference_types(),
        "modelLifecycle": lifecycle,
    })
}

/// Every system-defined inference profile, in a stable order.
pub fn profiles(catalog: &[CatalogModel], region: &str, account: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for model in catalog {
        for geo in model.profiles {
            let id = format!("{geo}.{}", model.model_id);
            let models: Vec<Value> = profile_regions(geo)
                .iter()
                .map(|r| json!({ "modelArn": model_arn(r, model.model_id) }))
                .collect();
            out.push(json!({
                "inferenceProfileName": format!("{} {}", geo_label(geo), model.name),
                "description": format!("Routes requests to {} in {} regions.", model.name, geo_label(geo)),
                "createdAt": CREATED_AT,
                "updatedAt": CREATED_AT,
                "inferenceProfileArn": format!("arn:aws:bedrock:{region}:{account}:inference-profile/{id}"),
                "models": models,
                "inferenceProfileId": id,
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED",
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmark_catalog_has_300_models_and_1000_profiles() {
        let all = catalog_with(287, 962);
        assert_eq!(all.len(), 300);
        assert_eq!(profiles(all, "us-east-1", "1").len(), 1000);
        assert!(resolve_in(all, "us.anthropic.claude-synthetic-0005-v1").is_some());
        assert!(std::ptr::eq(all, catalog_with(287, 962)), "built once");
    }
}
