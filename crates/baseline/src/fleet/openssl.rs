//! Extra domains served by Debian's `openssl s_server`, for the benchmark against sslyze and testssl.sh: those tools
//! judge a suite or version accepted only when a whole handshake succeeds, which the fleet's own responder never
//! finishes. OpenSSL 3 still speaks TLS 1.0, CBC suites and DHE when told to (`@SECLEVEL=0`). Not needed by the tests
//! of the checks or by the demo.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::{Child, Command};

use super::spec::{DomainSpec, good};
use crate::model::Check;

/// Whether `openssl` is on the PATH.
pub fn available() -> bool {
    std::process::Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ossl(label: &str, about: &str, broken: &[Check], args: &[&str]) -> DomainSpec {
    let mut d = good(label);
    d.about = about.to_string();
    d.broken = broken.to_vec();
    d.web.openssl = Some(args.iter().map(|a| a.to_string()).collect());
    d
}

/// The `ossl-*` domains. `{dhparam}` in an argument stands for a file with the ffdhe2048 group.
pub fn catalogue() -> Vec<DomainSpec> {
    use Check::*;
    vec![
        ossl(
            "ossl-good",
            "OpenSSL: TLS 1.2 and 1.3, ECDHE with AES-GCM and ChaCha20 only, RSA 3072.",
            &[],
            &[
                "-min_protocol",
                "TLSv1.2",
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
                "-ciphersuites",
                "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256",
                "-groups",
                "X25519:P-256:P-384",
            ],
        ),
        ossl(
            "ossl-tls10",
            "OpenSSL: TLS 1.0 to 1.2 at security level 0, a CBC suite with SHA-1.",
            &[WebTlsVersion, WebTlsCiphers],
            &[
                "-min_protocol",
                "TLSv1",
                "-max_protocol",
                "TLSv1.2",
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
                "-groups",
                "X25519:P-256",
            ],
        ),
        ossl(
            "ossl-cbc",
            "OpenSSL: TLS 1.2 with CBC suites (one with SHA-384 to phase out, one with SHA-1 insufficient).",
            &[WebTlsCiphers],
            &[
                "-min_protocol",
                "TLSv1.2",
                "-max_protocol",
                "TLSv1.2",
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA",
                "-groups",
                "X25519:P-256",
            ],
        ),
        ossl(
            "ossl-dhe",
            "OpenSSL: TLS 1.2 with DHE on ffdhe2048.",
            &[WebTlsKeyExchange, WebTlsCiphers],
            &[
                "-min_protocol",
                "TLSv1.2",
                "-max_protocol",
                "TLSv1.2",
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256",
                "-groups",
                "X25519:P-256",
                "-dhparam",
                "{dhparam}",
            ],
        ),
    ]
}

/// A directory of its own for keys and certificates, removed when dropped.
pub(crate) struct Workdir(pub PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Workdir {
    pub(crate) fn new() -> Result<Workdir, String> {
        let dir = std::env::temp_dir().join(format!("cyberveilig-fleet-{}-{}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        Ok(Workdir(dir))
    }
}

fn run(args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)))
    }
}

/// What the OpenSSL servers share: an RSA key of 3072 bits (its file, and its public key as PKCS#1 DER for the
/// certificate) and the ffdhe2048 parameters; made once per fleet.
pub(crate) struct Material {
    pub key: PathBuf,
    pub public: Vec<u8>,
    pub dhparam: PathBuf,
}

pub(crate) fn material(dir: &Path) -> Result<Material, String> {
    let key = dir.join("rsa3072.pem");
    let public = dir.join("rsa3072.pub.der");
    let dhparam = dir.join("ffdhe2048.pem");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    run(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", &s(&key)])?;
    run(&["rsa", "-in", &s(&key), "-RSAPublicKey_out", "-outform", "DER", "-out", &s(&public)])?;
    run(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DH",
        "-pkeyopt",
        "group:ffdhe2048",
        "-out",
        &s(&dhparam),
    ])?;
    Ok(Material {
        public: std::fs::read(&public).map_err(|e| e.to_string())?,
        key,
        dhparam,
    })
}

/// Starts `openssl s_server` on `accept` (host:port) with the certificate and key files and the domain's arguments.
///
/// It runs under a small shell that kills it when its standard input closes: when the [`super::Fleet`] is dropped, or
/// when the process that started it ends in any way (a test binary never drops its fleet), so no server outlives its
/// fleet and holds the address.
pub(crate) fn spawn(accept: &str, cert: &Path, key: &Path, args: &[String], dhparam: &Path) -> Result<Child, String> {
    let addr: std::net::SocketAddr = accept.parse().map_err(|e| format!("{accept}: {e}"))?;
    // s_server does not say when it cannot listen; find out first.
    std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a == "{dhparam}" {
                dhparam.to_string_lossy().into_owned()
            } else {
                a.clone()
            }
        })
        .collect();
    Command::new("sh")
        .arg("-c")
        .arg("openssl s_server \"$@\" & pid=$!; read -r _; kill $pid 2>/dev/null; wait $pid 2>/dev/null")
        .arg("s_server")
        .args(["-accept", accept, "-cert"])
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(["-www", "-quiet"])
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("openssl s_server: {e}"))
}
