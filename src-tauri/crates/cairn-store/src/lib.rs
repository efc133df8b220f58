//! Cairn's local database: SQLite in WAL mode, with versioned migrations. Conversations and
//! messages live here; secrets never do.

mod activity;
mod connections;
mod migrations;
mod types;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use activity::{
    ActivityBucket, ActivityEntry, ActivityFilter, ActivitySummary, ActivityTotals,
};
pub use connections::{ConnectionRecord, SsoRecord, VerificationRecord};
pub use types::{
    ChatMessage, Citation, Conversation, ConversationSummary, DocumentInfo, MessageAt,
    MessageStatus, Role, SearchHit, Usage,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the data directory {path}: {source}")]
    Directory {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("conversation {0} does not exist")]
    ConversationNotFound(String),
    #[error("message {0} does not exist")]
    MessageNotFound(String),
    #[error("connection {0} does not exist")]
    ConnectionNotFound(String),
    #[error("the database lock was poisoned by an earlier panic")]
    Poisoned,
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

pub(crate) fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Titles are the first line of the first message, cut at a word near 60 characters.
pub fn title_from(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() <= 60 {
        return line.to_owned();
    }
    let cut: String = line.chars().take(60).collect();
    let cut = match cut.rfind(' ') {
        Some(pos) if pos > 30 => cut[..pos].to_owned(),
        _ => cut,
    };
    format!("{cut}…")
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.title, c.model_id, c.updated_at,
        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id), c.pinned
     FROM conversations c";

const MESSAGE_SELECT: &str = "SELECT id, role, text, thinking, status, model_id, created_at,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, first_token_ms,
        total_ms, cost_usd, price_date, conversation_id, seq, citations_json, stop_reason
     FROM messages";

fn message_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageAt> {
    let input: Option<u32> = r.get(7)?;
    let output: Option<u32> = r.get(8)?;
    // Usage exists once the model reported tokens (older rows have no cache or timing columns).
    let usage = match (input, output) {
        (Some(input_tokens), Some(output_tokens)) => Some(Usage {
            input_tokens,
            output_tokens,
            cache_read_tokens: r.get::<_, Option<u32>>(9)?.unwrap_or(0),
            cache_write_tokens: r.get::<_, Option<u32>>(10)?.unwrap_or(0),
            first_token_ms: r.get(11)?,
            total_ms: r.get(12)?,
            cost_usd: r.get(13)?,
            price_date: r.get(14)?,
        }),
        _ => None,
    };
    Ok(MessageAt {
        conversation_id: r.get(15)?,
        seq: r.get(16)?,
        message: ChatMessage {
            id: r.get(0)?,
            role: Role::from_db(&r.get::<_, String>(1)?),
            text: r.get(2)?,
            thinking: r.get(3)?,
            status: MessageStatus::from_db(&r.get::<_, String>(4)?),
            model_id: r.get(5)?,
            created_at: r.get(6)?,
            usage,
            documents: Vec::new(),
            citations: r
                .get::<_, Option<String>>(17)?
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
            stop_reason: r.get(18)?,
        },
    })
}

fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationSummary> {
    Ok(ConversationSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        model_id: r.get(2)?,
        updated_at: r.get(3)?,
        message_count: r.get(4)?,
        pinned: r.get(5)?,
    })
}

