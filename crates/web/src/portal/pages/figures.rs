//! The administrator's dashboards (`/cijfers`): the programme's figures at any day as charts
//! with their tables beside them, each table as CSV, the map of the municipalities reached, and
//! the answer to Parliament (`/cijfers/parlement`) as Markdown, DOCX or PDF.

use super::*;
use crate::portal::charts;
use chrono::Datelike;
use cyberveilig_services::figures::parliament::AnswerFormat;
use cyberveilig_services::figures::tables::{Chart, FigureTable, engagements_table, tables, vvsg_table};

#[derive(Deserialize, Default)]
pub struct FiguresQuery {
    /// The day, YYYY-MM-DD; empty or absent is today.
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    programma: Option<String>,
    /// A table's id for its CSV (`orders-by-month`).
    #[serde(default)]
    tabel: Option<String>,
    /// md, docx or pdf.
    #[serde(default)]
    formaat: Option<String>,
}

/// The day asked about, or the error to show: an unreadable day is said so, not ignored.
fn day_of(q: &FiguresQuery, dutch: bool) -> Result<Option<NaiveDate>, String> {
    match q.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| {
            if dutch {
                "Geef een datum als JJJJ-MM-DD.".to_owned()
            } else {
                "Give a date as YYYY-MM-DD.".to_owned()
            }
        }),
    }
}

async fn programme_of(state: &AppState, actor: &Actor, q: &FiguresQuery) -> Result<i64, ServiceError> {
    if let Some(id) = q.programma.as_deref().and_then(|p| p.parse::<i64>().ok()) {
        return Ok(id);
    }
    state
        .services
        .programmes(actor)
        .await?
        .first()
        .map(|p| p.programme.id)
        .ok_or(ServiceError::NotFound("programme"))
}

fn invalid(visitor: &Visitor, message: String) -> Response {
    let title = if visitor.lang.is_dutch() {
        "Dat kan niet"
    } else {
        "That is not possible"
    };
    let mut response = visitor.page("message.html", context! { title, body => message });
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

fn sections(list: Vec<FigureTable>, dutch: bool) -> Vec<Value> {
    list.into_iter()
        .map(|t| {
            let chart = match t.chart {
                Chart::Bars => charts::bars(&t),
                Chart::Lines => charts::lines(&t),
                Chart::None => None,
            };
            let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| c.display(dutch)).collect()).collect();
            context! { id => t.id, title => t.title, columns => t.columns, rows, chart => chart.map(Value::from_safe_string) }
        })
        .collect()
}

/// VVSG's tables: its grant, events and toolkit, and the engagements it coordinates.
fn vvsg_tables(part: &cyberveilig_services::figures::VvsgPart, dutch: bool) -> Vec<FigureTable> {
    let mut list = Vec::new();
    if let Some(v) = &part.vvsg {
        list.push(vvsg_table(v, dutch));
    }
    list.push(engagements_table(&part.engagements, dutch));
    list
}

/// `GET /cijfers`: the dashboards at a day; VVSG sees its own part.
pub async fn page(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FiguresQuery>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let day = match day_of(&q, dutch) {
        Ok(day) => day,
        Err(message) => return invalid(&visitor, message),
    };
    if actor.role == Role::AssociationMember {
        return match state.services.vvsg_figures(&actor, day).await {
            Ok(part) => visitor.page(
                "figures.html",
                context! {
                    at => part.at.format("%Y-%m-%d").to_string(), full => false, part => "vvsg",
                    sections => sections(vvsg_tables(&part, dutch), dutch),
                },
            ),
            Err(e) => refusal(&visitor, &e),
        };
    }
    if actor.role == Role::GovernmentMember {
        return match state.services.government_figures(&actor, day, dutch).await {
            Ok((at, own)) => visitor.page(
                "figures.html",
                context! { at => at.format("%Y-%m-%d").to_string(), full => false, part => "government", sections => sections(own, dutch) },
            ),
            Err(e) => refusal(&visitor, &e),
        };
    }
    let programme = match programme_of(&state, &actor, &q).await {
        Ok(id) => id,
        Err(e) => return refusal(&visitor, &e),
    };
    let figures = match state.services.figures(&actor, programme, day).await {
        Ok(f) => f,
        Err(e) => return refusal(&visitor, &e),
    };
    let at = figures.at.format("%Y-%m-%d").to_string();
    let sections = sections(tables(&figures, dutch), dutch);
    let (reached, not_reached) = if dutch {
        ("bereikt", "niet bereikt")
    } else {
        ("reached", "not reached")
    };
    let map_title = if dutch {
        format!(
            "Kaart: {} van de {} gemeenten bereikt",
            figures.reach.municipalities_reached, figures.reach.municipalities
        )
    } else {
        format!(
            "Map: {} of the {} municipalities reached",
            figures.reach.municipalities_reached, figures.reach.municipalities
        )
    };
    let map = charts::tile_map(&figures.reach.map, &map_title, dutch, reached, not_reached);
    let b = &figures.credit;
    let money = |m: Money| if dutch { m.format_nl() } else { m.format_en() };
    let (year, quarter) = (figures.at.year(), figures.at.month0() / 3 + 1);
    visitor.page(
        "figures.html",
        context! {
            full => true, year, quarter, at, programme, programme_name => figures.programme.name.clone(), sections,
            map => Value::from_safe_string(map), map_title,
            budget => money(b.budget), reserved => money(b.reserved), paid => money(b.paid), available => money(b.available()),
            submitted => figures.orders.submitted, audits_ordered => figures.orders.basic.ordered,
            audits_delivered => figures.orders.basic.delivered, audits_settled => figures.orders.basic.settled,
            governments => figures.reach.governments, municipalities_reached => figures.reach.municipalities_reached,
            municipalities => figures.reach.municipalities,
        },
    )
}

