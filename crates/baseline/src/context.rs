//! What a scan carries through every check: the scanner's parts, the injected clock, the connection count.

use std::sync::atomic::AtomicU64;

use chrono::{DateTime, Utc};

use crate::config::ScannerConfig;
use crate::dns::Dns;
use crate::net::Net;
use crate::tls::cert::TrustStore;
use crate::tls::modern::ModernTls;
use crate::tls::probe::{Endpoint, Prober};

/// The scanner's parts, shared by all its scans.
pub(crate) struct Inner {
    pub config: ScannerConfig,
    pub net: Net,
    pub dns: Dns,
    pub modern: ModernTls,
    pub trust: TrustStore,
}

/// One scan in progress: the injected clock and the connection count.
pub(crate) struct Ctx<'a> {
    pub inner: &'a Inner,
    pub now: DateTime<Utc>,
    pub counter: AtomicU64,
}

impl Ctx<'_> {
    /// The TLS probes of an endpoint, counted in this scan.
    pub(crate) fn prober<'e>(&'e self, endpoint: &'e Endpoint) -> Prober<'e> {
        Prober {
            net: &self.inner.net,
            counter: &self.counter,
            endpoint,
        }
    }
}
