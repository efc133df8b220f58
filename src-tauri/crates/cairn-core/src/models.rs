//! The model-access table and the chat's model list: one catalog (live, cached per connection
//! and region, or the bundled snapshot), the user's endpoint choices, and access checks.

use cairn_bedrock::access::{
    bundled_catalog, refresh_catalog, CatalogEntry, EndpointChoice, Invocation, ModelCatalog,
    AVAILABILITY_CONCURRENCY,
};
use cairn_bedrock::catalog::ModelOption;
use cairn_bedrock::{identity, BedrockClients, ErrorKind};
use cairn_store::Store;
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use crate::connections::DEMO_ID;
use crate::CairnError;

/// The outcome of "Check access": the cheapest real call (CountTokens) with the invocation ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccessCheck {
    pub ok: bool,
    /// RFC 3339.
    pub checked_at: String,
    pub invocation_id: String,
    pub error: Option<CairnError>,
}

/// One row: what Bedrock and the metadata say, plus the user's endpoint choice and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelRow {
    pub entry: CatalogEntry,
    pub choice: EndpointChoice,
    /// The ID Cairn will call; `None` when no route exists from this region.
    pub invocation: Option<Invocation>,
    /// Why there is no route (`NoProfileForRegion`, `OnlyGlobalProfile`).
    pub route_problem: Option<String>,
    /// Prices for the chosen endpoint (premium included), USD per million tokens.
    pub input_price: Option<f64>,
    pub output_price: Option<f64>,
    pub last_check: Option<AccessCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelTable {
    pub catalog: ModelCatalog,
    pub rows: Vec<ModelRow>,
    /// The connection forbids `global.` (data residency).
    pub keep_in_geography: bool,
    /// Why the table is not live, in technical words (e.g. the refresh failed and this is the
    /// cached copy), for the UI to explain.
    pub notice: Option<CairnError>,
}

fn choice_key(connection: &str, model: &str) -> String {
    format!("connection:{connection}:endpoint:{model}")
}

fn residency_key(connection: &str) -> String {
    format!("connection:{connection}:keep_in_geography")
}

fn check_key(connection: &str, model: &str) -> String {
    format!("connection:{connection}:check:{model}")
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Reads and writes the table for one connection.
pub struct ModelService<'a> {
    pub store: &'a Store,
    pub clients: &'a BedrockClients,
    pub connection_id: &'a str,
}

