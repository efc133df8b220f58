//! The real OS keychain (Secret Service via gnome-keyring in a private D-Bus session).
//! Run by `tests/rust.sh`, which starts that session; plain `cargo test` skips it.

use cairn_vault::{KeychainStore, Secret, SecretStore};

#[test]
#[ignore = "needs a private Secret Service session: run through tests/rust.sh"]
fn keychain_saves_reads_and_deletes() {
    let store = KeychainStore::new("cairn-test");
    let account = format!("test-{}", std::process::id());
    let secret = Secret::new("canary-7f3a9c".to_owned());
    store.put(&account, &secret).expect("save to the keychain");
    assert_eq!(
        store
            .get(&account)
            .expect("read")
            .expect("present")
            .expose(),
        "canary-7f3a9c"
    );
    store.delete(&account).expect("delete");
    assert!(store.get(&account).expect("read again").is_none());
}
