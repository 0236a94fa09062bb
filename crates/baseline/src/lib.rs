//! The baseline scanner (issue 16, part A). See the crate's README.md for the interface part B uses.

pub mod config;
mod context;
pub mod dns;
pub mod dnscheck;
mod endpoint;
pub mod exposure;
#[cfg(feature = "fleet")]
pub mod fleet;
pub mod http;
pub mod mail;
pub mod model;
pub mod net;
pub mod policy;
pub mod reason;
mod scanner;
mod smtp;
pub mod tls;
pub mod web;

pub use config::{DnssecKey, Identity, Limits, Politeness, PortMap, ScannerConfig, TestMode, Timeouts};
pub use model::{Categories, Category, Check, Evidence, InvalidName, Judgement, Outcome, Report, Severity, Subject, Target, Verdict};
pub use reason::{Lang, Reason, ReasonCode};
pub use scanner::{Scanner, ScannerError};
