//! Cairn's use cases, free of any UI toolkit: send a message and stream the answer while
//! persisting everything, decide between a real AWS connection and the offline demo.

pub mod activity;
pub mod chat;
pub mod connections;
pub mod documents;
pub mod error;
pub mod export;
pub mod models;
pub mod session;

pub use error::CairnError;