impl Store {
    /// Opens (or creates) `cairn.sqlite3` in `dir`, migrates it, and marks answers that were
    /// still streaming when the app last stopped as incomplete.
    pub fn open_in(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
            path: dir.display().to_string(),
            source,
        })?;
        Self::open(&dir.join("cairn.sqlite3"))
    }

    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL is durable across application crashes in WAL mode (only power loss can lose
        // the last transactions), and much faster than FULL for streaming writes.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::apply(&mut conn)?;
        let recovered = conn.execute(
            "UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'",
            [],
        )?;
        // Undo of a delete lasts for the session in which it happened.
        conn.execute("DELETE FROM conversations WHERE deleted_at IS NOT NULL", [])?;
        if recovered > 0 {
            tracing::info!(recovered, "marked interrupted answers as incomplete");
        }
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    pub fn journal_mode(&self) -> Result<String> {
        Ok(self
            .conn()?
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    pub fn create_conversation(&self, title: &str, model_id: &str) -> Result<ConversationSummary> {
        let id = new_id();
        let at = now();
        self.conn()?.execute(
            "INSERT INTO conversations (id, title, model_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, title, model_id, at],
        )?;
        Ok(ConversationSummary {
            id,
            title: title.to_owned(),
            model_id: model_id.to_owned(),
            updated_at: at,
            message_count: 0,
            pinned: false,
        })
    }

    pub fn rename_conversation(&self, id: &str, title: &str) -> Result<()> {
        self.touch_conversation(
            "UPDATE conversations SET title = ?2 WHERE id = ?1",
            id,
            title,
        )
    }

    pub fn set_pinned(&self, id: &str, pinned: bool) -> Result<()> {
        let changed = self.conn()?.execute(
            "UPDATE conversations SET pinned = ?2 WHERE id = ?1",
            params![id, pinned],
        )?;
        if changed == 0 {
            return Err(StoreError::ConversationNotFound(id.to_owned()));
        }
        Ok(())
    }

    /// Hides a conversation; [`Store::restore_conversation`] undoes it until the next start,
    /// when deleted conversations are purged.
    pub fn delete_conversation(&self, id: &str) -> Result<()> {
        self.touch_conversation(
            "UPDATE conversations SET deleted_at = ?2 WHERE id = ?1",
            id,
            &now(),
        )
    }

    pub fn restore_conversation(&self, id: &str) -> Result<()> {
        let changed = self.conn()?.execute(
            "UPDATE conversations SET deleted_at = NULL WHERE id = ?1",
            [id],
        )?;
        if changed == 0 {
            return Err(StoreError::ConversationNotFound(id.to_owned()));
        }
        Ok(())
    }

    fn touch_conversation(&self, sql: &str, id: &str, value: &str) -> Result<()> {
        let changed = self.conn()?.execute(sql, params![id, value])?;
        if changed == 0 {
            return Err(StoreError::ConversationNotFound(id.to_owned()));
        }
        Ok(())
    }

    /// Full-text search over every message of the conversations not deleted. Three or more
    /// characters use the trigram index; shorter queries fall back to a plain substring scan.
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.conn()?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(SearchHit {
                conversation_id: r.get(0)?,
                title: r.get(1)?,
                message_id: r.get(2)?,
                role: Role::from_db(&r.get::<_, String>(3)?),
                snippet: r.get(4)?,
            })
        };
        if query.chars().count() >= 3 {
            // A phrase query: the user's text, quotes doubled, matched literally.
            let phrase = format!("\"{}\"", query.replace('"', "\"\""));
            // Newest matches first: FTS5 walks its index in rowid order and stops at the
            // limit, where ranking every match of a common word would score them all.
            let mut stmt = conn.prepare(
                "SELECT c.id, c.title, m.id, m.role,
                        snippet(messages_fts, 0, '[', ']', '…', 12)
                 FROM messages_fts
                 JOIN messages m ON m.rowid = messages_fts.rowid
                 JOIN conversations c ON c.id = m.conversation_id
                 WHERE messages_fts MATCH ?1 AND c.deleted_at IS NULL
                 ORDER BY messages_fts.rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![phrase, limit], map)?;
            return Ok(rows.collect::<std::result::Result<_, _>>()?);
        }
        let mut stmt = conn.prepare(
            "SELECT c.id, c.title, m.id, m.role, substr(m.text, 1, 120)
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE instr(m.text, ?1) > 0 AND c.deleted_at IS NULL
             ORDER BY m.created_at DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![query, limit], map)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn list_conversations(&self) -> Result<Vec<ConversationSummary>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "{SUMMARY_SELECT} WHERE c.deleted_at IS NULL
             ORDER BY c.pinned DESC, c.updated_at DESC, c.rowid DESC"
        ))?;
        let rows = stmt.query_map([], summary_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn conversation(&self, id: &str) -> Result<Conversation> {
        let conn = self.conn()?;
        let summary = conn
            .query_row(
                &format!("{SUMMARY_SELECT} WHERE c.id = ?1"),
                [id],
                summary_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::ConversationNotFound(id.to_owned()))?;
        let mut stmt = conn.prepare(&format!(
            "{MESSAGE_SELECT} WHERE conversation_id = ?1 ORDER BY seq"
        ))?;
        let mut messages = stmt
            .query_map([id], message_from_row)?
            .map(|m| m.map(|at| at.message))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut docs = conn.prepare(
            "SELECT md.message_id, d.id, md.name, d.pages, d.size_bytes
             FROM message_documents md
             JOIN messages m ON m.id = md.message_id
             JOIN documents d ON d.id = md.document_id
             WHERE m.conversation_id = ?1 ORDER BY md.message_id, md.position",
        )?;
        let rows = docs.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                DocumentInfo {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    pages: r.get(3)?,
                    size_bytes: r.get(4)?,
                },
            ))
        })?;
        for row in rows {
            let (message_id, document) = row?;
            if let Some(m) = messages.iter_mut().find(|m| m.id == message_id) {
                m.documents.push(document);
            }
        }
        Ok(Conversation { summary, messages })
    }

    pub fn conversation_settings(&self, id: &str) -> Result<Option<String>> {
        self.conn()?
            .query_row(
                "SELECT settings_json FROM conversations WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::ConversationNotFound(id.to_owned()))
    }

    pub fn set_conversation_settings(&self, id: &str, json: &str) -> Result<()> {
        let changed = self.conn()?.execute(
            "UPDATE conversations SET settings_json = ?2 WHERE id = ?1",
            params![id, json],
        )?;
        if changed == 0 {
            return Err(StoreError::ConversationNotFound(id.to_owned()));
        }
        Ok(())
    }

    /// Adds a message and touches its conversation; returns the new message's ID.
    pub fn add_message(
        &self,
        conversation_id: &str,
        role: Role,
        text: &str,
        status: MessageStatus,
        model_id: Option<&str>,
    ) -> Result<String> {
        let id = new_id();
        let at = now();
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let touched = tx.execute(
            "UPDATE conversations SET updated_at = ?2 WHERE id = ?1",
            params![conversation_id, at],
        )?;
        if touched == 0 {
            return Err(StoreError::ConversationNotFound(conversation_id.to_owned()));
        }
        tx.execute(
            "INSERT INTO messages (id, conversation_id, seq, role, text, status, model_id, created_at, updated_at)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?2),
                     ?3, ?4, ?5, ?6, ?7, ?7)",
            params![id, conversation_id, role.as_db(), text, status.as_db(), model_id, at],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves the text (and thinking) streamed so far — called in batches while an answer
    /// streams, and to replace the text of an edited message.
    pub fn save_partial(&self, message_id: &str, text: &str, thinking: Option<&str>) -> Result<()> {
        let changed = self.conn()?.execute(
            "UPDATE messages SET text = ?2, thinking = ?3, updated_at = ?4 WHERE id = ?1",
            params![message_id, text, thinking, now()],
        )?;
        if changed == 0 {
            return Err(StoreError::MessageNotFound(message_id.to_owned()));
        }
        Ok(())
    }

    /// Saves the final text, thinking, status and usage of an answer.
    pub fn finish_message(
        &self,
        message_id: &str,
        text: &str,
        thinking: Option<&str>,
        status: MessageStatus,
        usage: Option<&Usage>,
    ) -> Result<()> {
        let changed = self.conn()?.execute(
            "UPDATE messages SET text = ?2, thinking = ?3, status = ?4, input_tokens = ?5,
                output_tokens = ?6, cache_read_tokens = ?7, cache_write_tokens = ?8,
                first_token_ms = ?9, total_ms = ?10, cost_usd = ?11, price_date = ?12,
                updated_at = ?13
             WHERE id = ?1",
            params![
                message_id,
                text,
                thinking,
                status.as_db(),
                usage.map(|u| u.input_tokens),
                usage.map(|u| u.output_tokens),
                usage.map(|u| u.cache_read_tokens),
                usage.map(|u| u.cache_write_tokens),
                usage.and_then(|u| u.first_token_ms),
                usage.and_then(|u| u.total_ms),
                usage.and_then(|u| u.cost_usd),
                usage.and_then(|u| u.price_date.as_deref()),
                now()
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::MessageNotFound(message_id.to_owned()));
        }
        Ok(())
    }

    /// Records a message's PDFs (the files themselves are kept by the caller).
    pub fn attach_documents(&self, message_id: &str, documents: &[DocumentInfo]) -> Result<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        for (position, d) in documents.iter().enumerate() {
            tx.execute(
                "INSERT OR IGNORE INTO documents (id, pages, size_bytes, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![d.id, d.pages, d.size_bytes, now()],
            )?;
            tx.execute(
                "INSERT INTO message_documents (message_id, position, document_id, name)
                 VALUES (?1, ?2, ?3, ?4)",
                params![message_id, position, d.id, d.name],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The documents of a conversation's messages in order, those up to position `until_seq`
    /// when given — without reading the messages themselves.
    pub fn conversation_documents(
        &self,
        conversation_id: &str,
        until_seq: Option<i64>,
    ) -> Result<Vec<DocumentInfo>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT d.id, md.name, d.pages, d.size_bytes
             FROM message_documents md
             JOIN messages m ON m.id = md.message_id
             JOIN documents d ON d.id = md.document_id
             WHERE m.conversation_id = ?1 AND (?2 IS NULL OR m.seq <= ?2)
             ORDER BY m.seq, md.position",
        )?;
        let rows = stmt.query_map(params![conversation_id, until_seq], |r| {
            Ok(DocumentInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                pages: r.get(2)?,
                size_bytes: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The user message last before position `seq` (the question an answer replies to).
    pub fn question_before(&self, conversation_id: &str, seq: i64) -> Result<Option<String>> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT id FROM messages WHERE conversation_id = ?1 AND seq < ?2 AND role = 'user'
                 ORDER BY seq DESC LIMIT 1",
                params![conversation_id, seq],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The position of a conversation's last message (0 when it has none).
    pub fn last_seq(&self, conversation_id: &str) -> Result<i64> {
        Ok(self.conn()?.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = ?1",
            [conversation_id],
            |r| r.get(0),
        )?)
    }

    /// What a stored document is, by its ID.
    pub fn document(&self, id: &str) -> Result<Option<(u32, u32)>> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT pages, size_bytes FROM documents WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn set_stop_reason(&self, message_id: &str, reason: &str) -> Result<()> {
        self.conn()?.execute(
            "UPDATE messages SET stop_reason = ?2 WHERE id = ?1",
            params![message_id, reason],
        )?;
        Ok(())
    }

    pub fn set_citations(&self, message_id: &str, citations: &[Citation]) -> Result<()> {
        let json = serde_json::to_string(citations).unwrap_or_else(|_| "[]".to_owned());
        self.conn()?.execute(
            "UPDATE messages SET citations_json = ?2 WHERE id = ?1",
            params![message_id, json],
        )?;
        Ok(())
    }

    /// One message with its conversation and position (its documents are not read: see
    /// [`Store::conversation_documents`]).
    pub fn message(&self, message_id: &str) -> Result<MessageAt> {
        self.conn()?
            .query_row(
                &format!("{MESSAGE_SELECT} WHERE id = ?1"),
                [message_id],
                message_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::MessageNotFound(message_id.to_owned()))
    }

    /// Deletes the messages of a conversation from position `seq` on (editing a question or
    /// regenerating an answer replaces everything after it). Returns how many went.
    pub fn delete_messages_from(&self, conversation_id: &str, seq: i64) -> Result<usize> {
        Ok(self.conn()?.execute(
            "DELETE FROM messages WHERE conversation_id = ?1 AND seq >= ?2",
            params![conversation_id, seq],
        )?)
    }

    pub fn set_message_status(&self, message_id: &str, status: MessageStatus) -> Result<()> {
        self.conn()?.execute(
            "UPDATE messages SET status = ?2, updated_at = ?3 WHERE id = ?1",
            params![message_id, status.as_db(), now()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
