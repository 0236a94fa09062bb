//! The figures as tables: what a dashboard shows beside each chart (its text alternative), what
//! each CSV download holds, and what the answer to Parliament quotes. One table per question.

use super::Figures;
pub use crate::exports::Cell;
use cyberveilig_domain::figures::Spread;
use cyberveilig_domain::ssvc::Decision;

/// How a table is drawn: bars per row, lines over the months, or not at all (mixed units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Bars,
    Lines,
    None,
}

/// One question's figures: the first column names the row, the others are numbers.
#[derive(Debug, Clone)]
pub struct FigureTable {
    /// Stable, for the CSV download's address (`orders-by-month`).
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Chart,
    /// The column a one-figure chart (the quarterly report's) draws.
    pub headline: usize,
}

/// Every table id, in the dashboard's order.
pub const TABLES: [&str; 14] = [
    "credit-by-month",
    "orders-by-month",
    "orders-by-state",
    "orders-by-firm",
    "orders-by-agreement",
    "orders-by-province",
    "basic-audits",
    "reach-by-province",
    "lead-times",
    "findings-by-decision",
    "remediation",
    "disclosure",
    "engagements",
    "vvsg",
];

fn decision_label(decision: Option<Decision>, dutch: bool) -> String {
    match (decision, dutch) {
        (Some(Decision::Act), true) => "Handelen (Act)".into(),
        (Some(Decision::Attend), true) => "Opvolgen (Attend)".into(),
        (Some(Decision::TrackStar), true) => "Volgen* (Track*)".into(),
        (Some(Decision::Track), true) => "Volgen (Track)".into(),
        (Some(d), false) => d.as_str().to_owned(),
        (None, true) => "geen beslissing".into(),
        (None, false) => "no decision".into(),
    }
}

fn spread_row(label: String, s: &Spread) -> Vec<Cell> {
    vec![
        Cell::Text(label),
        Cell::Count(s.count as i64),
        Cell::Days(s.median_days),
        Cell::Days(s.p90_days),
    ]
}

/// The figures' tables, in `dutch` or English, in the dashboard's order; VVSG's part last when there is one.
pub fn tables(f: &Figures, dutch: bool) -> Vec<FigureTable> {
    let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
    let count = |label: String, n: i64| vec![Cell::Text(label), Cell::Count(n)];
    let mut out = vec![
        FigureTable {
            id: "credit-by-month",
            title: t("Krediet per maand (einde van de maand)", "Credit per month (end of month)"),
            columns: vec![
                t("Maand", "Month"),
                t("Budget", "Budget"),
                t("Vastgelegd", "Committed"),
                t("Betaald", "Paid"),
                t("Beschikbaar", "Available"),
            ],
            rows: f
                .credit_by_month
                .iter()
                .map(|(m, b)| {
                    vec![
                        Cell::Text(m.to_string()),
                        Cell::Money(b.budget),
                        Cell::Money(b.reserved),
                        Cell::Money(b.paid),
                        Cell::Money(b.available()),
                    ]
                })
                .collect(),
            chart: Chart::Lines,
            headline: 3,
        },
        FigureTable {
            id: "orders-by-month",
            title: t("Bestellingen per maand", "Orders per month"),
            columns: vec![
                t("Maand", "Month"),
                t("Basisaudits besteld", "Basic audits ordered"),
                t("Bijkomend werk besteld", "Additional work ordered"),
                t("Basisaudits opgeleverd", "Basic audits delivered"),
                t("Basisaudits vereffend", "Basic audits settled"),
            ],
            rows: f
                .orders
                .by_month
                .iter()
                .map(|m| {
                    vec![
                        Cell::Text(m.month.to_string()),
                        Cell::Count(m.basic),
                        Cell::Count(m.additional),
                        Cell::Count(m.delivered),
                        Cell::Count(m.settled),
                    ]
                })
                .collect(),
            chart: Chart::Lines,
            headline: 1,
        },
        FigureTable {
            id: "orders-by-state",
            title: t("Bestellingen per stand", "Orders by state"),
            columns: vec![t("Stand", "State"), t("Bestellingen", "Orders")],
            rows: f
                .orders
                .by_state
                .iter()
                .map(|(s, n)| count(s.label(dutch).to_owned(), *n))
                .collect(),
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "orders-by-firm",
            title: t("Geplaatste bestellingen per auditbedrijf", "Placed orders by audit firm"),
            columns: vec![t("Auditbedrijf", "Audit firm"), t("Bestellingen", "Orders")],
            rows: f.orders.by_firm.iter().map(|(s, n)| count(s.clone(), *n)).collect(),
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "orders-by-agreement",
            title: t(
                "Geplaatste bestellingen per raamovereenkomst",
                "Placed orders by framework agreement",
            ),
            columns: vec![t("Raamovereenkomst", "Framework agreement"), t("Bestellingen", "Orders")],
            rows: f.orders.by_agreement.iter().map(|(s, n)| count(s.clone(), *n)).collect(),
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "orders-by-province",
            title: t("Bestellingen per provincie", "Orders by province"),
            columns: vec![t("Provincie", "Province"), t("Bestellingen", "Orders")],
            rows: f
                .orders
                .by_province
                .iter()
                .map(|(p, n)| {
                    let name = match p {
                        Some(p) if dutch => p.name_nl().to_owned(),
                        Some(p) => p.name_en().to_owned(),
                        None => t("andere besturen", "other governments"),
                    };
                    count(name, *n)
                })
                .collect(),
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "basic-audits",
            title: t("Basisaudits", "Basic audits"),
            columns: vec![t("Stap", "Step"), t("Basisaudits", "Basic audits")],
            rows: vec![
                count(t("besteld", "ordered"), f.orders.basic.ordered),
                count(t("opgeleverd", "delivered"), f.orders.basic.delivered),
                count(t("vereffend", "settled"), f.orders.basic.settled),
            ],
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "reach-by-province",
            title: t("Bereikte gemeenten per provincie", "Municipalities reached by province"),
            columns: vec![
                t("Provincie", "Province"),
                t("Gemeenten", "Municipalities"),
                t("Bereikt", "Reached"),
            ],
            rows: f
                .reach
                .provinces
                .iter()
                .map(|p| {
                    let name = if dutch { p.province.name_nl() } else { p.province.name_en() };
                    vec![Cell::Text(name.to_owned()), Cell::Count(p.municipalities), Cell::Count(p.reached)]
                })
                .collect(),
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "lead-times",
            title: t(
                "Doorlooptijd vanaf de bestelling (kalenderdagen)",
                "Lead time from the order (calendar days)",
            ),
            columns: vec![
                t("Tot", "Until"),
                t("Bestellingen", "Orders"),
                t("Mediaan", "Median"),
                t("90e percentiel", "90th percentile"),
            ],
            rows: vec![
                spread_row(t("aanbod", "offer"), &f.lead_times.to_offer),
                spread_row(t("aanvaarding", "acceptance"), &f.lead_times.to_acceptance),
                spread_row(t("oplevering", "delivery"), &f.lead_times.to_delivery),
                spread_row(t("vereffening", "settlement"), &f.lead_times.to_settlement),
            ],
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "findings-by-decision",
            title: t("Bevindingen per SSVC-beslissing", "Findings by SSVC decision"),
            columns: vec![t("Beslissing", "Decision"), t("Bevindingen", "Findings")],
            rows: f
                .findings
                .by_decision
                .iter()
                .map(|(d, n)| count(decision_label(*d, dutch), *n))
                .collect(),
            chart: Chart::Bars,
            headline: 1,
        },
        FigureTable {
            id: "remediation",
            title: t("Tijd tot herstel (kalenderdagen)", "Time to remediate (calendar days)"),
            columns: vec![
                t("Bevindingen", "Findings"),
                t("Hersteld", "Fixed"),
                t("Mediaan", "Median"),
                t("90e percentiel", "90th percentile"),
            ],
            rows: vec![spread_row(t("hersteld", "fixed"), &f.findings.fixed)],
            chart: Chart::None,
            headline: 1,
        },
        FigureTable {
            id: "disclosure",
            title: t("Kwetsbaarheidsmeldingen", "Vulnerability reports"),
            columns: vec![t("Stap", "Step"), t("Meldingen", "Reports")],
            rows: vec![
                count(t("ontvangen", "received"), f.disclosure.received),
                count(t("bevestigd", "acknowledged"), f.disclosure.acknowledged),
                count(
                    t("bevestigd binnen de termijn", "acknowledged within target"),
                    f.disclosure.acknowledged_in_time,
                ),
                count(t("beoordeeld", "triaged"), f.disclosure.triaged),
                count(
                    t("beoordeeld binnen de termijn", "triaged within target"),
                    f.disclosure.triaged_in_time,
                ),
            ],
            chart: Chart::Bars,
            headline: 1,
        },
        engagements_table(&f.engagements, dutch),
    ];
    if let Some(v) = &f.vvsg {
        out.push(vvsg_table(v, dutch));
    }
    out
}

