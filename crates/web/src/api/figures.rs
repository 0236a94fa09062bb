//! The programme's figures as at any day, each table as CSV, the answer to Parliament, and the
//! public open-data extract (issue 14).

use crate::AppState;
use crate::extract::{Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use cyberveilig_domain::figures::Spread;
use cyberveilig_domain::ledger::Balances;
use cyberveilig_domain::order::OrderState;
use cyberveilig_services::ServiceError;
use cyberveilig_services::exports::{ExportFormat, ListFilters, ListName};
use cyberveilig_services::figures::Figures;
use cyberveilig_services::figures::parliament::AnswerFormat;
use cyberveilig_services::figures::tables::{TABLES, tables};
use cyberveilig_services::reports::ReportListQuery;
use cyberveilig_services::store::records::OrderFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AtQuery {
    /// The day the figures are as at (their end, Brussels time), YYYY-MM-DD; today by default.
    pub at: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct CreditDto {
    pub budget_cents: i64,
    pub reserved_cents: i64,
    pub paid_cents: i64,
    pub available_cents: i64,
}

impl From<Balances> for CreditDto {
    fn from(b: Balances) -> CreditDto {
        CreditDto {
            budget_cents: b.budget.cents(),
            reserved_cents: b.reserved.cents(),
            paid_cents: b.paid.cents(),
            available_cents: b.available().cents(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreditMonthDto {
    /// YYYY-MM
    pub month: String,
    #[serde(flatten)]
    pub credit: CreditDto,
}

#[derive(Serialize, ToSchema)]
pub struct TallyDto {
    /// What is counted: a state, a firm's name, an agreement's reference, a province, a decision.
    pub key: String,
    pub count: i64,
}

fn tallies<K>(items: &[(K, i64)], key: impl Fn(&K) -> String) -> Vec<TallyDto> {
    items.iter().map(|(k, n)| TallyDto { key: key(k), count: *n }).collect()
}

#[derive(Serialize, ToSchema)]
pub struct MonthOrdersDto {
    pub month: String,
    pub basic: i64,
    pub additional: i64,
    /// Basic audits delivered and settled in the month.
    pub delivered: i64,
    pub settled: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AuditCountsDto {
    /// Basic audits ordered and neither cancelled nor unplaceable.
    pub ordered: i64,
    pub delivered: i64,
    pub settled: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OrderFiguresDto {
    pub submitted: i64,
    pub by_state: Vec<TallyDto>,
    pub by_firm: Vec<TallyDto>,
    pub by_agreement: Vec<TallyDto>,
    /// By province (`antwerpen`, ...; `other` for governments outside the municipalities).
    pub by_province: Vec<TallyDto>,
    pub by_month: Vec<MonthOrdersDto>,
    pub basic_audits: AuditCountsDto,
}

#[derive(Serialize, ToSchema)]
pub struct GovernmentsReachedByProvinceDto {
    pub province: String,
    pub municipalities: i64,
    pub reached: i64,
}

#[derive(Serialize, ToSchema)]
pub struct GovernmentsReachedDto {
    /// Local governments of any kind with a basic audit order that is neither cancelled nor unplaceable.
    pub governments: i64,
    pub municipalities: i64,
    pub municipalities_reached: i64,
    pub provinces: Vec<GovernmentsReachedByProvinceDto>,
    /// The NIS codes of the municipalities reached.
    pub reached_nis: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SpreadDto {
    pub count: i64,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
}

impl From<Spread> for SpreadDto {
    fn from(s: Spread) -> SpreadDto {
        SpreadDto {
            count: s.count as i64,
            median_days: s.median_days,
            p90_days: s.p90_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadTimesDto {
    pub to_offer: SpreadDto,
    pub to_acceptance: SpreadDto,
    pub to_delivery: SpreadDto,
    pub to_settlement: SpreadDto,
}

#[derive(Serialize, ToSchema)]
pub struct FindingFiguresDto {
    /// Findings first seen by the day, by SSVC decision (`none`: not decided).
    pub by_decision: Vec<TallyDto>,
    /// Findings set to fixed by the day, and the days from first sighting to that change.
    pub fixed: SpreadDto,
}

#[derive(Serialize, ToSchema)]
pub struct DisclosureFiguresDto {
    pub received: i64,
    pub acknowledged: i64,
    pub acknowledged_in_time: i64,
    pub triaged: i64,
    pub triaged_in_time: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EngagementCountsDto {
    pub proposed: i64,
    pub authorised: i64,
    pub withdrawn: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VvsgFiguresDto {
    pub grant_cents: i64,
    pub approved_cents: i64,
    pub paid_cents: i64,
    /// From the grant's start to the day; absent before the grant starts.
    pub deliverables_done: Option<i64>,
    pub events_held: Option<i64>,
    pub registered: Option<i64>,
    pub attended: Option<i64>,
    pub organisations_reached: Option<i64>,
    pub municipalities_reached: Option<i64>,
    pub toolkit_published: Option<i64>,
    pub toolkit_organisations: Option<i64>,
}

/// The programme's figures at the end of a day.
#[derive(Serialize, ToSchema)]
pub struct FiguresDto {
    pub at: NaiveDate,
    pub programme_id: i64,
    pub programme: String,
    /// The offer's last day as configured at the day.
    pub offer_ends_on: NaiveDate,
    pub credit: CreditDto,
    pub credit_by_month: Vec<CreditMonthDto>,
    pub orders: OrderFiguresDto,
    pub reach: GovernmentsReachedDto,
    pub lead_times: LeadTimesDto,
    pub findings: FindingFiguresDto,
    pub disclosure: DisclosureFiguresDto,
    pub engagements: EngagementCountsDto,
    pub vvsg: Option<VvsgFiguresDto>,
}

impl From<&Figures> for FiguresDto {
    fn from(f: &Figures) -> FiguresDto {
        let o = &f.orders;
        FiguresDto {
            at: f.at,
            programme_id: f.programme.id,
            programme: f.programme.name.clone(),
            offer_ends_on: f.offer_ends_on,
            credit: f.credit.into(),
            credit_by_month: f
                .credit_by_month
                .iter()
                .map(|(m, b)| CreditMonthDto {
                    month: m.to_string(),
                    credit: (*b).into(),
                })
                .collect(),
            orders: OrderFiguresDto {
                submitted: o.submitted,
                by_state: tallies(&o.by_state, |s| s.as_str().to_owned()),
                by_firm: tallies(&o.by_firm, String::clone),
                by_agreement: tallies(&o.by_agreement, String::clone),
                by_province: tallies(&o.by_province, |p| p.map_or("other", |p| p.as_str()).to_owned()),
                by_month: o
                    .by_month
                    .iter()
                    .map(|m| MonthOrdersDto {
                        month: m.month.to_string(),
                        basic: m.basic,
                        additional: m.additional,
                        delivered: m.delivered,
                        settled: m.settled,
                    })
                    .collect(),
                basic_audits: AuditCountsDto {
                    ordered: o.basic.ordered,
                    delivered: o.basic.delivered,
                    settled: o.basic.settled,
                },
            },
            reach: GovernmentsReachedDto {
                governments: f.reach.governments,
                municipalities: f.reach.municipalities,
                municipalities_reached: f.reach.municipalities_reached,
                provinces: f
                    .reach
                    .provinces
                    .iter()
                    .map(|p| GovernmentsReachedByProvinceDto {
                        province: p.province.as_str().to_owned(),
                        municipalities: p.municipalities,
                        reached: p.reached,
                    })
                    .collect(),
                reached_nis: f
                    .reach
                    .map
                    .iter()
                    .filter(|m| m.reached)
                    .map(|m| m.nis.as_str().to_owned())
                    .collect(),
            },
            lead_times: LeadTimesDto {
                to_offer: f.lead_times.to_offer.into(),
                to_acceptance: f.lead_times.to_acceptance.into(),
                to_delivery: f.lead_times.to_delivery.into(),
                to_settlement: f.lead_times.to_settlement.into(),
            },
            findings: FindingFiguresDto {
                by_decision: tallies(&f.findings.by_decision, |d| d.map_or("none", |d| d.as_str()).to_owned()),
                fixed: f.findings.fixed.into(),
            },
            disclosure: DisclosureFiguresDto {
                received: f.disclosure.received,
                acknowledged: f.disclosure.acknowledged,
                acknowledged_in_time: f.disclosure.acknowledged_in_time,
                triaged: f.disclosure.triaged,
                triaged_in_time: f.disclosure.triaged_in_time,
            },
            engagements: EngagementCountsDto {
                proposed: f.engagements.proposed,
                authorised: f.engagements.authorised,
                withdrawn: f.engagements.withdrawn,
            },
            vvsg: f.vvsg.as_ref().map(|v| {
                let p = v.progress.as_ref();
                VvsgFiguresDto {
                    grant_cents: v.grant.amount.cents(),
                    approved_cents: v.balances.reserved.cents(),
                    paid_cents: v.balances.paid.cents(),
                    deliverables_done: p.map(|p| p.deliverables_done),
                    events_held: p.map(|p| p.events_held),
                    registered: p.map(|p| p.registered),
                    attended: p.map(|p| p.attended),
                    organisations_reached: p.map(|p| p.organisations_reached),
                    municipalities_reached: p.map(|p| p.municipalities_reached),
                    toolkit_published: p.map(|p| p.toolkit_published),
                    toolkit_organisations: p.map(|p| p.toolkit_organisations),
                }
            }),
        }
    }
}

/// The programme's figures at the end of a day (today by default): credit, orders, audits, the
/// governments reached, lead times, findings, reports, engagements and VVSG's part (administrators).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/figures", tag = "figures", security(("bearer" = [])),
    params(("id" = i64, Path), AtQuery),
    responses((status = 200, body = FiguresDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn figures(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(query): Params<AtQuery>,
) -> ApiResult<Json<FiguresDto>> {
    let figures = state.services.figures(&actor, id, query.at).await.or_problem(lang)?;
    Ok(Json((&figures).into()))
}

/// The name of a figures table, as in the dashboard's CSV downloads.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum TableName {
    CreditByMonth,
    OrdersByMonth,
    OrdersByState,
    OrdersByFirm,
    OrdersByAgreement,
    OrdersByProvince,
    BasicAudits,
    ReachByProvince,
    LeadTimes,
    FindingsByDecision,
    Remediation,
    Disclosure,
    Engagements,
    Vvsg,
}

/// One table of the figures as CSV or XLSX, in the caller's language: money as numbers with two
/// decimals (in XLSX as numbers formatted #,##0.00).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/figures/tables/{table}", tag = "figures", security(("bearer" = [])),
    params(("id" = i64, Path), ("table" = inline(TableName), Path), TableQuery),
    responses((status = 200, description = "The table as a file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn table(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Path((id, name)): Path<(String, String)>,
    Params(query): Params<TableQuery>,
) -> ApiResult<Response> {
    let format = ExportFormat::parse(query.format.as_deref().unwrap_or("csv")).or_problem(lang)?;
    let not_found = || Problem::from_service(&ServiceError::NotFound("table"), lang);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    if !TABLES.contains(&name.as_str()) {
        return Err(not_found().into());
    }
    let figures = state.services.figures(&actor, id, query.at).await.or_problem(lang)?;
    let table = tables(&figures, lang.is_dutch())
        .into_iter()
        .find(|t| t.id == name)
        .ok_or_else(not_found)?;
    let file = state.services.export_table(&table, figures.at, format).or_problem(lang)?;
    Ok(super::attachment(file.bytes, file.content_type, &file.filename))
}
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// csv (the default) or xlsx.
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
    /// Orders: their state; reports: theirs (as in the lists).
    #[param(max_length = 40)]
    pub state: Option<String>,
    /// Orders placed with this firm.
    pub firm_id: Option<i64>,
    /// Orders under this framework agreement.
    pub agreement_id: Option<i64>,
    /// Orders of the governments of this province (its NIS code).
    #[param(pattern = "^[0-9]{5}$")]
    pub province: Option<String>,
    /// Orders submitted from this day.
    pub submitted_from: Option<NaiveDate>,
    /// Orders submitted up to this day.
    pub submitted_until: Option<NaiveDate>,
    /// Reports past a deadline only.
    pub overdue_only: Option<bool>,
}

/// A list of the administrator's portal as CSV or XLSX with its filters: `orders`,
/// `settlements` (the invoiced orders with what settling pays), `governments`, `agreements`
/// (one row per firm of each cascade), `reports`, `engagements` (administrators).
#[utoipa::path(get, path = "/api/v1/exports/{list}", tag = "figures", security(("bearer" = [])),
    params(("list" = inline(ListNameDto), Path), ExportQuery),
    responses((status = 200, description = "The list as a file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Path(list): Path<String>,
    Params(query): Params<ExportQuery>,
) -> ApiResult<Response> {
    let list = ListName::parse(&list).ok_or_else(|| Problem::from_service(&ServiceError::NotFound("list"), lang))?;
    if query
        .province
        .as_deref()
        .is_some_and(|p| p.len() != 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            lang,
            "Een provincie is een NIS-code van vijf cijfers.",
            "A province is a NIS code of five digits.",
        )
        .field("province")
        .into());
    }
    let format = ExportFormat::parse(query.format.as_deref().unwrap_or("csv")).or_problem(lang)?;
    let order_state = match (list, query.state.as_deref()) {
        (ListName::Orders, Some(s)) => Some(s.parse::<OrderState>().map_err(|_| {
            Problem::localized(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                lang,
                "Geen stand van een bestelling.",
                "Not a state of an order.",
            )
            .field("state")
        })?),
        _ => None,
    };
    let filters = ListFilters {
        orders: OrderFilter {
            state: order_state,
            firm_id: query.firm_id,
            agreement_id: query.agreement_id,
            province_nis: query.province.clone(),
            submitted_from: query.submitted_from,
            submitted_until: query.submitted_until,
            ..Default::default()
        },
        reports: ReportListQuery {
            state: if list == ListName::Reports { query.state.clone() } else { None },
            overdue_only: query.overdue_only.unwrap_or(false),
            ..Default::default()
        },
    };
    let file = state
        .services
        .export_list(&actor, list, filters, format, lang.is_dutch())
        .await
        .or_problem(lang)?;
    Ok(super::attachment(file.bytes, file.content_type, &file.filename))
}

/// The name of an exported list.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ListNameDto {
    Orders,
    Settlements,
    Governments,
    Agreements,
    Reports,
    Engagements,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TableQuery {
    /// The day the figures are as at (their end, Brussels time), YYYY-MM-DD; today by default.
    pub at: Option<NaiveDate>,
    /// csv (the default) or xlsx.
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnswerQuery {
    /// The day the answer describes (its end), YYYY-MM-DD; today by default.
    pub at: Option<NaiveDate>,
    /// md (Markdown, the default), docx or pdf.
    #[param(pattern = "^(md|docx|pdf)$")]
    pub format: Option<String>,
}

/// The answer to the written question in Parliament, from the figures of the day, in the caller's
/// language (Accept-Language: nl or en) as Markdown, DOCX or PDF (administrators).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/parliament-answer", tag = "figures", security(("bearer" = [])),
    params(("id" = i64, Path), AnswerQuery),
    responses((status = 200, description = "The answer as a file", content((String = "text/markdown"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/pdf"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn parliament_answer(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(query): Params<AnswerQuery>,
) -> ApiResult<Response> {
    let format = match query.format.as_deref() {
        None => AnswerFormat::Markdown,
        Some(text) => AnswerFormat::parse(text).ok_or_else(|| {
            Problem::localized(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                lang,
                "Kies md, docx of pdf.",
                "Choose md, docx or pdf.",
            )
            .field("format")
        })?,
    };
    let (name, bytes) = state
        .services
        .parliament_answer_file(Some(&actor), id, query.at, lang.is_dutch(), format)
        .await
        .or_problem(lang)?;
    Ok(super::attachment(bytes, format.media_type(), &name))
}

/// The open-data extract (CC BY 4.0), public: per programme, province and month, orders,
/// basic audits delivered, co-financing paid, municipalities reached and awareness events; no
/// government's name, findings or personal data.
#[utoipa::path(get, path = "/api/v1/open-data/figures.csv", tag = "figures", params(AtQuery),
    responses((status = 200, description = "The extract as CSV", content_type = "text/csv", body = String), (status = 422, body = Problem)))]
pub async fn open_data(State(state): State<AppState>, lang: Lang, Params(query): Params<AtQuery>) -> ApiResult<Response> {
    let extract = state.services.open_data(query.at).await.or_problem(lang)?;
    Ok(super::attachment(
        extract.csv,
        super::CSV,
        &format!("cyberveilig-open-data-{}.csv", extract.at.format("%Y-%m-%d")),
    ))
}

/// The open-data extract's description: its columns, licence and date of extraction (Markdown).
#[utoipa::path(get, path = "/api/v1/open-data/README.md", tag = "figures", params(AtQuery),
    responses((status = 200, description = "The data description", content_type = "text/markdown", body = String), (status = 422, body = Problem)))]
pub async fn open_data_description(State(state): State<AppState>, lang: Lang, Params(query): Params<AtQuery>) -> ApiResult<Response> {
    let description = state.services.open_data_description(query.at).or_problem(lang)?;
    let mut response = axum::response::IntoResponse::into_response(description);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    Ok(response)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuarterQuery {
    #[param(minimum = 2000, maximum = 2099)]
    pub year: i32,
    /// 1 to 4.
    #[param(minimum = 1, maximum = 4)]
    pub quarter: u32,
}

/// The programme's quarterly report as a tagged PDF in the caller's language: the dashboards'
/// figures at the quarter's end (today in a quarter still running), the months of the quarter,
/// each table with its chart (administrators).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/quarterly-report", tag = "figures", security(("bearer" = [])),
    params(("id" = i64, Path), QuarterQuery),
    responses((status = 200, description = "The report as PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn quarterly_report(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(query): Params<QuarterQuery>,
) -> ApiResult<Response> {
    let (name, bytes) = state
        .services
        .quarterly_report_pdf(&actor, id, query.year, query.quarter, lang.is_dutch())
        .await
        .or_problem(lang)?;
    Ok(super::attachment(bytes, super::PDF, &name))
}
