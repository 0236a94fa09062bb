//! Streaming importers that turn scanner reports into one normalised finding model with stable dedup fingerprints.
//!
//! Pure parsing: no I/O beyond the reader given, no async, no database. Findings go to a sink one at a time, so memory
//! does not grow with the number of findings (FORMATS.md says what each format holds at once).
//!
//! ```
//! use cyberveilig_findings::{import_detected, Limits};
//!
//! let nmap = br#"<?xml version="1.0"?><nmaprun scanner="nmap" version="7.94"><host><status state="up"/>
//! <address addr="192.0.2.10" addrtype="ipv4"/><ports><port protocol="tcp" portid="3389">
//! <state state="open"/><service name="ms-wbt-server"/></port></ports></host></nmaprun>"#;
//! let mut findings = Vec::new();
//! let report = import_detected(&nmap[..], &Limits::default(), &mut |f| {
//!     findings.push(f);
//!     Ok(())
//! })
//! .unwrap();
//! assert_eq!(report.format.name(), "nmap");
//! assert_eq!(findings[0].rule_id, "exposed-service/rdp");
//! ```

use std::collections::HashMap;
use std::io::Read;

pub mod error;
pub mod fingerprint;
pub mod model;

mod cvss;
mod detect;
mod formats;
mod input;
mod limits;
mod text;
mod xml;

pub use cvss::score_cvss_vector;
pub use detect::{DETECT_BYTES, detect};
pub use error::{ImportError, Position, SinkError};
pub use fingerprint::{Deduper, Fingerprint, Merged, dedup};
pub use limits::Limits;
pub use model::{Asset, Cvss, CvssVersion, Finding, Format, Host, Report, Severity, Timestamp, Tool};
pub use text::normalise_url;

use input::Input;

/// What an importer learns about the report besides its findings.
#[derive(Default)]
pub(crate) struct Meta {
    pub tool_version: Option<String>,
    pub scan_start: Option<Timestamp>,
    pub scan_end: Option<Timestamp>,
}

/// The state shared by an importer and this module: limits, the sink, counters, assets.
pub(crate) struct Ctx<'s> {
    pub limits: Limits,
    sink: &'s mut dyn FnMut(Finding) -> Result<(), SinkError>,
    pub count: u64,
    pub cvss: cvss::CvssScorer,
    assets: Vec<Asset>,
    asset_index: HashMap<String, usize>,
    pub meta: Meta,
}