impl ModelService<'_> {
    fn choice(&self, model: &str) -> Result<EndpointChoice, CairnError> {
        Ok(
            match self
                .store
                .setting(&choice_key(self.connection_id, model))?
                .as_deref()
            {
                Some("regional") => EndpointChoice::Regional,
                _ => EndpointChoice::Global,
            },
        )
    }

    pub fn keep_in_geography(&self) -> Result<bool, CairnError> {
        Ok(self
            .store
            .setting(&residency_key(self.connection_id))?
            .as_deref()
            == Some("true"))
    }

    pub fn set_keep_in_geography(&self, keep: bool) -> Result<(), CairnError> {
        self.store.set_setting(
            &residency_key(self.connection_id),
            if keep { "true" } else { "false" },
        )?;
        Ok(())
    }

    pub fn set_choice(&self, model: &str, choice: EndpointChoice) -> Result<(), CairnError> {
        let value = match choice {
            EndpointChoice::Global => "global",
            EndpointChoice::Regional => "regional",
        };
        self.store
            .set_setting(&choice_key(self.connection_id, model), value)?;
        Ok(())
    }

    /// The catalog: the demo shows the bundled snapshot; a connection shows its cached copy
    /// unless `refresh` (or nothing is cached), and falls back to the cache or the snapshot,
    /// with a notice, when Bedrock cannot be asked.
    pub async fn catalog(
        &self,
        refresh: bool,
    ) -> Result<(ModelCatalog, Option<CairnError>), CairnError> {
        let region = &self.clients.region;
        if self.connection_id == DEMO_ID {
            return Ok((bundled_catalog(region)?, None));
        }
        let cached = self
            .store
            .cached_catalog(self.connection_id, region)?
            .and_then(|json| serde_json::from_str::<ModelCatalog>(&json).ok());
        if let (false, Some(cached)) = (refresh, &cached) {
            return Ok((cached.clone(), None));
        }
        match refresh_catalog(self.clients).await {
            Ok(live) => {
                if let Ok(json) = serde_json::to_string(&live) {
                    self.store
                        .cache_catalog(self.connection_id, region, &json)?;
                }
                tracing::info!(models = live.entries.len(), "model catalog refreshed");
                Ok((live, None))
            }
            Err(e) => {
                let notice = CairnError::from(e);
                tracing::warn!(error = %notice, "model catalog refresh failed");
                match cached {
                    Some(c) => Ok((c, Some(notice))),
                    None => Ok((bundled_catalog(region)?, Some(notice))),
                }
            }
        }
    }

    fn row(&self, entry: CatalogEntry, keep: bool, premium: f64) -> Result<ModelRow, CairnError> {
        let choice = self.choice(&entry.model_id)?;
        let (invocation, route_problem) = match entry.invocation(choice, keep, &self.clients.region)
        {
            Ok(i) => (Some(i), None),
            Err(code) => (None, Some(code.to_owned())),
        };
        let factor = if invocation.as_ref().is_some_and(|i| i.premium) {
            premium
        } else {
            1.0
        };
        let last_check = self
            .store
            .setting(&check_key(self.connection_id, &entry.model_id))?
            .and_then(|json| serde_json::from_str(&json).ok());
        Ok(ModelRow {
            input_price: entry.input_price.map(|p| p * factor),
            output_price: entry.output_price.map(|p| p * factor),
            entry,
            choice,
            invocation,
            route_problem,
            last_check,
        })
    }

    pub async fn table(&self, refresh: bool) -> Result<ModelTable, CairnError> {
        let (catalog, notice) = self.catalog(refresh).await?;
        let keep = self.keep_in_geography()?;
        let rows = catalog
            .entries
            .iter()
            .cloned()
            .map(|e| self.row(e, keep, catalog.premium_factor))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelTable {
            catalog,
            rows,
            keep_in_geography: keep,
            notice,
        })
    }

    /// The chat's choices: every model with a route, active ones first.
    pub async fn chat_models(&self) -> Result<Vec<ModelOption>, CairnError> {
        let table = self.table(false).await?;
        let mut options: Vec<ModelOption> = table
            .rows
            .into_iter()
            .filter_map(|row| {
                let invocation = row.invocation?;
                Some(ModelOption {
                    model_id: row.entry.model_id,
                    invocation_id: invocation.invocation_id,
                    name: row.entry.name,
                    lifecycle: row.entry.lifecycle,
                    endpoint: invocation.endpoint,
                })
            })
            .collect();
        options.sort_by_key(|o| o.lifecycle != "ACTIVE");
        Ok(options)
    }

    /// Checks one model with a real CountTokens call through its invocation ID (never the base
    /// ID of a profile-only model) and remembers the outcome.
    pub async fn check_access(&self, model_id: &str) -> Result<AccessCheck, CairnError> {
        let table = self.table(false).await?;
        let row = table
            .rows
            .into_iter()
            .find(|r| r.entry.model_id == model_id)
            .ok_or_else(|| {
                CairnError::new(
                    ErrorKind::NotFound,
                    format!("{model_id} is not in the catalog"),
                )
            })?;
        let Some(invocation) = row.invocation else {
            return Err(CairnError::new(
                ErrorKind::NeedsProfile,
                format!(
                    "{model_id} has no inference profile usable from {}",
                    self.clients.region
                ),
            )
            .with_code(row.route_problem.unwrap_or_default()));
        };
        let result = identity::probe_model(self.clients, &invocation.invocation_id).await;
        let check = AccessCheck {
            ok: result.is_ok(),
            checked_at: now_rfc3339(),
            invocation_id: invocation.invocation_id,
            error: result.err().map(CairnError::from),
        };
        if let Ok(json) = serde_json::to_string(&check) {
            self.store
                .set_setting(&check_key(self.connection_id, model_id), &json)?;
        }
        Ok(check)
    }

    async fn check_one(&self, model_id: String) -> (String, Result<AccessCheck, CairnError>) {
        let result = self.check_access(&model_id).await;
        (model_id, result)
    }

    /// "Check all": every model with a route, a few at a time.
    pub async fn check_all(&self) -> Result<Vec<(String, AccessCheck)>, CairnError> {
        let table = self.table(false).await?;
        let ids: Vec<String> = table
            .rows
            .iter()
            .filter(|r| r.invocation.is_some())
            .map(|r| r.entry.model_id.clone())
            .collect();
        let calls: Vec<_> = ids.into_iter().map(|id| self.check_one(id)).collect();
        let results: Vec<(String, Result<AccessCheck, CairnError>)> = stream::iter(calls)
            .buffer_unordered(AVAILABILITY_CONCURRENCY)
            .collect()
            .await;
        results
            .into_iter()
            .map(|(id, r)| r.map(|c| (id, c)))
            .collect()
    }
}
