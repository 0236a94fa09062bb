//! What an asset of a government is: a host, a domain, a range of addresses or an application.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetKind {
    /// A machine, by its IP address or host name (what a scanner reports).
    Host,
    Domain,
    /// A range of IP addresses (CIDR).
    IpRange,
    /// A web application, by its URL.
    Application,
}

impl AssetKind {
    pub const ALL: [AssetKind; 4] = [AssetKind::Host, AssetKind::Domain, AssetKind::IpRange, AssetKind::Application];

    pub const fn as_str(self) -> &'static str {
        match self {
            AssetKind::Host => "host",
            AssetKind::Domain => "domain",
            AssetKind::IpRange => "ip_range",
            AssetKind::Application => "application",
        }
    }

    /// The kind of an entry of an engagement's scope, already checked to be one: a URL is an
    /// application, a CIDR range a range, an IP address a host, anything else a domain.
    pub fn of_scope_entry(entry: &str) -> AssetKind {
        if entry.contains("://") {
            AssetKind::Application
        } else if entry.contains('/') {
            AssetKind::IpRange
        } else if entry.parse::<std::net::IpAddr>().is_ok() {
            AssetKind::Host
        } else {
            AssetKind::Domain
        }
    }

    /// Whether a report can name it as its target: a system reached by name or URL.
    pub fn is_reportable(self) -> bool {
        matches!(self, AssetKind::Domain | AssetKind::Host | AssetKind::Application)
    }
}

impl FromStr for AssetKind {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        AssetKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or(())
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_entries_by_kind() {
        assert_eq!(AssetKind::of_scope_entry("https://www.gent.be/loket"), AssetKind::Application);
        assert_eq!(AssetKind::of_scope_entry("192.0.2.0/24"), AssetKind::IpRange);
        assert_eq!(AssetKind::of_scope_entry("192.0.2.7"), AssetKind::Host);
        assert_eq!(AssetKind::of_scope_entry("2001:db8::1"), AssetKind::Host);
        assert_eq!(AssetKind::of_scope_entry("gent.be"), AssetKind::Domain);
        for kind in AssetKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
        assert!(!AssetKind::IpRange.is_reportable());
    }
}
