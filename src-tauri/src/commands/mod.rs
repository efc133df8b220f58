//! One file per domain; each command extracts state, calls the engine, maps the error.

pub mod app;
pub mod chat;
pub mod connection;
pub mod documents;
pub mod models;