/// `GET /cijfers/csv?tabel=...&at=...&formaat=csv|xlsx`: one table of the dashboards as CSV or XLSX.
pub async fn csv(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FiguresQuery>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let day = match day_of(&q, dutch) {
        Ok(day) => day,
        Err(message) => return invalid(&visitor, message),
    };
    let format = match cyberveilig_services::exports::ExportFormat::parse(q.formaat.as_deref().unwrap_or("csv")) {
        Ok(f) => f,
        Err(e) => return invalid(&visitor, visitor.error_text(&e)),
    };
    let (at, list) = match visible_tables(&state, &actor, &q, day, dutch).await {
        Ok(found) => found,
        Err(e) => return refusal(&visitor, &e),
    };
    let wanted = q.tabel.unwrap_or_default();
    let Some(table) = list.into_iter().find(|t| t.id == wanted) else {
        return refusal(&visitor, &ServiceError::NotFound("table"));
    };
    match state.services.export_table(&table, at, format) {
        Ok(e) => crate::api::attachment(e.bytes, e.content_type, &e.filename),
        Err(e) => refusal(&visitor, &e),
    }
}

/// The day and the tables this person sees: a government its own, VVSG its part, the
/// administrators every table of the programme.
async fn visible_tables(
    state: &AppState,
    actor: &Actor,
    q: &FiguresQuery,
    day: Option<NaiveDate>,
    dutch: bool,
) -> Result<(NaiveDate, Vec<FigureTable>), ServiceError> {
    match actor.role {
        Role::GovernmentMember => state.services.government_figures(actor, day, dutch).await,
        Role::AssociationMember => {
            let part = state.services.vvsg_figures(actor, day).await?;
            Ok((part.at, vvsg_tables(&part, dutch)))
        }
        _ => {
            let programme = programme_of(state, actor, q).await?;
            let figures = state.services.figures(actor, programme, day).await?;
            Ok((figures.at, tables(&figures, dutch)))
        }
    }
}

/// `GET /cijfers/parlement`: the answer to Parliament at a day, to read and to download.
pub async fn parliament(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FiguresQuery>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let day = match day_of(&q, dutch) {
        Ok(day) => day,
        Err(message) => return invalid(&visitor, message),
    };
    let programme = match programme_of(&state, &actor, &q).await {
        Ok(id) => id,
        Err(e) => return refusal(&visitor, &e),
    };
    let answer = match state.services.parliament_answer(&actor, programme, day, dutch).await {
        Ok(a) => a,
        Err(e) => return refusal(&visitor, &e),
    };
    let markdown = cyberveilig_publish::write_markdown::render(&answer.document);
    // Each table in a focusable, named region that scrolls on its own on a narrow screen.
    let region = if dutch { "Tabel" } else { "Table" };
    let mut html = String::new();
    for (i, part) in cyberveilig_publish::markdown::to_html(&markdown).split("<table>").enumerate() {
        if i > 0 {
            html.push_str(&format!(
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{region} {i}\"><table>"
            ));
        }
        html.push_str(&part.replace("</table>", "</table></div>"));
    }
    visitor.page(
        "parliament.html",
        context! { at => answer.figures.at.format("%Y-%m-%d").to_string(), programme, answer => Value::from_safe_string(html) },
    )
}

