//! The activity log: one row per model call, kept for a rolling number of days, with the
//! filters, totals and per-day / per-model sums the Activity view shows.

use rusqlite::{params_from_iter, types::Value as SqlValue};
use serde::{Deserialize, Serialize};

use crate::{Result, Store};

/// One model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    /// Set by the store.
    pub id: Option<u32>,
    /// RFC 3339, UTC.
    pub at: String,
    pub connection_id: String,
    pub connection_name: String,
    /// The AWS account, when the connection was verified.
    pub account: Option<String>,
    pub region: String,
    /// The base model ID.
    pub model_id: String,
    /// What was called: a profile or the base ID.
    pub invocation_id: String,
    /// "converse" or "invokeModel".
    pub api: String,
    /// "global", "regional" or "base".
    pub endpoint: String,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cache_read_tokens: u32,
    pub cache_write_tokens: u32,
    pub cost_usd: Option<f64>,
    pub first_token_ms: Option<u32>,
    pub duration_ms: u32,
    /// "complete", "failed", "cancelled" or "incomplete".
    pub outcome: String,
    /// The error kind when the call failed.
    pub error_kind: Option<String>,
    /// The first words of the question, only when the user opted in.
    pub excerpt: Option<String>,
}

/// Which calls: every field narrows; `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityFilter {
    /// Inclusive lower bound, RFC 3339 (or a date `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Exclusive upper bound, RFC 3339 (or a date).
    pub to: Option<String>,
    pub connection_id: Option<String>,
    pub model_id: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTotals {
    pub calls: u32,
    pub failed: u32,
    // Sums are f64: exact far beyond any real total (2^53), and what the UI's numbers are.
    pub input_tokens: f64,
    pub output_tokens: f64,
    pub cache_read_tokens: f64,
    pub cache_write_tokens: f64,
    pub cost_usd: f64,
}

/// Sums for one day (UTC date) or one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityBucket {
    /// `YYYY-MM-DD` or a model ID.
    pub key: String,
    pub calls: u32,
    pub input_tokens: f64,
    pub output_tokens: f64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySummary {
    pub totals: ActivityTotals,
    pub per_day: Vec<ActivityBucket>,
    pub per_model: Vec<ActivityBucket>,
    /// Connections and models seen in the log (for the filters).
    pub connections: Vec<(String, String)>,
    pub models: Vec<String>,
}

const COLUMNS: &str = "id, at, connection_id, connection_name, account, region, model_id,
    invocation_id, api, endpoint, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, cost_usd, first_token_ms, duration_ms, outcome, error_kind, excerpt";

/// The WHERE clause and its values for a filter (only indexed columns and `outcome`).
fn filter_sql(filter: &ActivityFilter) -> (String, Vec<SqlValue>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    let mut add = |clause: &str, value: &Option<String>| {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            clauses.push(clause.to_owned());
            values.push(SqlValue::Text(v.clone()));
        }
    };
    add("at >= ?", &filter.from);
    add("at < ?", &filter.to);
    add("connection_id = ?", &filter.connection_id);
    add("model_id = ?", &filter.model_id);
    add("outcome = ?", &filter.outcome);
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivityEntry> {
    Ok(ActivityEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        connection_id: r.get(2)?,
        connection_name: r.get(3)?,
        account: r.get(4)?,
        region: r.get(5)?,
        model_id: r.get(6)?,
        invocation_id: r.get(7)?,
        api: r.get(8)?,
        endpoint: r.get(9)?,
        input_tokens: r.get(10)?,
        output_tokens: r.get(11)?,
        cache_read_tokens: r.get(12)?,
        cache_write_tokens: r.get(13)?,
        cost_usd: r.get(14)?,
        first_token_ms: r.get(15)?,
        duration_ms: r.get(16)?,
        outcome: r.get(17)?,
        error_kind: r.get(18)?,
        excerpt: r.get(19)?,
    })
}

/// A CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` is neutralised so a spreadsheet never runs it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

