//! Exposure: services that should never face the internet, on the registered addresses.

use std::net::IpAddr;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use crate::context::Ctx;
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::net::NetError;
use crate::reason::{Reason, ReasonCode};

/// The ports probed: check, port, service name.
pub const PORTS: [(Check, u16, &str); 8] = [
    (Check::ExposureRdp, 3389, "RDP"),
    (Check::ExposureSmb, 445, "SMB"),
    (Check::ExposureTelnet, 23, "Telnet"),
    (Check::ExposureDatabase, 1433, "Microsoft SQL Server"),
    (Check::ExposureDatabase, 3306, "MySQL"),
    (Check::ExposureDatabase, 5432, "PostgreSQL"),
    (Check::ExposureDatabase, 27017, "MongoDB"),
    (Check::ExposureVnc, 5900, "VNC"),
];

/// Open: a TCP connection was accepted. Refused or filtered (no answer): closed. The first bytes a server volunteers
/// within half a second (VNC, MySQL, Telnet do) are kept as evidence, at most 64.
pub fn port_judgement(port: u16, service: &str, result: &Result<Option<Vec<u8>>, NetError>) -> Judgement {
    match result {
        Ok(banner) => {
            let j = Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::PortOpen).arg("port", port).arg("service", service),
            );
            match banner {
                Some(b) if !b.is_empty() => j.with("banner", printable(b)),
                _ => j,
            }
        }
        Err(NetError::ConnectionRefused | NetError::Timeout | NetError::Closed) => Judgement::new(
            Verdict::Pass,
            Reason::new(ReasonCode::PortClosed).arg("port", port).arg("service", service),
        ),
        Err(NetError::Refused(ip)) => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::AddressRefused).arg("address", ip)),
        Err(e) => Judgement::new(
            Verdict::Unknown,
            Reason::new(ReasonCode::Unreachable).arg("endpoint", port).arg("error", e),
        ),
    }
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' })
        .collect()
}

async fn probe(ctx: &Ctx<'_>, ip: IpAddr, port: u16) -> Result<Option<Vec<u8>>, NetError> {
    let mut conn = ctx.inner.net.connect(ip, port, &ctx.counter).await?;
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_millis(500), conn.read(&mut buf)).await {
        Ok(Ok(n)) => Ok(Some(buf[..n].to_vec())),
        _ => Ok(None),
    }
}

pub(crate) async fn scan(ctx: &Ctx<'_>, addresses: &[IpAddr]) -> Vec<Outcome> {
    let probes = addresses
        .iter()
        .flat_map(|ip| PORTS.iter().map(move |(check, port, service)| (*ip, *check, *port, *service)));
    futures_util::future::join_all(probes.map(|(ip, check, port, service)| async move {
        let result = probe(ctx, ip, port).await;
        port_judgement(port, service, &result).outcome(check, Subject::endpoint(ip, port))
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_is_a_failure_closed_or_filtered_a_pass() {
        let open = port_judgement(5900, "VNC", &Ok(Some(b"RFB 003.008\n".to_vec())));
        assert_eq!(open.verdict, Verdict::Fail);
        assert_eq!(open.evidence[0].value, "RFB 003.008.");
        assert_eq!(
            port_judgement(3389, "RDP", &Err(NetError::ConnectionRefused)).verdict,
            Verdict::Pass
        );
        assert_eq!(port_judgement(3389, "RDP", &Err(NetError::Timeout)).verdict, Verdict::Pass);
        assert_eq!(
            port_judgement(3389, "RDP", &Err(NetError::Refused("10.0.0.1".parse().unwrap()))).verdict,
            Verdict::Unknown
        );
        assert!(PORTS.iter().all(|(c, _, _)| c.category() == crate::model::Category::Exposure));
    }
}
