//! Saved connections (metadata only) and app settings.

use rusqlite::{params, OptionalExtension, Row};

use crate::{now, Result, Store, StoreError};

/// A connection as stored: everything but its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub region_source: String,
    pub profile: Option<String>,
    /// "••••WXYZ": the last four characters of the access key ID or API key.
    pub access_key_hint: Option<String>,
    pub has_session_token: bool,
    /// `keychain`, `session` (memory only) or `none` (the kind has no secret).
    pub secret_storage: String,
    pub endpoint_bedrock: Option<String>,
    pub endpoint_runtime: Option<String>,
    pub endpoint_sts: Option<String>,
    /// IAM Identity Center (SSO OIDC and portal) endpoint override.
    pub endpoint_sso: Option<String>,
    pub verification: Option<VerificationRecord>,
    pub sso: Option<SsoRecord>,
    pub created_at: String,
}

/// Where an IAM Identity Center connection signs in, and until when its session lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRecord {
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
    /// RFC 3339.
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub account: String,
    pub arn: String,
    pub user_id: String,
    pub verified_at: String,
}

const COLUMNS: &str = "id, name, kind, region, region_source, profile, access_key_hint, has_session_token,
    secret_storage, endpoint_bedrock, endpoint_runtime, endpoint_sts, verified_account, verified_arn,
    verified_user_id, verified_at, created_at, sso_start_url, sso_region, sso_account_id,
    sso_role_name, sso_expires_at, endpoint_sso";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ConnectionRecord> {
    let account: Option<String> = r.get(12)?;
    let verification = match account {
        Some(account) => Some(VerificationRecord {
            account,
            arn: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
            user_id: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
            verified_at: r.get::<_, Option<String>>(15)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(ConnectionRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        region: r.get(3)?,
        region_source: r.get(4)?,
        profile: r.get(5)?,
        access_key_hint: r.get(6)?,
        has_session_token: r.get(7)?,
        secret_storage: r.get(8)?,
        endpoint_bedrock: r.get(9)?,
        endpoint_runtime: r.get(10)?,
        endpoint_sts: r.get(11)?,
        endpoint_sso: r.get(22)?,
        verification,
        created_at: r.get(16)?,
        sso: match r.get::<_, Option<String>>(17)? {
            Some(start_url) => Some(SsoRecord {
                start_url,
                region: r.get::<_, Option<String>>(18)?.unwrap_or_default(),
                account_id: r.get::<_, Option<String>>(19)?.unwrap_or_default(),
                role_name: r.get::<_, Option<String>>(20)?.unwrap_or_default(),
                expires_at: r.get::<_, Option<String>>(21)?.unwrap_or_default(),
            }),
            None => None,
        },
    })
}

impl Store {
    /// Inserts or replaces a connection (by ID); `created_at` is set on first insert.
    pub fn put_connection(&self, c: &ConnectionRecord) -> Result<()> {
        let v = c.verification.as_ref();
        self.conn()?.execute(
            "INSERT INTO connections (id, name, kind, region, region_source, profile, access_key_hint,
                has_session_token, secret_storage, endpoint_bedrock, endpoint_runtime, endpoint_sts,
                verified_account, verified_arn, verified_user_id, verified_at, created_at,
                sso_start_url, sso_region, sso_account_id, sso_role_name, sso_expires_at, endpoint_sso)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                region = excluded.region, region_source = excluded.region_source,
                profile = excluded.profile, access_key_hint = excluded.access_key_hint,
                has_session_token = excluded.has_session_token, secret_storage = excluded.secret_storage,
                endpoint_bedrock = excluded.endpoint_bedrock, endpoint_runtime = excluded.endpoint_runtime,
                endpoint_sts = excluded.endpoint_sts, verified_account = excluded.verified_account,
                verified_arn = excluded.verified_arn, verified_user_id = excluded.verified_user_id,
                verified_at = excluded.verified_at, sso_start_url = excluded.sso_start_url,
                sso_region = excluded.sso_region, sso_account_id = excluded.sso_account_id,
                sso_role_name = excluded.sso_role_name, sso_expires_at = excluded.sso_expires_at,
                endpoint_sso = excluded.endpoint_sso",
            params![
                c.id,
                c.name,
                c.kind,
                c.region,
                c.region_source,
                c.profile,
                c.access_key_hint,
                c.has_session_token,
                c.secret_storage,
                c.endpoint_bedrock,
                c.endpoint_runtime,
                c.endpoint_sts,
                v.map(|v| &v.account),
                v.map(|v| &v.arn),
                v.map(|v| &v.user_id),
                v.map(|v| &v.verified_at),
                if c.created_at.is_empty() { now() } else { c.created_at.clone() },
                c.sso.as_ref().map(|s| &s.start_url),
                c.sso.as_ref().map(|s| &s.region),
                c.sso.as_ref().map(|s| &s.account_id),
                c.sso.as_ref().map(|s| &s.role_name),
                c.sso.as_ref().map(|s| &s.expires_at),
                c.endpoint_sso,
            ],
        )?;
        Ok(())
    }

    pub fn connections(&self) -> Result<Vec<ConnectionRecord>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM connections ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn connection(&self, id: &str) -> Result<ConnectionRecord> {
        self.conn()?
            .query_row(
                &format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::ConnectionNotFound(id.to_owned()))
    }

    pub fn delete_connection(&self, id: &str) -> Result<()> {
        let conn = self.conn()?;
        conn.execute("DELETE FROM catalog_cache WHERE connection_id = ?1", [id])?;
        conn.execute(
            "DELETE FROM settings WHERE key LIKE ?1",
            [format!("connection:{id}:%")],
        )?;
        let removed = conn.execute("DELETE FROM connections WHERE id = ?1", [id])?;
        if removed == 0 {
            return Err(StoreError::ConnectionNotFound(id.to_owned()));
        }
        Ok(())
    }

    pub fn set_verification(&self, id: &str, v: Option<&VerificationRecord>) -> Result<()> {
        let changed = self.conn()?.execute(
            "UPDATE connections SET verified_account = ?2, verified_arn = ?3, verified_user_id = ?4,
                verified_at = ?5 WHERE id = ?1",
            params![
                id,
                v.map(|v| &v.account),
                v.map(|v| &v.arn),
                v.map(|v| &v.user_id),
                v.map(|v| &v.verified_at)
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::ConnectionNotFound(id.to_owned()));
        }
        Ok(())
    }

    /// The catalog last fetched for a connection in a region (JSON, as the engine wrote it).
    pub fn cached_catalog(&self, connection_id: &str, region: &str) -> Result<Option<String>> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT catalog_json FROM catalog_cache WHERE connection_id = ?1 AND region = ?2",
                params![connection_id, region],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn cache_catalog(&self, connection_id: &str, region: &str, json: &str) -> Result<()> {
        self.conn()?.execute(
            "INSERT INTO catalog_cache (connection_id, region, catalog_json, fetched_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(connection_id, region) DO UPDATE SET catalog_json = excluded.catalog_json,
                fetched_at = excluded.fetched_at",
            params![connection_id, region, json, now()],
        )?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()?
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn()?.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> ConnectionRecord {
        ConnectionRecord {
            id: id.into(),
            name: "Work".into(),
            kind: "accessKeys".into(),
            region: "us-west-2".into(),
            region_source: "chosen".into(),
            profile: None,
            access_key_hint: Some("••••WXYZ".into()),
            has_session_token: false,
            secret_storage: "keychain".into(),
            endpoint_bedrock: None,
            endpoint_runtime: None,
            endpoint_sts: None,
            endpoint_sso: None,
            verification: None,
            sso: None,
            created_at: String::new(),
        }
    }

    #[test]
    fn connections_round_trip_and_delete() {
        let store = Store::open_in_memory().expect("open");
        store.put_connection(&record("a")).expect("put");
        store.put_connection(&record("b")).expect("put");
        let mut renamed = record("a");
        renamed.name = "Renamed".into();
        store.put_connection(&renamed).expect("update");
        let all = store.connections().expect("list");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "Renamed");
        assert!(!all[0].created_at.is_empty());
        let v = VerificationRecord {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/x".into(),
            user_id: "AIDA".into(),
            verified_at: "2026-11-26T00:00:00Z".into(),
        };
        store.set_verification("a", Some(&v)).expect("verify");
        assert_eq!(store.connection("a").expect("get").verification, Some(v));
        store.delete_connection("a").expect("delete");
        assert!(matches!(
            store.connection("a"),
            Err(StoreError::ConnectionNotFound(_))
        ));
        assert!(matches!(
            store.delete_connection("a"),
            Err(StoreError::ConnectionNotFound(_))
        ));
    }

    #[test]
    fn catalog_cache_per_connection_and_region() {
        let store = Store::open_in_memory().expect("open");
        store.put_connection(&record("a")).expect("put");
        assert_eq!(store.cached_catalog("a", "us-east-1").expect("get"), None);
        store
            .cache_catalog("a", "us-east-1", "{\"v\":1}")
            .expect("cache");
        store
            .cache_catalog("a", "us-east-1", "{\"v\":2}")
            .expect("cache");
        store
            .cache_catalog("a", "eu-west-1", "{\"v\":3}")
            .expect("cache");
        assert_eq!(
            store
                .cached_catalog("a", "us-east-1")
                .expect("get")
                .as_deref(),
            Some("{\"v\":2}")
        );
        store
            .set_setting("connection:a:endpoint:m", "regional")
            .expect("setting");
        store.delete_connection("a").expect("delete");
        assert_eq!(store.cached_catalog("a", "eu-west-1").expect("get"), None);
        assert_eq!(store.setting("connection:a:endpoint:m").expect("get"), None);
    }

    #[test]
    fn settings_upsert() {
        let store = Store::open_in_memory().expect("open");
        assert_eq!(store.setting("active").expect("get"), None);
        store.set_setting("active", "demo").expect("set");
        store.set_setting("active", "x").expect("set");
        assert_eq!(store.setting("active").expect("get").as_deref(), Some("x"));
    }
}
