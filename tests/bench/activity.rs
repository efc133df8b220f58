//! `cairn-bench activity N [DIR]`: a year of heavy use (N calls spread over the 365 days before
//! today) in a fresh database (or DIR's); times what the Activity view asks for when it opens (the newest 200 calls and the
//! 30-day summary) and a whole-year summary, and prints the aggregate's query plan.

use std::time::Instant;

use cairn_store::{ActivityFilter, Store};

const MODELS: [&str; 4] = [
    "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic.claude-opus-4-5-20251101-v1:0",
    "anthropic.claude-sonnet-4-20250514-v1:0",
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `into`: a data folder to fill (the real-window benchmark opens it); else a temporary one.
pub fn run(count: u64, into: Option<&std::path::Path>) -> Result<serde_json::Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = into.unwrap_or(dir.path()).join("cairn.sqlite3");
    drop(Store::open(&path).map_err(|e| e.to_string())?);
    let filled = Instant::now();
    {
        let mut conn = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO activity (at, connection_id, connection_name, account, region,
                        model_id, invocation_id, api, endpoint, input_tokens, output_tokens,
                        cache_read_tokens, cache_write_tokens, cost_usd, first_token_ms,
                        duration_ms, outcome, error_kind, excerpt)
                     VALUES (?1, 'c1', 'Work', '123456789012', 'us-east-1', ?2, ?3, 'converse',
                        'global', ?4, ?5, 0, 0, ?6, 400, 2000, ?7, NULL, NULL)",
                )
                .map_err(|e| e.to_string())?;
            // Oldest first, evenly over the year before 2026-11-26.
            let start = time::OffsetDateTime::now_utc().unix_timestamp() - 365 * 86_400;
            let step = (365 * 86_400) as f64 / count as f64;
            for i in 0..count {
                let at =
                    time::OffsetDateTime::from_unix_timestamp(start + (i as f64 * step) as i64)
                        .map_err(|e| e.to_string())?
                        .format(&time::format_description::well_known::Rfc3339)
                        .map_err(|e| e.to_string())?;
                let model = MODELS[(i % 4) as usize];
                insert
                    .execute(rusqlite::params![
                        at,
                        model,
                        format!("global.{model}"),
                        1000 + (i % 5000),
                        200 + (i % 800),
                        0.003 + (i % 100) as f64 * 1e-5,
                        if i % 50 == 0 { "failed" } else { "complete" },
                    ])
                    .map_err(|e| e.to_string())?;
            }
        }
        tx.commit().map_err(|e| e.to_string())?;
    }
    let fill_seconds = filled.elapsed().as_secs_f64();
    let store = Store::open(&path).map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc();
    let day = |d: time::OffsetDateTime| d.date().to_string();
    let month = ActivityFilter {
        from: Some(day(now - time::Duration::days(30))),
        to: Some(day(now + time::Duration::days(1))),
        ..ActivityFilter::default()
    };
    let year = ActivityFilter::default();
    let time = |f: &dyn Fn() -> Result<usize, String>| -> Result<(f64, usize), String> {
        let mut samples = Vec::new();
        let mut n = 0;
        for _ in 0..7 {
            let t = Instant::now();
            n = f()?;
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        Ok((median(samples), n))
    };
    let (list_ms, listed) = time(&|| {
        store
            .activity(&month, 200, 0)
            .map(|v| v.len())
            .map_err(|e| e.to_string())
    })?;
    let (month_ms, month_calls) = time(&|| {
        store
            .activity_summary(&month)
            .map(|s| s.totals.calls as usize)
            .map_err(|e| e.to_string())
    })?;
    let (year_ms, year_calls) = time(&|| {
        store
            .activity_summary(&year)
            .map(|s| s.totals.calls as usize)
            .map_err(|e| e.to_string())
    })?;
    Ok(serde_json::json!({
        "calls": count,
        "fillSeconds": fill_seconds,
        "openView": { "newest200Ms": list_ms, "rows": listed, "summary30DaysMs": month_ms, "calls30Days": month_calls },
        "summaryYearMs": year_ms, "callsYear": year_calls,
        "plan30Days": store.activity_plan(&month).map_err(|e| e.to_string())?,
    }))
}
