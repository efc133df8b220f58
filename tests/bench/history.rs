//! Stored history at scale: `cairn-bench search N` times full-text search (FTS5 trigram, as the
//! app runs it) against a LIKE scan of the same N messages; `cairn-bench seed DIR SPEC…` writes
//! conversations of given lengths into a data folder for the real-window benchmarks.

use std::path::Path;
use std::time::Instant;

use cairn_store::{MessageStatus, Role, Store};

const ENGLISH: &[&str] = &[
    "revenue",
    "growth",
    "quarter",
    "margin",
    "forecast",
    "analyst",
    "report",
    "budget",
    "customer",
    "market",
    "risk",
    "cash",
    "flow",
    "segment",
    "guidance",
    "inventory",
    "supply",
    "chain",
    "demand",
    "pricing",
    "the",
    "and",
    "of",
    "in",
    "for",
    "with",
    "was",
    "is",
    "by",
];
const CHINESE: &[&str] = &[
    "營業收入",
    "毛利率",
    "季度",
    "預測",
    "分析師",
    "報告",
    "預算",
    "客戶",
    "市場",
    "風險",
    "現金流",
    "供應鏈",
    "需求",
    "定價",
    "成長",
];

/// A deterministic message of about 30 words, Chinese in every third message.
pub fn message_text(i: u64) -> String {
    let mut state = i
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let words: Vec<&str> = (0..30)
        .map(|_| {
            if i.is_multiple_of(3) && next(2) == 0 {
                CHINESE[next(CHINESE.len())]
            } else {
                ENGLISH[next(ENGLISH.len())]
            }
        })
        .collect();
    // A rare marker in one message of 5,000: what a user searches for to find one thing.
    let marker = if i % 5_000 == 17 { " zephyrine" } else { "" };
    format!("Message {i}: {}{marker}.", words.join(" "))
}

/// Writes `count` messages into one conversation per 100 messages, in a single transaction
/// (the FTS index is kept by the same triggers the app uses).
fn fill(path: &Path, count: u64) -> Result<(), String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    drop(store);
    let mut conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    for c in 0..count.div_ceil(100) {
        tx.execute(
            "INSERT INTO conversations (id, title, model_id, created_at, updated_at)
             VALUES (?1, ?2, 'm', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            rusqlite::params![format!("c{c}"), format!("Conversation {c}")],
        )
        .map_err(|e| e.to_string())?;
    }
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'complete', ?6, ?6)",
            )
            .map_err(|e| e.to_string())?;
        for i in 0..count {
            let at = format!("2026-01-01T00:00:{:02}.{i:09}Z", i % 60);
            insert
                .execute(rusqlite::params![
                    format!("m{i}"),
                    format!("c{}", i / 100),
                    i % 100,
                    if i % 2 == 0 { "user" } else { "assistant" },
                    message_text(i),
                    at
                ])
                .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().map_err(|e| e.to_string())
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

pub fn search(count: u64) -> Result<serde_json::Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("cairn.sqlite3");
    let filled = Instant::now();
    fill(&path, count)?;
    let fill_seconds = filled.elapsed().as_secs_f64();
    let store = Store::open(&path).map_err(|e| e.to_string())?;
    let conn = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
    let mut like = conn
        .prepare(
            "SELECT c.id, c.title, m.id, m.role, substr(m.text, 1, 120)
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.text LIKE ?1 AND c.deleted_at IS NULL
             ORDER BY m.created_at DESC LIMIT 50",
        )
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for query in ["zephyrine", "營業收入", "cash flow", "guidance"] {
        let mut fts_times = Vec::new();
        let mut like_times = Vec::new();
        let (mut fts_hits, mut like_hits) = (0, 0);
        for _ in 0..7 {
            let t = Instant::now();
            fts_hits = store.search(query, 50).map_err(|e| e.to_string())?.len();
            fts_times.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            like_hits = like
                .query_map([format!("%{query}%")], |_| Ok(()))
                .map_err(|e| e.to_string())?
                .count();
            like_times.push(t.elapsed().as_secs_f64());
        }
        let (fts, like) = (median(fts_times), median(like_times));
        rows.push(serde_json::json!({
            "query": query, "ftsMs": fts * 1e3, "likeMs": like * 1e3,
            "likeOverFts": like / fts, "ftsHits": fts_hits, "likeHits": like_hits,
        }));
    }
    Ok(serde_json::json!({ "messages": count, "fillSeconds": fill_seconds, "queries": rows }))
}

/// `SPEC` is `TITLE=N`: a conversation of N messages (alternating question and answer; answers
/// carry markdown with a list and a code block).
pub fn seed(dir: &Path, specs: &[String]) -> Result<(), String> {
    let store = Store::open_in(dir).map_err(|e| e.to_string())?;
    for spec in specs {
        let (title, n) = spec
            .split_once('=')
            .and_then(|(t, n)| n.parse::<u64>().ok().map(|n| (t, n)))
            .ok_or(format!("not TITLE=N: {spec}"))?;
        let c = store
            .create_conversation(title, "global.anthropic.claude-sonnet-4-5-20250929-v1:0")
            .map_err(|e| e.to_string())?;
        for i in 0..n {
            let (role, text) = if i.is_multiple_of(2) {
                (Role::User, message_text(i))
            } else {
                (
                    Role::Assistant,
                    format!(
                        "Answer {i}.\n\n- {}\n- second point\n\n```rust\nfn main() {{ println!(\"{i}\"); }}\n```\n",
                        message_text(i)
                    ),
                )
            };
            store
                .add_message(&c.id, role, &text, MessageStatus::Complete, None)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