impl<'s> Ctx<'s> {
    fn new(limits: &Limits, sink: &'s mut dyn FnMut(Finding) -> Result<(), SinkError>) -> Ctx<'s> {
        Ctx {
            limits: limits.clone(),
            sink,
            count: 0,
            cvss: cvss::CvssScorer::default(),
            assets: Vec::new(),
            asset_index: HashMap::new(),
            meta: Meta::default(),
        }
    }

    /// Computes the fingerprint, checks the findings limit and hands the finding to the sink.
    pub(crate) fn emit(&mut self, mut f: Finding) -> Result<(), ImportError> {
        if self.count >= self.limits.max_findings {
            return Err(ImportError::TooManyFindings {
                limit: self.limits.max_findings,
            });
        }
        f.update_fingerprint();
        self.count += 1;
        (self.sink)(f).map_err(ImportError::Sink)
    }

    /// Records a host seen, merging what is known about it by host key.
    pub(crate) fn asset(&mut self, asset: Asset) {
        let Some(key) = asset.host.key() else { return };
        match self.asset_index.get(&key) {
            Some(&i) => {
                let a = &mut self.assets[i];
                if a.host.name.is_none() {
                    a.host.name = asset.host.name;
                } else if let Some(n) = asset.host.name
                    && a.host.name.as_ref() != Some(&n)
                    && !a.other_names.contains(&n)
                {
                    a.other_names.push(n);
                }
                if a.host.ip.is_none() {
                    a.host.ip = asset.host.ip;
                }
                for n in asset.other_names {
                    if a.host.name.as_ref() != Some(&n) && !a.other_names.contains(&n) {
                        a.other_names.push(n);
                    }
                }
                if a.os.is_none() {
                    a.os = asset.os;
                }
                if a.mac.is_none() {
                    a.mac = asset.mac;
                }
            }
            None => {
                self.asset_index.insert(key, self.assets.len());
                self.assets.push(asset);
            }
        }
    }

    /// Records the host of a finding as an asset (used by formats without a host section).
    pub(crate) fn asset_of(&mut self, host: &Option<Host>) {
        if let Some(h) = host {
            self.asset(Asset {
                host: h.clone(),
                ..Asset::default()
            });
        }
    }
}

/// Imports a report of a known format, handing each finding to `sink` as it is parsed.
///
/// `reader` is any `std::io::Read` (a `BufRead` too): the importer buffers it itself, so a `File` or a request body
/// can be given directly.
///
/// The sink may return an error to stop the import; it comes back as [`ImportError::Sink`]. On any error the sink
/// may already have received findings: import inside a transaction to keep all or nothing.
pub fn import<R: Read>(
    format: Format,
    reader: R,
    limits: &Limits,
    sink: &mut dyn FnMut(Finding) -> Result<(), SinkError>,
) -> Result<Report, ImportError> {
    let input = Input::new(reader, limits.max_bytes);
    run(format, input, limits, sink)
}

/// Detects the format from the first bytes (see [`detect`]) and imports the report.
pub fn import_detected<R: Read>(
    reader: R,
    limits: &Limits,
    sink: &mut dyn FnMut(Finding) -> Result<(), SinkError>,
) -> Result<Report, ImportError> {
    import_announced(reader, limits, &mut |_| Ok(()), sink)
}

/// [`import_detected`], telling `detected` the format before the first finding reaches `sink`
/// (a caller that records the import before its findings needs it first).
pub fn import_announced<R: Read>(
    reader: R,
    limits: &Limits,
    detected: &mut dyn FnMut(Format) -> Result<(), SinkError>,
    sink: &mut dyn FnMut(Finding) -> Result<(), SinkError>,
) -> Result<Report, ImportError> {
    let mut input = Input::new(reader, limits.max_bytes);
    let counters = input.counters();
    let first = input
        .peek(DETECT_BYTES)
        .map_err(|e| input::io_error(e, &counters, limits.max_bytes))?;
    let format = detect(first).ok_or(ImportError::UnknownFormat)?;
    detected(format).map_err(ImportError::Sink)?;
    run(format, input, limits, sink)
}

/// Imports a whole report into memory: convenient for small files and tests.
pub fn import_to_vec<R: Read>(format: Option<Format>, reader: R, limits: &Limits) -> Result<(Report, Vec<Finding>), ImportError> {
    let mut findings = Vec::new();
    let mut sink = |f: Finding| -> Result<(), SinkError> {
        findings.push(f);
        Ok(())
    };
    let report = match format {
        Some(format) => import(format, reader, limits, &mut sink)?,
        None => import_detected(reader, limits, &mut sink)?,
    };
    Ok((report, findings))
}

fn run<R: Read>(
    format: Format,
    input: Input<R>,
    limits: &Limits,
    sink: &mut dyn FnMut(Finding) -> Result<(), SinkError>,
) -> Result<Report, ImportError> {
    let counters = input.counters();
    let mut ctx = Ctx::new(limits, sink);
    match format {
        Format::Nessus => formats::nessus::import(input, &mut ctx)?,
        Format::OpenVas => formats::openvas::import(input, &mut ctx)?,
        Format::Nmap => formats::nmap::import(input, &mut ctx)?,
        Format::Sarif => formats::sarif::import(input, &mut ctx)?,
        Format::ZapXml => formats::zap::import_xml(input, &mut ctx)?,
        Format::ZapJson => formats::zap::import_json(input, &mut ctx)?,
        Format::Nuclei => formats::nuclei::import(input, &mut ctx)?,
        Format::Burp => formats::burp::import(input, &mut ctx)?,
        Format::GenericCsv => formats::generic::import_csv(input, &mut ctx)?,
        Format::GenericJson => formats::generic::import_json(input, &mut ctx)?,
    }
    Ok(Report {
        format,
        tool_version: ctx.meta.tool_version,
        scan_start: ctx.meta.scan_start,
        scan_end: ctx.meta.scan_end,
        findings: ctx.count,
        invalid_cvss_vectors: ctx.cvss.invalid,
        assets: ctx.assets,
        bytes: counters.bytes_read(),
    })
}
