//! A report comes in: its fields read and checked, its scope judged against the published
//! policy, its files taken, and the government and the reporter told.

use super::*;

/// What a reporter sends.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub government_nis: String,
    /// The URL or host name of the system.
    pub target: String,
    /// The weakness: `CWE-79` or `79`.
    pub cwe: String,
    pub title: String,
    pub description: String,
    pub steps: String,
    pub impact: String,
    pub cvss_vector: Option<String>,
    /// A name or pseudonym.
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub credit_consent: bool,
    pub disclosure_plans: Option<String>,
}

/// A report just received: the secret token is in the follow link and is shown only now.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub report: Report,
    pub follow_token: String,
    pub follow_url: String,
}

/// A file sent with a report.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub filename: String,
    /// The media type the sender claimed, if any.
    pub content_type: Option<String>,
    pub content: Vec<u8>,
}

pub(super) fn clean_text(text: &str) -> String {
    // NUL and other control characters have no place in a report (PostgreSQL refuses NUL).
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_owned()
}

pub(super) fn required(field: &'static str, text: &str, max: usize, en: &str, nl: &str) -> Result<String> {
    let text = clean_text(text);
    if text.is_empty() {
        return Err(ServiceError::invalid(field, format!("{en} is needed"), format!("{nl} is nodig")));
    }
    if text.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{en} has at most {max} characters"),
            format!("{nl} heeft hoogstens {max} tekens"),
        ));
    }
    Ok(text)
}

pub(super) fn optional(field: &'static str, text: Option<&str>, max: usize) -> Result<String> {
    let text = clean_text(text.unwrap_or(""));
    if text.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("at most {max} characters"),
            format!("hoogstens {max} tekens"),
        ));
    }
    Ok(text)
}

/// A report's fields, read and checked before anything is written.
struct ReadReport {
    nis: NisCode,
    target: Target,
    cwe: u32,
    title: String,
    description: String,
    steps: String,
    impact: String,
    cvss_vector: Option<String>,
    cvss_score: Option<f64>,
    reporter_name: String,
    reporter_email: Option<String>,
    disclosure_plans: String,
    /// The attachments' kinds, read from their content, in the order given.
    checked: Vec<attachments::Kind>,
}

fn read_report(input: &ReportInput, files: &[NewFile]) -> Result<ReadReport> {
    if files.len() > attachments::MAX_ATTACHMENTS {
        return Err(ServiceError::invalid(
            "attachment",
            format!("a report has at most {} attachments", attachments::MAX_ATTACHMENTS),
            format!("een melding heeft hoogstens {} bijlagen", attachments::MAX_ATTACHMENTS),
        ));
    }
    let mut checked = Vec::with_capacity(files.len());
    for f in files {
        checked.push(attachments::check(&f.filename, f.content_type.as_deref(), &f.content)?);
    }
    let nis = parse_nis(&input.government_nis)?;
    let target = Target::parse(&input.target).map_err(|e| match e {
        TargetError::Empty => ServiceError::invalid(
            "target",
            "give the address (URL) or host name of the system",
            "geef het adres (URL) of de hostnaam van het systeem",
        ),
        TargetError::TooLong => ServiceError::invalid("target", "the address is too long", "het adres is te lang"),
        TargetError::BadHost => ServiceError::invalid(
            "target",
            "this is not a URL, host name or IP address",
            "dit is geen URL, hostnaam of IP-adres",
        ),
    })?;
    let cwe = report::parse_cwe(&input.cwe).ok_or_else(|| {
        ServiceError::invalid(
            "cwe",
            "give the type of vulnerability as a CWE number, such as CWE-79",
            "geef het type kwetsbaarheid als CWE-nummer, bijvoorbeeld CWE-79",
        )
    })?;
    let title = required("title", &input.title, MAX_TITLE, "a title", "een titel")?;
    let description = required("description", &input.description, MAX_TEXT, "a description", "een beschrijving")?;
    let steps = required(
        "steps",
        &input.steps,
        MAX_TEXT,
        "the steps to reproduce",
        "de stappen om het na te doen",
    )?;
    let impact = required("impact", &input.impact, MAX_TEXT, "the impact", "de impact")?;
    let (cvss_vector, cvss_score) = match input.cvss_vector.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => (None, None),
        Some(v) => {
            let (_, canonical, score) = cyberveilig_findings::score_cvss_vector(v).map_err(|why| {
                ServiceError::invalid(
                    "cvss_vector",
                    format!("the CVSS vector cannot be read: {why}"),
                    format!("de CVSS-vector is onleesbaar: {why}"),
                )
            })?;
            (Some(canonical), Some(score))
        }
    };
    let reporter_name = optional("reporter_name", input.reporter_name.as_deref(), 100)?;
    // A name goes into mail: one line of visible characters (issue 10, item 6).
    if !cyberveilig_domain::text::is_plain_line(&reporter_name) {
        return Err(ServiceError::invalid(
            "reporter_name",
            "a name or pseudonym is one line, without control or invisible characters",
            "een naam of pseudoniem is één regel, zonder stuur- of onzichtbare tekens",
        ));
    }
    if input.credit_consent && reporter_name.is_empty() {
        return Err(ServiceError::invalid(
            "reporter_name",
            "to be credited, give a name or a pseudonym",
            "geef een naam of pseudoniem om vermeld te worden",
        ));
    }
    let reporter_email = match input.reporter_email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => Some(
            e.parse::<EmailAddress>()
                .map_err(|_| ServiceError::invalid("reporter_email", "this is not an email address", "dit is geen e-mailadres"))?
                .to_string(),
        ),
    };
    let disclosure_plans = optional("disclosure_plans", input.disclosure_plans.as_deref(), 5_000)?;
    Ok(ReadReport {
        nis,
        target,
        cwe,
        title,
        description,
        steps,
        impact,
        cvss_vector,
        cvss_score,
        reporter_name,
        reporter_email,
        disclosure_plans,
        checked,
    })
}