/// `GET /cijfers/parlement/bestand?formaat=pdf&at=...`: the answer as a file.
pub async fn parliament_file(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FiguresQuery>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let day = match day_of(&q, dutch) {
        Ok(day) => day,
        Err(message) => return invalid(&visitor, message),
    };
    let Some(format) = AnswerFormat::parse(q.formaat.as_deref().unwrap_or("md")) else {
        return invalid(
            &visitor,
            if dutch {
                "Kies md, docx of pdf.".into()
            } else {
                "Choose md, docx or pdf.".into()
            },
        );
    };
    let programme = match programme_of(&state, &actor, &q).await {
        Ok(id) => id,
        Err(e) => return refusal(&visitor, &e),
    };
    match state
        .services
        .parliament_answer_file(Some(&actor), programme, day, dutch, format)
        .await
    {
        Ok((name, bytes)) => crate::api::attachment(bytes, format.media_type(), &name),
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    lijst: Option<String>,
    #[serde(default)]
    formaat: Option<String>,
    // The orders' filters, as on `/bestellingen`.
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    firm: Option<String>,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    // The reports' filter, as on `/meldingen`.
    #[serde(default)]
    overdue: Option<String>,
}

/// `GET /exporteren?lijst=orders&formaat=xlsx&...`: a list of the administrator's portal as CSV
/// or XLSX, with the filters of its page.
pub async fn export(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<ExportQuery>) -> Response {
    use cyberveilig_services::exports::{ExportFormat, ListFilters, ListName};
    let dutch = visitor.lang.is_dutch();
    let Some(list) = q.lijst.as_deref().and_then(ListName::parse) else {
        return refusal(&visitor, &ServiceError::NotFound("list"));
    };
    let format = match ExportFormat::parse(q.formaat.as_deref().unwrap_or("csv")) {
        Ok(f) => f,
        Err(e) => return invalid(&visitor, visitor.error_text(&e)),
    };
    let id = |v: &Option<String>| nonempty(v).map(str::parse::<i64>).transpose();
    let date = |v: &Option<String>| nonempty(v).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d")).transpose();
    let state_filter = nonempty(&q.state).map(str::parse::<OrderState>).transpose();
    let (Ok(firm), Ok(agreement), Ok(from), Ok(until)) = (id(&q.firm), id(&q.agreement), date(&q.from), date(&q.until)) else {
        return invalid(
            &visitor,
            if dutch {
                "Een filter is niet geldig.".into()
            } else {
                "A filter is not valid.".into()
            },
        );
    };
    let orders = OrderFilter {
        state: if list == ListName::Orders {
            state_filter.ok().flatten()
        } else {
            None
        },
        firm_id: firm,
        agreement_id: agreement,
        province_nis: nonempty(&q.province).map(str::to_owned),
        submitted_from: from,
        submitted_until: until,
        ..Default::default()
    };
    let reports = cyberveilig_services::reports::ReportListQuery {
        state: if list == ListName::Reports {
            nonempty(&q.state).map(str::to_owned)
        } else {
            None
        },
        overdue_only: q.overdue.as_deref() == Some("true"),
        ..Default::default()
    };
    match state
        .services
        .export_list(&actor, list, ListFilters { orders, reports }, format, dutch)
        .await
    {
        Ok(e) => crate::api::attachment(e.bytes, e.content_type, &e.filename),
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct QuarterQuery {
    #[serde(default)]
    programma: Option<String>,
    #[serde(default)]
    jaar: Option<String>,
    #[serde(default)]
    kwartaal: Option<String>,
}

/// `GET /cijfers/kwartaalrapport?jaar=2021&kwartaal=2`: the quarterly report as a PDF.
pub async fn quarterly(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<QuarterQuery>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let number = |v: &Option<String>| nonempty(v).and_then(|s| s.parse::<u32>().ok());
    let (Some(year), Some(quarter)) = (number(&q.jaar), number(&q.kwartaal)) else {
        return invalid(
            &visitor,
            if dutch {
                "Kies een jaar en een kwartaal.".into()
            } else {
                "Choose a year and a quarter.".into()
            },
        );
    };
    let programme = match programme_of(
        &state,
        &actor,
        &FiguresQuery {
            programma: q.programma.clone(),
            ..Default::default()
        },
    )
    .await
    {
        Ok(id) => id,
        Err(e) => return refusal(&visitor, &e),
    };
    match state
        .services
        .quarterly_report_pdf(&actor, programme, year as i32, quarter, dutch)
        .await
    {
        Ok((name, bytes)) => crate::api::attachment(bytes, crate::api::PDF, &name),
        Err(e) => refusal(&visitor, &e),
    }
}
