//! One module per group of commands; `main` only picks the command.

pub(crate) mod audit_log;
pub(crate) mod data;
pub(crate) mod people;
pub(crate) mod programme;
pub(crate) mod register;
pub(crate) mod serve;