/// Whether the target is outside the scope the government published: what its policy lists and
/// its registered systems (unless the policy leaves them out), minus what the policy excludes.
/// A government with neither cannot be checked against: its handlers judge the scope at triage.
async fn outside_published_scope(tx: &mut dyn Tx, government_id: i64, target: &Target) -> Result<bool> {
    // The scope: what the government's published policy lists, and its registered systems
    // (unless the policy leaves them out); what the policy excludes is out. A government
    // with neither cannot be checked against: its handlers judge the scope at triage.
    let policy = crate::disclosure::published_content_in(tx, government_id).await?;
    let mut scope: Vec<ScopeEntry> = Vec::new();
    let mut excluded: Vec<ScopeEntry> = Vec::new();
    if let Some(p) = &policy {
        scope.extend(p.in_scope.iter().filter_map(|l| ScopeEntry::of_policy_line(l)));
        excluded.extend(p.out_of_scope.iter().filter_map(|l| ScopeEntry::of_policy_line(l)));
    }
    if policy.as_ref().is_none_or(|p| p.include_assets) {
        let assets = tx.assets(government_id).await?;
        scope.extend(
            assets
                .iter()
                .flat_map(|a| ScopeEntry::of_asset(a.kind, &a.name, a.hostname.as_deref(), a.ip.as_deref())),
        );
    }
    Ok(!scope.is_empty() && !report::in_scope_of_policy(target, &scope, &excluded))
}

pub(super) fn parse_nis(text: &str) -> Result<NisCode> {
    text.trim().parse().map_err(|_| {
        ServiceError::invalid(
            "government_nis",
            format!("'{}' is not a NIS code of a local government", clean_text(text)),
            format!("'{}' is geen NIS-code van een lokaal bestuur", clean_text(text)),
        )
    })
}

/// A short code people quote, such as `CV-7KQ3-M9PX` (not a secret: the follow link is).
fn tracking_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes: [u8; 8] = rand::random();
    let c: Vec<char> = bytes.iter().map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char).collect();
    format!("CV-{}-{}", c[..4].iter().collect::<String>(), c[4..].iter().collect::<String>())
}

impl Services {
    /// Receives a report: checks every field and the scope, stores it with its deadlines, and
    /// tells the government (and the reporter, when they gave an address). `actor` is the
    /// researcher when they report signed in.
    /// Not limited per client: for the demo's seeding and the tests; requests come through
    /// [`Services::submit_report_with_files`].
    pub async fn submit_report(&self, actor: Option<&Actor>, input: ReportInput) -> Result<Submitted> {
        self.submit_report_with_files(actor, input, Vec::new(), None).await
    }

    /// Tells the government of a new report (with its deadlines) and its reporter how to follow
    /// it, when the reporter gave an address.
    async fn announce_report(&self, work: &mut Work, government: &Organisation, report: &Report, follow_url: &str) -> Result<()> {
        let handle_url = self.report_link(&format!("/meldingen/{}", report.id));
        let code = report.tracking_code.clone();
        self.notify(
        work,
        Notice {
            subject: format!("Nieuwe melding van een kwetsbaarheid / New vulnerability report {code}"),
            nl: format!(
                "{} ontving melding {code} over {}.\nBevestig de ontvangst uiterlijk op {} en beoordeel de melding uiterlijk op {}:\n\n{handle_url}",
                government.name,
                report.host,
                report.acknowledge_by.format("%d/%m/%Y"),
                report.triage_by.format("%d/%m/%Y")
            ),
            en: format!(
                "{} received report {code} about {}.\nAcknowledge it by {} and triage it by {}:\n\n{handle_url}",
                government.name,
                report.host,
                report.acknowledge_by.format("%d/%m/%Y"),
                report.triage_by.format("%d/%m/%Y")
            ),
            to_reporter: false,
            to_government: true,
            to_coordinator: false,
            except: None,
            report,
        },
    )
    .await?;
        if let Some(email) = report.reporter_email.as_deref().and_then(|e| e.parse::<EmailAddress>().ok()) {
            work.tx
                .insert_mail(
                    &mail(
                        &email,
                        &format!("Uw melding {code} / Your report {code}"),
                        &format!(
                            "Bedankt voor uw melding aan {}. Volg ze via deze geheime link (deel hem met niemand):\n\n{follow_url}",
                            government.name
                        ),
                        &format!(
                            "Thank you for your report to {}. Follow it through this secret link (share it with nobody):\n\n{follow_url}",
                            government.name
                        ),
                    ),
                    work.now,
                )
                .await?;
        }
        Ok(())
    }

