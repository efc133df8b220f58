//! Everything in Cairn that speaks AWS: SDK configuration, the model catalog, Converse
//! streaming, and the mapping of SDK errors to kinds the UI can explain.

pub mod access;
pub mod catalog;
pub mod chat;
pub mod client;
pub mod error;
pub mod identity;
pub mod logging;
pub mod profiles;
pub mod regions;
pub mod sso;

pub use client::{BedrockClients, CredentialSource, Endpoints, ProfileLocation, Target};
pub use error::{BedrockError, ErrorKind};
