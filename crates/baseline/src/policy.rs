//! Politeness and safety: which addresses may be scanned, and how many connections each gets.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::config::Politeness;

/// Whether an address is on the public internet. Refused: loopback, private (RFC 1918), shared (RFC 6598), link-local,
/// unique-local (fc00::/7), documentation and benchmarking ranges, multicast, broadcast, unspecified and reserved
/// ranges, and IPv4-mapped or NAT64 forms of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space, RFC 6598
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking, RFC 2544
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        // NAT64 well-known prefix: judge the embedded IPv4 address.
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || s[0] == 0) // the rest of ::/16: IPv4-compatible and reserved
}

/// Which addresses the scanner may connect to.
#[derive(Clone, Copy, Debug)]
pub struct AddressPolicy {
    /// Only in the test mode: loopback addresses (127.0.0.0/8 and ::1) are allowed, for the offline fleet.
    pub allow_loopback: bool,
}

impl AddressPolicy {
    pub fn allows(self, ip: IpAddr) -> bool {
        is_public(ip) || (self.allow_loopback && ip.is_loopback())
    }
}

/// Hands out permission to open a connection: at most so many at once in total, and per address at most so many at
/// once and so many per second.
pub(crate) struct Gate {
    politeness: Politeness,
    total: Arc<Semaphore>,
    per_address: Mutex<HashMap<IpAddr, Arc<AddressState>>>,
}

struct AddressState {
    open: Arc<Semaphore>,
    next_slot: Mutex<Instant>,
}

/// Held for as long as the connection is open.
pub(crate) struct Permit {
    _total: OwnedSemaphorePermit,
    _address: Option<OwnedSemaphorePermit>,
}

/// Entries kept for addresses before idle ones are dropped.
const PRUNE_ABOVE: usize = 4096;

impl Gate {
    pub(crate) fn new(politeness: &Politeness) -> Gate {
        Gate {
            politeness: politeness.clone(),
            total: Arc::new(Semaphore::new(politeness.max_connections_total.max(1))),
            per_address: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a connection to `ip` is allowed.
    pub(crate) async fn enter(&self, ip: IpAddr) -> Permit {
        // The semaphores are never closed, so acquiring cannot fail.
        let total = self
            .total
            .clone()
            .acquire_owned()
            .await
            .expect("the gate's semaphore is never closed");
        if !self.politeness.enabled {
            return Permit {
                _total: total,
                _address: None,
            };
        }
        let state = self.state(ip);
        let address = state
            .open
            .clone()
            .acquire_owned()
            .await
            .expect("the gate's semaphore is never closed");
        let rate = self.politeness.connections_per_second_per_address;
        if rate > 0.0 && rate.is_finite() {
            let interval = Duration::from_secs_f64(1.0 / rate);
            let slot = {
                let mut next = state.next_slot.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let slot = if *next > now { *next } else { now };
                *next = slot + interval;
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
        Permit {
            _total: total,
            _address: Some(address),
        }
    }

    fn state(&self, ip: IpAddr) -> Arc<AddressState> {
        let mut map = self.per_address.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            let now = Instant::now();
            let limit = self.politeness.max_connections_per_address;
            map.retain(|_, s| {
                let idle = s.open.available_permits() == limit && *s.next_slot.lock().unwrap_or_else(|e| e.into_inner()) <= now;
                !idle || Arc::strong_count(s) > 1
            });
        }
        map.entry(ip)
            .or_insert_with(|| {
                Arc::new(AddressState {
                    open: Arc::new(Semaphore::new(self.politeness.max_connections_per_address.max(1))),
                    next_slot: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_public_addresses_are_public() {
        for public in [
            "193.191.245.1",
            "8.8.8.8",
            "2a02:2788::1",
            "2001:4860::8888",
            "::ffff:193.191.245.1",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(public)), "{public} refused");
        }
        for private in [
            "127.0.0.1",
            "127.20.0.5",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.10.10",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "192.0.2.10",
            "198.51.100.1",
            "203.0.113.9",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc12::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "::10.0.0.1",
        ] {
            assert!(!is_public(ip(private)), "{private} allowed");
        }
    }

    #[test]
    fn the_test_mode_allows_loopback_only() {
        let production = AddressPolicy { allow_loopback: false };
        let test = AddressPolicy { allow_loopback: true };
        assert!(!production.allows(ip("127.20.0.5")));
        assert!(test.allows(ip("127.20.0.5")));
        assert!(test.allows(ip("::1")));
        assert!(!test.allows(ip("10.0.0.1")));
        assert!(!test.allows(ip("fe80::1")));
        assert!(test.allows(ip("8.8.8.8")));
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_two_connections_per_address_at_once() {
        let gate = Arc::new(Gate::new(&Politeness {
            connections_per_second_per_address: 0.0,
            ..Politeness::default()
        }));
        let a = ip("192.0.2.1");
        let p1 = gate.enter(a).await;
        let _p2 = gate.enter(a).await;
        // A third waits until one of the two is released...
        let g = gate.clone();
        let third = tokio::spawn(async move { g.enter(a).await });
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!third.is_finished());
        // ...while another address is not held up.
        let _other = gate.enter(ip("192.0.2.2")).await;
        drop(p1);
        tokio::time::timeout(Duration::from_secs(1), third)
            .await
            .expect("released")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn new_connections_to_one_address_are_spaced_by_the_rate() {
        let gate = Gate::new(&Politeness {
            connections_per_second_per_address: 4.0,
            ..Politeness::default()
        });
        let a = ip("192.0.2.1");
        let start = Instant::now();
        for _ in 0..5 {
            drop(gate.enter(a).await);
        }
        // Five connections at four per second: the fifth starts one second after the first.
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
        let start = Instant::now();
        drop(gate.enter(ip("192.0.2.99")).await);
        assert_eq!(Instant::now() - start, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn politeness_off_limits_only_the_total() {
        let gate = Gate::new(&Politeness {
            max_connections_total: 3,
            ..Politeness::off()
        });
        let a = ip("192.0.2.1");
        let held: Vec<_> = futures_join(&gate, a, 3).await;
        assert_eq!(held.len(), 3);
        assert!(tokio::time::timeout(Duration::from_secs(5), gate.enter(a)).await.is_err());
    }

    async fn futures_join(gate: &Gate, a: IpAddr, n: usize) -> Vec<Permit> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(gate.enter(a).await);
        }
        out
    }
}