    /// Receives a report with its attachments, all or nothing: a file that is refused refuses
    /// the report. A `client` (the signed-in person, or the connection's address) sends at most
    /// [`guard::REPORTS_PER_CLIENT`], counted in the database every server shares (R3).
    pub async fn submit_report_with_files(
        &self,
        actor: Option<&Actor>,
        input: ReportInput,
        files: Vec<NewFile>,
        client: Option<&str>,
    ) -> Result<Submitted> {
        let ReadReport {
            nis,
            target,
            cwe,
            title,
            description,
            steps,
            impact,
            cvss_vector,
            cvss_score,
            reporter_name,
            reporter_email,
            disclosure_plans,
            checked,
        } = read_report(&input, &files)?;

        let now = self.clock.now();
        let who = actor.map_or(Who::System, |a| Who::Person(a.clone()));
        let mut work = Work::begin(self.store.as_ref(), now, who).await?;
        if let Some(client) = client {
            guard::take(work.tx.as_mut(), guard::REPORTS_PER_CLIENT, client, self.limits_now_ms()).await?;
        }
        let government = crate::registry::local_government(work.tx.as_mut(), &nis).await?;
        // No report is lost: one outside the published scope is received, marked so, and
        // triaged like any other; the reporter is told the safe harbour does not cover it.
        let outside_scope = outside_published_scope(work.tx.as_mut(), government.id, &target).await?;
        let targets = response_targets(work.tx.as_mut(), government.id).await?;
        let deadlines = Deadlines::of(work.today, targets, None);
        let token = random_token("");
        let mut report = Report {
            id: 0,
            government_id: government.id,
            tracking_code: tracking_code(),
            follow_hash: token_hash(&token),
            state: ReportState::Received,
            outcome: None,
            duplicate_of: None,
            target: clean_text(&input.target),
            host: target.host.clone(),
            location: target.path.clone(),
            cwe: i64::from(cwe),
            duplicate_key: report::duplicate_key(&target, cwe),
            title,
            description,
            steps,
            impact,
            cvss_vector,
            cvss_score,
            reporter_name,
            reporter_email,
            reporter_id: actor.filter(|a| a.role == Role::Researcher).map(|a| a.person_id),
            credit_consent: input.credit_consent,
            disclosure_plans,
            received_at: now,
            received_on: work.today,
            acknowledge_by: deadlines.acknowledge_by,
            triage_by: deadlines.triage_by,
            disclose_on: deadlines.disclose_on,
            disclosure_agreed: false,
            acknowledged_at: None,
            triaged_at: None,
            fixed_at: None,
            closed_at: None,
            finding_id: None,
            coordinator_invited: false,
            outside_scope,
            reminded: String::new(),
            updated_at: now,
        };
        report.id = work.tx.insert_report(&report).await?;
        work.record(
            Action::ReportReceived,
            "report",
            report.id,
            json!({"government_id": government.id, "tracking_code": report.tracking_code, "host": report.host,
                   "cwe": cwe, "signed_in": report.reporter_id.is_some(), "acknowledge_by": report.acknowledge_by,
                   "triage_by": report.triage_by, "disclose_on": report.disclose_on, "outside_scope": report.outside_scope}),
        )
        .await?;
        for (f, kind) in files.iter().zip(checked) {
            let info = AttachmentInfo {
                id: 0,
                report_id: report.id,
                filename: attachments::clean_filename(&f.filename),
                kind,
                size: f.content.len() as i64,
                sha256: hex::encode(Sha256::digest(&f.content)),
                uploaded_by: Party::Reporter,
                at: now,
            };
            work.tx.insert_report_attachment(&info, &f.content).await?;
        }
        let follow_url = self.report_link(&format!("/meldingen/volgen/{token}"));
        self.announce_report(&mut work, &government, &report, &follow_url).await?;
        work.commit().await?;
        Ok(Submitted {
            report,
            follow_token: token,
            follow_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_short_and_unambiguous() {
        let c = tracking_code();
        assert_eq!(c.len(), 12);
        assert!(c.starts_with("CV-"));
        assert!(!c.contains(['0', 'O', '1', 'I']));
        assert_ne!(tracking_code(), tracking_code());
    }

    #[test]
    fn text_loses_control_characters() {
        assert_eq!(clean_text(" a\u{0}b\r\nc\u{7} "), "ab\nc");
    }
}
