//! Where a finding comes from: a scanner's report, read by the importers, or one of the
//! platform's own ways (a vulnerability report, an engagement, a toolkit exercise, the baseline
//! scan). Closed sets, stored by their names.

use std::fmt;
use std::str::FromStr;

/// A report format this crate reads. Detected from the content by the importers (`cyberveilig-findings`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Tenable Nessus `.nessus` v2 XML (`NessusClientData_v2`).
    Nessus,
    /// Greenbone / OpenVAS XML report (GMP `<report>`).
    OpenVas,
    /// Nmap XML (`<nmaprun>`).
    Nmap,
    /// SARIF 2.1.0 JSON.
    Sarif,
    /// OWASP ZAP traditional XML report (`<OWASPZAPReport>`).
    ZapXml,
    /// OWASP ZAP traditional JSON report.
    ZapJson,
    /// Nuclei JSON lines (`-jsonl`), or a JSON array of the same objects (`-json-export`).
    Nuclei,
    /// Burp Suite "report issues" XML (`<issues burpVersion=...>`).
    Burp,
    /// cyberveilig's generic CSV format (see the importers' FORMATS.md).
    GenericCsv,
    /// cyberveilig's generic JSON format (see the importers' FORMATS.md).
    GenericJson,
}

impl Format {
    /// Every format, in a fixed order.
    pub const ALL: [Format; 10] = [
        Format::Nessus,
        Format::OpenVas,
        Format::Nmap,
        Format::Sarif,
        Format::ZapXml,
        Format::ZapJson,
        Format::Nuclei,
        Format::Burp,
        Format::GenericCsv,
        Format::GenericJson,
    ];

    /// A stable machine-readable name (`nessus`, `openvas`, `nmap`, `sarif`, `zap-xml`, `zap-json`, `nuclei`, `burp`,
    /// `generic-csv`, `generic-json`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Nessus => "nessus",
            Format::OpenVas => "openvas",
            Format::Nmap => "nmap",
            Format::Sarif => "sarif",
            Format::ZapXml => "zap-xml",
            Format::ZapJson => "zap-json",
            Format::Nuclei => "nuclei",
            Format::Burp => "burp",
            Format::GenericCsv => "generic-csv",
            Format::GenericJson => "generic-json",
        }
    }

    /// The inverse of [`Format::name`].
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The tool family that findings of this format carry.
    pub fn tool(self) -> Tool {
        match self {
            Format::Nessus => Tool::Nessus,
            Format::OpenVas => Tool::OpenVas,
            Format::Nmap => Tool::Nmap,
            Format::Sarif => Tool::Sarif,
            Format::ZapXml | Format::ZapJson => Tool::Zap,
            Format::Nuclei => Tool::Nuclei,
            Format::Burp => Tool::Burp,
            Format::GenericCsv | Format::GenericJson => Tool::Generic,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The tool family a finding comes from. ZAP XML and ZAP JSON share one family, so the same scan exported either way
/// gives the same fingerprints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    Nessus,
    OpenVas,
    Nmap,
    Sarif,
    Zap,
    Nuclei,
    Burp,
    Generic,
}

impl Tool {
    pub const ALL: [Tool; 8] = [
        Tool::Nessus,
        Tool::OpenVas,
        Tool::Nmap,
        Tool::Sarif,
        Tool::Zap,
        Tool::Nuclei,
        Tool::Burp,
        Tool::Generic,
    ];

    /// The family name used in fingerprints and shown to users.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Nessus => "nessus",
            Tool::OpenVas => "openvas",
            Tool::Nmap => "nmap",
            Tool::Sarif => "sarif",
            Tool::Zap => "zap",
            Tool::Nuclei => "nuclei",
            Tool::Burp => "burp",
            Tool::Generic => "generic",
        }
    }
}

/// What one import read: a scanner's report, or one finding the platform registered itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    Scanner(Format),
    /// A valid vulnerability report, registered as a finding.
    Report,
    /// A toolkit exercise's follow-up action, written down by the government.
    Exercise,
}

impl ImportFormat {
    /// Every import format: the scanners' first.
    pub fn all() -> impl Iterator<Item = ImportFormat> {
        Format::ALL
            .into_iter()
            .map(ImportFormat::Scanner)
            .chain([ImportFormat::Report, ImportFormat::Exercise])
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Scanner(format) => format.name(),
            ImportFormat::Report => "report",
            ImportFormat::Exercise => "exercise",
        }
    }
}

impl FromStr for ImportFormat {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "report" => Ok(ImportFormat::Report),
            "exercise" => Ok(ImportFormat::Exercise),
            name => Format::from_name(name).map(ImportFormat::Scanner).ok_or(()),
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family a stored finding comes from: its fingerprint is made within it, and a rescan by
/// a scanner fixes only the findings of its own family that it no longer reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingTool {
    Scanner(Tool),
    /// A valid vulnerability report.
    Report,
    /// An ethical hacking engagement's team.
    Engagement,
    /// A toolkit exercise's follow-up action.
    Exercise,
    /// The platform's own baseline scan.
    Baseline,
}

impl FindingTool {
    /// Every family: the scanners' first.
    pub fn all() -> impl Iterator<Item = FindingTool> {
        Tool::ALL.into_iter().map(FindingTool::Scanner).chain([
            FindingTool::Report,
            FindingTool::Engagement,
            FindingTool::Exercise,
            FindingTool::Baseline,
        ])
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FindingTool::Scanner(tool) => tool.name(),
            FindingTool::Report => "report",
            FindingTool::Engagement => "engagement",
            FindingTool::Exercise => "exercise",
            FindingTool::Baseline => "baseline",
        }
    }
}

impl FromStr for FindingTool {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "report" => Ok(FindingTool::Report),
            "engagement" => Ok(FindingTool::Engagement),
            "exercise" => Ok(FindingTool::Exercise),
            "baseline" => Ok(FindingTool::Baseline),
            name => Tool::ALL.into_iter().find(|t| t.name() == name).map(FindingTool::Scanner).ok_or(()),
        }
    }
}

impl fmt::Display for FindingTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_itself() {
        for format in ImportFormat::all() {
            assert_eq!(format.as_str().parse(), Ok(format));
        }
        for tool in FindingTool::all() {
            assert_eq!(tool.as_str().parse(), Ok(tool));
        }
    }

    #[test]
    fn an_unknown_name_is_refused() {
        assert_eq!("zap".parse::<ImportFormat>(), Err(()));
        assert_eq!("zap-xml".parse::<FindingTool>(), Err(()));
        assert_eq!("".parse::<FindingTool>(), Err(()));
    }
}
