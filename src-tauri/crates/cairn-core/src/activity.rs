//! The local activity log: what each model call was (never the conversation's text unless the
//! user opted into short excerpts), kept for a rolling number of days.

use cairn_store::{ActivityEntry, Store, Usage};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::CairnError;
use cairn_bedrock::ErrorKind;

/// Anthropic recommends keeping at least 30 days of activity.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
pub const MIN_RETENTION_DAYS: u32 = 7;
pub const MAX_RETENTION_DAYS: u32 = 365;
/// Excerpts, when the user opted in, are at most this many characters of the question.
pub const EXCERPT_CHARS: usize = 80;

const RETENTION_KEY: &str = "activity.retention_days";
const EXCERPTS_KEY: &str = "activity.excerpts";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySettings {
    pub retention_days: u32,
    /// Keep the first words of each question with its call.
    pub excerpts: bool,
}

impl Default for ActivitySettings {
    fn default() -> Self {
        Self {
            retention_days: DEFAULT_RETENTION_DAYS,
            excerpts: false,
        }
    }
}

pub fn settings(store: &Store) -> Result<ActivitySettings, CairnError> {
    let days = store
        .setting(RETENTION_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RETENTION_DAYS);
    let excerpts = store.setting(EXCERPTS_KEY)?.as_deref() == Some("true");
    Ok(ActivitySettings {
        retention_days: days,
        excerpts,
    })
}

/// Saves the settings (retention between 7 and 365 days) and prunes at once.
pub fn set_settings(
    store: &Store,
    new: ActivitySettings,
    now: OffsetDateTime,
) -> Result<usize, CairnError> {
    if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&new.retention_days) {
        return Err(CairnError::new(
            ErrorKind::InvalidInput,
            format!(
                "keep activity between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days, not {}",
                new.retention_days
            ),
        )
        .with_code("RetentionOutOfRange"));
    }
    store.set_setting(RETENTION_KEY, &new.retention_days.to_string())?;
    store.set_setting(EXCERPTS_KEY, if new.excerpts { "true" } else { "false" })?;
    prune(store, now)
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Deletes the calls older than the retention period as of `now` (the clock is a parameter so
/// tests can set it). Returns how many went.
pub fn prune(store: &Store, now: OffsetDateTime) -> Result<usize, CairnError> {
    let days = settings(store)?.retention_days;
    let cutoff = now - Duration::days(i64::from(days));
    Ok(store.prune_activity(&rfc3339(cutoff.to_offset(time::UtcOffset::UTC)))?)
}

/// Who made the calls: the active connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityContext {
    pub connection_id: String,
    pub connection_name: String,
    pub account: Option<String>,
    pub region: String,
}

/// "global", "regional" (a geography's profile) or "base" (on-demand by base ID).
pub fn endpoint_of(invocation_id: &str) -> &'static str {
    match invocation_id.split_once('.') {
        Some(("global", _)) => "global",
        Some((_, rest)) if rest.starts_with("anthropic.") => "regional",
        _ => "base",
    }
}

/// The base model ID of an invocation ID.
pub fn base_model(invocation_id: &str) -> &str {
    match invocation_id.split_once('.') {
        Some((_, rest)) if rest.starts_with("anthropic.") => rest,
        _ => invocation_id,
    }
}

/// One finished call, as the log keeps it.
pub struct Call<'a> {
    pub invocation_id: &'a str,
    pub api: &'a str,
    pub outcome: &'a str,
    pub error_kind: Option<ErrorKind>,
    pub usage: Option<&'a Usage>,
    pub duration_ms: u32,
    pub question: &'a str,
}

pub fn record(
    store: &Store,
    context: &ActivityContext,
    call: Call<'_>,
    now: OffsetDateTime,
) -> Result<(), CairnError> {
    let excerpt = settings(store)?.excerpts.then(|| {
        let first: String = call.question.chars().take(EXCERPT_CHARS).collect();
        first.split_whitespace().collect::<Vec<_>>().join(" ")
    });
    let usage = call.usage.cloned().unwrap_or_default();
    store.record_activity(&ActivityEntry {
        id: None,
        at: rfc3339(now),
        connection_id: context.connection_id.clone(),
        connection_name: context.connection_name.clone(),
        account: context.account.clone(),
        region: context.region.clone(),
        model_id: base_model(call.invocation_id).to_owned(),
        invocation_id: call.invocation_id.to_owned(),
        api: call.api.to_owned(),
        endpoint: endpoint_of(call.invocation_id).to_owned(),
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_read_tokens: usage.cache_read_tokens,
        cache_write_tokens: usage.cache_write_tokens,
        cost_usd: usage.cost_usd,
        first_token_ms: usage.first_token_ms,
        duration_ms: call.duration_ms,
        outcome: call.outcome.to_owned(),
        error_kind: call
            .error_kind
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.as_str().map(str::to_owned)),
        excerpt,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_base_models_come_from_the_invocation_id() {
        let id = "anthropic.claude-sonnet-4-5-20250929-v1:0";
        assert_eq!(endpoint_of(&format!("global.{id}")), "global");
        assert_eq!(endpoint_of(&format!("eu.{id}")), "regional");
        assert_eq!(endpoint_of(id), "base");
        assert_eq!(base_model(&format!("us.{id}")), id);
    }

    #[test]
    fn retention_follows_the_setting_with_a_controlled_clock() {
        let store = Store::open_in_memory().expect("open");
        let now = OffsetDateTime::parse("2026-11-26T12:00:00Z", &Rfc3339).expect("time");
        let context = ActivityContext::default();
        for days in [29, 30, 31, 60] {
            let call = Call {
                invocation_id: "m",
                api: "converse",
                outcome: "complete",
                error_kind: None,
                usage: None,
                duration_ms: 1,
                question: "secret question text",
            };
            record(&store, &context, call, now - Duration::days(days)).expect("record");
        }
        let filter = cairn_store::ActivityFilter::default();
        assert_eq!(prune(&store, now).expect("prune"), 2, "31 and 60 days old");
        assert_eq!(store.activity(&filter, 10, 0).expect("list").len(), 2);
        // 7 days: everything left (29, 30) goes; out-of-range values are refused.
        let week = ActivitySettings {
            retention_days: 7,
            excerpts: false,
        };
        assert_eq!(set_settings(&store, week, now).expect("set"), 2);
        for days in [6, 366] {
            let bad = ActivitySettings {
                retention_days: days,
                excerpts: false,
            };
            assert_eq!(
                set_settings(&store, bad, now)
                    .err()
                    .and_then(|e| e.code)
                    .as_deref(),
                Some("RetentionOutOfRange")
            );
        }
        // No excerpt unless opted in; with it, the first words only.
        let call = |q| Call {
            invocation_id: "m",
            api: "converse",
            outcome: "complete",
            error_kind: None,
            usage: None,
            duration_ms: 1,
            question: q,
        };
        record(&store, &context, call("first question"), now).expect("record");
        set_settings(
            &store,
            ActivitySettings {
                retention_days: 30,
                excerpts: true,
            },
            now,
        )
        .expect("set");
        record(&store, &context, call(&"long ".repeat(40)), now).expect("record");
        let excerpts: Vec<Option<String>> = store
            .activity(&filter, 10, 0)
            .expect("list")
            .into_iter()
            .map(|e| e.excerpt)
            .collect();
        assert_eq!(excerpts.len(), 2);
        assert_eq!(excerpts[1], None);
        assert!(excerpts[0]
            .as_ref()
            .is_some_and(|e| e.len() <= EXCERPT_CHARS && e.starts_with("long long")));
    }
}