impl Store {
    pub fn record_activity(&self, entry: &ActivityEntry) -> Result<i64> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO activity (at, connection_id, connection_name, account, region, model_id,
                invocation_id, api, endpoint, input_tokens, output_tokens, cache_read_tokens,
                cache_write_tokens, cost_usd, first_token_ms, duration_ms, outcome, error_kind, excerpt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            rusqlite::params![
                entry.at, entry.connection_id, entry.connection_name, entry.account, entry.region,
                entry.model_id, entry.invocation_id, entry.api, entry.endpoint, entry.input_tokens,
                entry.output_tokens, entry.cache_read_tokens, entry.cache_write_tokens,
                entry.cost_usd, entry.first_token_ms, entry.duration_ms, entry.outcome,
                entry.error_kind, entry.excerpt
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Deletes calls before `cutoff` (RFC 3339); returns how many went.
    pub fn prune_activity(&self, cutoff: &str) -> Result<usize> {
        Ok(self
            .conn()?
            .execute("DELETE FROM activity WHERE at < ?1", [cutoff])?)
    }

    /// The newest calls first.
    pub fn activity(
        &self,
        filter: &ActivityFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ActivityEntry>> {
        let (clause, mut values) = filter_sql(filter);
        values.push(SqlValue::Integer(i64::from(limit)));
        values.push(SqlValue::Integer(i64::from(offset)));
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM activity{clause} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt.query_map(params_from_iter(values), entry_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn activity_summary(&self, filter: &ActivityFilter) -> Result<ActivitySummary> {
        let (clause, values) = filter_sql(filter);
        let conn = self.conn()?;
        let totals = conn.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(outcome = 'failed'), 0), COALESCE(TOTAL(input_tokens), 0),
                    COALESCE(TOTAL(output_tokens), 0), COALESCE(TOTAL(cache_read_tokens), 0),
                    COALESCE(TOTAL(cache_write_tokens), 0), COALESCE(TOTAL(cost_usd), 0)
                 FROM activity{clause}"
            ),
            params_from_iter(values.iter()),
            |r| {
                Ok(ActivityTotals {
                    calls: r.get(0)?,
                    failed: r.get(1)?,
                    input_tokens: r.get(2)?,
                    output_tokens: r.get(3)?,
                    cache_read_tokens: r.get(4)?,
                    cache_write_tokens: r.get(5)?,
                    cost_usd: r.get(6)?,
                })
            },
        )?;
        let bucket = |key_sql: &str| -> Result<Vec<ActivityBucket>> {
            let mut stmt = conn.prepare(&format!(
                "SELECT {key_sql} AS k, COUNT(*), TOTAL(input_tokens),
                    TOTAL(output_tokens), TOTAL(cost_usd)
                 FROM activity{clause} GROUP BY k ORDER BY k"
            ))?;
            let rows = stmt.query_map(params_from_iter(values.iter()), |r| {
                Ok(ActivityBucket {
                    key: r.get(0)?,
                    calls: r.get(1)?,
                    input_tokens: r.get(2)?,
                    output_tokens: r.get(3)?,
                    cost_usd: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        };
        let per_day = bucket("substr(at, 1, 10)")?;
        let per_model = bucket("model_id")?;
        // The filters offer what the date range holds (on the time index, not the whole log).
        let (range, range_values) = filter_sql(&ActivityFilter {
            from: filter.from.clone(),
            to: filter.to.clone(),
            ..ActivityFilter::default()
        });
        let mut stmt = conn.prepare(&format!(
            "SELECT connection_id, MAX(connection_name) FROM activity{range} GROUP BY connection_id"
        ))?;
        let connections = stmt
            .query_map(params_from_iter(range_values.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<std::result::Result<_, _>>()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT DISTINCT model_id FROM activity{range} ORDER BY model_id"
        ))?;
        let models = stmt
            .query_map(params_from_iter(range_values.iter()), |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(ActivitySummary {
            totals,
            per_day,
            per_model,
            connections,
            models,
        })
    }

    /// The filtered calls as CSV (oldest first), one header line.
    pub fn activity_csv(&self, filter: &ActivityFilter) -> Result<String> {
        let (clause, values) = filter_sql(filter);
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM activity{clause} ORDER BY at, id"
        ))?;
        let mut out = String::from(
            "time,connection,account,region,model,invocation_id,api,endpoint,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cost_usd,first_token_ms,duration_ms,outcome,error_kind,excerpt\n",
        );
        let rows = stmt.query_map(params_from_iter(values), entry_from_row)?;
        for row in rows {
            let e = row?;
            let fields = [
                e.at,
                e.connection_name,
                e.account.unwrap_or_default(),
                e.region,
                e.model_id,
                e.invocation_id,
                e.api,
                e.endpoint,
                e.input_tokens.to_string(),
                e.output_tokens.to_string(),
                e.cache_read_tokens.to_string(),
                e.cache_write_tokens.to_string(),
                e.cost_usd.map(|c| format!("{c:.6}")).unwrap_or_default(),
                e.first_token_ms.map(|m| m.to_string()).unwrap_or_default(),
                e.duration_ms.to_string(),
                e.outcome,
                e.error_kind.unwrap_or_default(),
                e.excerpt.unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        Ok(out)
    }

    /// The query plan of the 30-day per-day aggregate (for the benchmark's report).
    pub fn activity_plan(&self, filter: &ActivityFilter) -> Result<Vec<String>> {
        let (clause, values) = filter_sql(filter);
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "EXPLAIN QUERY PLAN SELECT substr(at, 1, 10) AS k, COUNT(*), SUM(input_tokens),
                SUM(output_tokens), SUM(cost_usd) FROM activity{clause} GROUP BY k ORDER BY k"
        ))?;
        let rows = stmt.query_map(params_from_iter(values), |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
