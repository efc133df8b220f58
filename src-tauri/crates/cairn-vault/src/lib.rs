//! Secrets for Cairn: a `Secret` type that cannot leak through `Debug`, `Display` or serde, and
//! a `SecretStore` trait with the OS keychain (Keychain, Credential Manager, Secret Service)
//! and an in-memory store.

use std::collections::HashMap;
use std::sync::Mutex;

/// A secret value. Its `Debug` and `Display` are redacted and it has no `Serialize`, so it cannot
/// reach logs, IPC replies or the database by accident. Read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The plain value: only for the vault and the AWS credential provider.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Secret<String> {
    /// "•••• last 4", what the UI may show of a saved secret.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        format!("••••{tail}")
    }
}

/// Secrets arrive from the UI (a form) but never go back: `Deserialize` only.
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T> std::fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No keychain service is running (e.g. no Secret Service on a Linux desktop).
    #[error("the system keychain is not available: {0}")]
    Unavailable(String),
    /// The keychain exists but is locked.
    #[error("the system keychain is locked: {0}")]
    Locked(String),
    #[error("the keychain refused the operation: {0}")]
    Other(String),
}

/// Where secrets are kept. The keychain in the app; memory in tests and for
/// "keep for this session only".
pub trait SecretStore: Send + Sync {
    fn put(&self, account: &str, secret: &Secret<String>) -> Result<(), VaultError>;
    fn get(&self, account: &str) -> Result<Option<Secret<String>>, VaultError>;
    fn delete(&self, account: &str) -> Result<(), VaultError>;
}

/// The OS keychain through `keyring`, under one service name.
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, account).map_err(map_keyring)
    }
}

fn map_keyring(err: keyring::Error) -> VaultError {
    let text = err.to_string();
    match err {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            if text.contains("IsLocked") || text.to_lowercase().contains("locked") {
                VaultError::Locked(text)
            } else {
                VaultError::Unavailable(text)
            }
        }
        _ => VaultError::Other(text),
    }
}

impl SecretStore for KeychainStore {
    fn put(&self, account: &str, secret: &Secret<String>) -> Result<(), VaultError> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(map_keyring)
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>, VaultError> {
        match self.entry(account)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(other) => Err(map_keyring(other)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(other) => Err(map_keyring(other)),
        }
    }
}

/// Secrets kept in memory only, gone when the app quits.
#[derive(Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, Secret<String>>>,
}

impl SecretStore for MemoryStore {
    fn put(&self, account: &str, secret: &Secret<String>) -> Result<(), VaultError> {
        self.values
            .lock()
            .map_err(|_| VaultError::Other("memory store poisoned".into()))?
            .insert(account.to_owned(), secret.clone());
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>, VaultError> {
        Ok(self
            .values
            .lock()
            .map_err(|_| VaultError::Other("memory store poisoned".into()))?
            .get(account)
            .cloned())
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        self.values
            .lock()
            .map_err(|_| VaultError::Other("memory store poisoned".into()))?
            .remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("AKIA-canary-0123456789".to_owned());
        assert!(!format!("{s:?}").contains("canary"));
        assert!(!format!("{s}").contains("canary"));
        assert_eq!(s.hint(), "••••6789");
    }

    #[test]
    fn memory_store_round_trips() {
        let store = MemoryStore::default();
        assert!(store.get("a").expect("get").is_none());
        store.put("a", &Secret::new("x".into())).expect("put");
        assert_eq!(store.get("a").expect("get").expect("some").expose(), "x");
        store.delete("a").expect("delete");
        assert!(store.get("a").expect("get").is_none());
    }
}