/// The engagements of ethical hackers by the day (VVSG coordinates them, with Howest).
pub fn engagements_table(e: &super::EngagementFigures, dutch: bool) -> FigureTable {
    let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
    let count = |label: String, n: i64| vec![Cell::Text(label), Cell::Count(n)];
    FigureTable {
        id: "engagements",
        title: t("Opdrachten van ethische hackers", "Engagements of ethical hackers"),
        columns: vec![t("Stap", "Step"), t("Opdrachten", "Engagements")],
        rows: vec![
            count(t("voorgesteld", "proposed"), e.proposed),
            count(t("toegestaan", "authorised"), e.authorised),
            count(t("ingetrokken", "withdrawn"), e.withdrawn),
        ],
        chart: Chart::Bars,
        headline: 1,
    }
}

/// VVSG's part: the grant's ledger at the day, and what its work packages delivered by then.
pub fn vvsg_table(v: &super::VvsgFigures, dutch: bool) -> FigureTable {
    let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
    let count = |label: String, n: i64| vec![Cell::Text(label), Cell::Count(n)];
    let mut rows = vec![
        vec![Cell::Text(t("subsidie", "grant")), Cell::Money(v.grant.amount)],
        vec![
            Cell::Text(t("goedgekeurd, niet betaald", "approved, not paid")),
            Cell::Money(v.balances.reserved),
        ],
        vec![Cell::Text(t("betaald", "paid")), Cell::Money(v.balances.paid)],
    ];
    if let Some(p) = &v.progress {
        rows.extend([
            count(t("resultaten klaar", "deliverables done"), p.deliverables_done),
            count(t("evenementen gehouden", "events held"), p.events_held),
            count(t("inschrijvingen", "registrations"), p.registered),
            count(t("aanwezigen", "attendance"), p.attended),
            count(t("organisaties bereikt", "organisations reached"), p.organisations_reached),
            count(t("toolkit-items gepubliceerd", "toolkit items published"), p.toolkit_published),
            count(
                t("organisaties die de toolkit gebruikten", "organisations that used the toolkit"),
                p.toolkit_organisations,
            ),
        ]);
    }
    FigureTable {
        id: "vvsg",
        title: t("VVSG: subsidie, evenementen en toolkit", "VVSG: grant, events and toolkit"),
        columns: vec![t("Cijfer", "Figure"), t("Waarde", "Value")],
        rows,
        chart: Chart::None,
        headline: 1,
    }
}
