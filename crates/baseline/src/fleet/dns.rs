//! The fleet's name server: every zone on one address, over UDP (truncating at the client's EDNS size) and TCP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

use super::zone::Zones;

/// The answer to one query message, as bytes, no longer than `max` (truncated to the header and question otherwise).
pub(crate) fn respond(zones: &Zones, request: &[u8], max: Option<usize>) -> Option<Vec<u8>> {
    let request = Message::from_vec(request).ok()?;
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut response = Message::new(request.metadata.id, MessageType::Response, OpCode::Query);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.authoritative = true;
    response.metadata.checking_disabled = request.metadata.checking_disabled;
    let dnssec = request.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
    let payload = request.edns.as_ref().map(|e| e.max_payload().max(512) as usize).unwrap_or(512);
    if let Some(req_edns) = &request.edns {
        let mut edns = Edns::new();
        edns.set_max_payload(1232.min(req_edns.max_payload().max(512)));
        edns.set_dnssec_ok(dnssec);
        response.set_edns(edns);
    }
    match request.queries.first() {
        Some(q) if request.metadata.op_code == OpCode::Query => {
            response.add_query(q.clone());
            let (code, answers, authorities) = zones.answer(&q.name, q.query_type, dnssec);
            response.metadata.response_code = code;
            response.add_answers(answers);
            response.add_authorities(authorities);
        }
        _ => response.metadata.response_code = ResponseCode::FormErr,
    }
    let bytes = response.to_vec().ok()?;
    let limit = max.unwrap_or(payload);
    if bytes.len() <= limit {
        return Some(bytes);
    }
    response.answers.clear();
    response.authorities.clear();
    response.additionals.clear();
    response.metadata.truncation = true;
    response.to_vec().ok()
}

/// Serves UDP and TCP on `addr` until the tasks are aborted.
pub(crate) async fn serve(addr: SocketAddr, zones: Arc<Zones>) -> Result<Vec<JoinHandle<()>>, String> {
    let udp = UdpSocket::bind(addr).await.map_err(|e| format!("DNS on udp {addr}: {e}"))?;
    let tcp = TcpListener::bind(addr).await.map_err(|e| format!("DNS on tcp {addr}: {e}"))?;
    let z = zones.clone();
    let udp_task = tokio::spawn(async move {
        let udp = Arc::new(udp);
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, from)) = udp.recv_from(&mut buf).await else { continue };
            if let Some(answer) = respond(&z, &buf[..n], None) {
                let _ = udp.send_to(&answer, from).await;
            }
        }
    });
    let tcp_task = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = tcp.accept().await else { continue };
            let z = zones.clone();
            tokio::spawn(async move {
                loop {
                    let mut len = [0u8; 2];
                    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut len)).await;
                    if !matches!(read, Ok(Ok(_))) {
                        return;
                    }
                    let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
                    if stream.read_exact(&mut msg).await.is_err() {
                        return;
                    }
                    let Some(answer) = respond(&z, &msg, Some(65535)) else { return };
                    let mut out = (answer.len() as u16).to_be_bytes().to_vec();
                    out.extend_from_slice(&answer);
                    if stream.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(vec![udp_task, tcp_task])
}
