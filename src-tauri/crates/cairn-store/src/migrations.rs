//! Schema versions, applied in order and recorded in `PRAGMA user_version`.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: conversations and messages
    "CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        model_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
     );
     CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        text TEXT NOT NULL,
        status TEXT NOT NULL,
        model_id TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (conversation_id, seq)
     );
     CREATE INDEX messages_by_status ON messages(status);",
    // 2: connections (never secrets: those live in the OS keychain) and settings
    "CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        region TEXT NOT NULL,
        region_source TEXT NOT NULL,
        profile TEXT,
        access_key_hint TEXT,
        has_session_token INTEGER NOT NULL DEFAULT 0,
        secret_storage TEXT NOT NULL,
        endpoint_bedrock TEXT,
        endpoint_runtime TEXT,
        endpoint_sts TEXT,
        verified_account TEXT,
        verified_arn TEXT,
        verified_user_id TEXT,
        verified_at TEXT,
        created_at TEXT NOT NULL
     );
     CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
     );",
    // 3: IAM Identity Center connections (the access token itself lives in the keychain)
    "ALTER TABLE connections ADD COLUMN sso_start_url TEXT;
     ALTER TABLE connections ADD COLUMN sso_region TEXT;
     ALTER TABLE connections ADD COLUMN sso_account_id TEXT;
     ALTER TABLE connections ADD COLUMN sso_role_name TEXT;
     ALTER TABLE connections ADD COLUMN sso_expires_at TEXT;
     ALTER TABLE connections ADD COLUMN endpoint_sso TEXT;",
    // 4: the model catalog as last fetched, per connection and region
    "CREATE TABLE catalog_cache (
        connection_id TEXT NOT NULL,
        region TEXT NOT NULL,
        catalog_json TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (connection_id, region)
     );",
    // 5: a conversation's API, system prompt and parameters (JSON)
    "ALTER TABLE conversations ADD COLUMN settings_json TEXT;",
    // 6: pin, delete with undo, and full-text search that works for Chinese as for English
    // (trigram tokenizer: any 3+ character substring matches, no word segmentation needed)
    "ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE conversations ADD COLUMN deleted_at TEXT;
     CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='rowid', tokenize='trigram'
     );
     INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
     CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text);
     END;
     CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
     END;
     CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text);
     END;",
    // 7: an answer's thinking and its full usage (cache tokens, timings, estimated cost), so a
    // reopened conversation shows what each answer cost
    "ALTER TABLE messages ADD COLUMN thinking TEXT;
     ALTER TABLE messages ADD COLUMN cache_read_tokens INTEGER;
     ALTER TABLE messages ADD COLUMN cache_write_tokens INTEGER;
     ALTER TABLE messages ADD COLUMN first_token_ms INTEGER;
     ALTER TABLE messages ADD COLUMN total_ms INTEGER;
     ALTER TABLE messages ADD COLUMN cost_usd REAL;
     ALTER TABLE messages ADD COLUMN price_date TEXT;",
    // 8: PDFs (the bytes are files named by their SHA-256; these rows say what they are),
    // which message carried which under what name, and an answer's citations (JSON)
    "CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        pages INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL
     );
     CREATE TABLE message_documents (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        document_id TEXT NOT NULL REFERENCES documents(id),
        name TEXT NOT NULL,
        PRIMARY KEY (message_id, position)
     );
     ALTER TABLE messages ADD COLUMN citations_json TEXT;",
    // 9: the activity log, one row per model call (no prompt or answer text unless the user
    // opted into short excerpts); `at` is RFC 3339 UTC so text order is time order
    "CREATE TABLE activity (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        connection_name TEXT NOT NULL,
        account TEXT,
        region TEXT NOT NULL,
        model_id TEXT NOT NULL,
        invocation_id TEXT NOT NULL,
        api TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_usd REAL,
        first_token_ms INTEGER,
        duration_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        error_kind TEXT,
        excerpt TEXT
     );
     CREATE INDEX activity_by_time ON activity(at);
     CREATE INDEX activity_by_model ON activity(model_id, at);
     CREATE INDEX activity_by_connection ON activity(connection_id, at);",
    // 10: the time index covers what the Activity view sums, so a month's totals, days and
    // models are read from the index alone
    "DROP INDEX activity_by_time;
     CREATE INDEX activity_by_time ON activity(at, model_id, connection_id, outcome,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd);",
    // 11: why the model stopped, so "Continue" is offered on an answer cut at max tokens after
    // a restart too
    "ALTER TABLE messages ADD COLUMN stop_reason TEXT;",
];

pub fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}
