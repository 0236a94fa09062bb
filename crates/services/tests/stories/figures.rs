//! Issue 14: the figures as at any day (FIG-1..FIG-8). A history is replayed through the use
//! cases on the clock; at the end of three of its days the live state is counted independently
//! (the ledger's balances, the orders as they stand); afterwards the figures as at those days
//! must give the same counts, and the answer to Parliament must quote the same numbers.

use super::*;
use cyberveilig_domain::registry::Province;
use cyberveilig_services::figures::Figures;
use cyberveilig_services::figures::parliament::AnswerFormat;
use cyberveilig_services::figures::tables::Cell;
use std::collections::{BTreeMap, BTreeSet};

/// What the live state said at the end of a day, counted without the figures' code.
#[derive(Debug, PartialEq)]
struct Count {
    reserved: i64,
    paid: i64,
    submitted: i64,
    by_state: BTreeMap<String, i64>,
    by_firm: BTreeMap<String, i64>,
    reached: i64,
    delivered: i64,
    settled: i64,
}

async fn count_now(w: &World) -> Count {
    let mut firms = BTreeMap::new();
    for name in ["EY", "Deloitte", "PwC", "Grant Thornton"] {
        firms.insert(w.firm_id(name).await, name.to_owned());
    }
    let status = w.status(w.programme_id).await;
    let orders = w.orders(w.programme_id).await;
    let mut by_state = BTreeMap::new();
    let mut by_firm = BTreeMap::new();
    let mut reached = BTreeSet::new();
    let (mut delivered, mut settled) = (0, 0);
    for o in &orders {
        *by_state.entry(o.state.as_str().to_owned()).or_insert(0) += 1;
        let placed = !matches!(
            o.state,
            OrderState::Waitlisted
                | OrderState::AwaitingConfirmation
                | OrderState::AwaitingFramework
                | OrderState::Cancelled
                | OrderState::Unplaceable
        );
        if placed && let Some(firm) = o.firm_id {
            *by_firm.entry(firms[&firm].clone()).or_insert(0) += 1;
        }
        if o.kind == OrderKind::Basic && !matches!(o.state, OrderState::Cancelled | OrderState::Unplaceable) {
            reached.insert(o.government_id);
        }
        // Basic audits delivered and settled (additional work is counted with the orders only).
        let basic = o.kind == OrderKind::Basic;
        delivered += i64::from(basic && o.delivered_on.is_some());
        settled += i64::from(basic && o.state == OrderState::Settled);
    }
    Count {
        reserved: status.balances.reserved.cents(),
        paid: status.balances.paid.cents(),
        submitted: orders.len() as i64,
        by_state,
        by_firm,
        reached: reached.len() as i64,
        delivered,
        settled,
    }
}

fn count_of(f: &Figures) -> Count {
    Count {
        reserved: f.credit.reserved.cents(),
        paid: f.credit.paid.cents(),
        submitted: f.orders.submitted,
        by_state: f.orders.by_state.iter().map(|(s, n)| (s.as_str().to_owned(), *n)).collect(),
        by_firm: f.orders.by_firm.iter().cloned().collect(),
        reached: f.reach.governments,
        delivered: f.orders.basic.delivered,
        settled: f.orders.basic.settled,
    }
}

story!(
    the_figures_at_three_days_are_what_the_platform_held_then,
    "2020-05-04T08:00:00Z",
    |w| {
        let pid = w.programme_id;
        let admin = w.admin().await;
        let ey = w.actor("ey@firms.test").await;

        // Day 1, Monday 4 May 2020: Gent, Antwerpen and Brugge order a basic audit; all go to EY.
        let mut ids = BTreeMap::new();
        for nis in [GENT, ANTWERPEN, BRUGGE] {
            let government = w.municipality(nis).await;
            let order = w.s().submit_order(&government, w.basic(pid, nis)).await.unwrap();
            ids.insert(nis, order.id);
        }
        let day1 = w.today();
        let at_day1 = count_now(&w).await;
        assert_eq!(at_day1.by_state, BTreeMap::from([("offered".to_owned(), 3)]));

        // Day 2: EY accepts Gent and Antwerpen and declines Brugge (to Deloitte); Leuven orders and cancels.
        w.advance_to("2020-05-06T09:00:00Z").await;
        w.ey_accepts(ids[GENT]).await;
        w.ey_accepts(ids[ANTWERPEN]).await;
        w.s()
            .firm_step(
                &ey,
                ids[BRUGGE],
                FirmStep::Decline {
                    reason: "geen capaciteit".into(),
                },
            )
            .await
            .unwrap();
        let leuven = w.municipality(LEUVEN).await;
        let cancelled = w.s().submit_order(&leuven, w.basic(pid, LEUVEN)).await.unwrap();
        w.s()
            .owner_step(
                &leuven,
                cancelled.id,
                OwnerStep::Cancel {
                    reason: "andere prioriteit".into(),
                },
            )
            .await
            .unwrap();
        let day2 = w.today();
        let at_day2 = count_now(&w).await;
        assert_eq!(at_day2.reached, 3, "Leuven's cancelled order does not reach it");

        // Then: EY delivers Gent's audit, holds its remediation day, invoices; the administrator settles.
        w.advance_to("2020-06-15T09:00:00Z").await;
        w.deliver(&ey, ids[GENT]).await;
        w.advance_to("2020-06-22T09:00:00Z").await;
        w.hold_remediation_day(&ey, ids[GENT], d(2020, 6, 22)).await.unwrap();
        w.s()
            .firm_step(
                &ey,
                ids[GENT],
                FirmStep::Invoice {
                    invoice_number: "EY-2020-001".into(),
                    amount: cents(500_940),
                },
            )
            .await
            .unwrap();
        w.advance_to("2020-07-01T09:00:00Z").await;
        w.s().settle_order(&admin, ids[GENT], None).await.unwrap();
        let day3 = w.today();
        let at_day3 = count_now(&w).await;
        assert_eq!((at_day3.delivered, at_day3.settled, at_day3.paid), (1, 1, BASIC_SHARE_OLD));

        // Later still, more happens: the figures of the days before must not move.
        w.advance_to("2020-07-10T09:00:00Z").await;
        w.deliver(&ey, ids[ANTWERPEN]).await;

        for (day, expected) in [(day1, &at_day1), (day2, &at_day2), (day3, &at_day3)] {
            let figures = w.s().figures(&admin, pid, Some(day)).await.unwrap();
            assert_eq!(&count_of(&figures), expected, "the figures as at {day}");
            assert_eq!(figures.credit.budget.cents(), BUDGET);
        }

        // FIG-3 and FIG-4 at day 3: the provinces reached and the lead times, counted by hand.
        let f = w.s().figures(&admin, pid, Some(day3)).await.unwrap();
        let reached: BTreeMap<Province, i64> = f.reach.provinces.iter().map(|p| (p.province, p.reached)).collect();
        assert_eq!(reached[&Province::EastFlanders], 1);
        assert_eq!(reached[&Province::Antwerp], 1);
        assert_eq!(reached[&Province::FlemishBrabant], 0, "Leuven cancelled");
        // Brugge's order went down the cascade after EY declined; it counts while it can be placed.
        assert_eq!(reached.values().sum::<i64>(), at_day3.reached);
        assert_eq!(f.reach.map.iter().filter(|m| m.reached).count() as i64, at_day3.reached);
        assert_eq!(f.reach.municipalities, f.reach.map.len() as i64);
        // Offered on the day of submission (4 orders); accepted 2 days after (Gent, Antwerpen);
        // delivered 42 days after (Gent); settled 58 days after (Gent).
        assert_eq!((f.lead_times.to_offer.count, f.lead_times.to_offer.median_days), (4, Some(0)));
        assert_eq!(
            (f.lead_times.to_acceptance.count, f.lead_times.to_acceptance.median_days),
            (2, Some(2))
        );
        assert_eq!(f.lead_times.to_delivery.median_days, Some(42));
        assert_eq!(f.lead_times.to_settlement.p90_days, Some(58));
        let june = f.orders.by_month.iter().find(|m| m.month.to_string() == "2020-06").unwrap();
        assert_eq!((june.basic, june.delivered, june.settled), (0, 1, 0));
        let may = f.orders.by_month.iter().find(|m| m.month.to_string() == "2020-05").unwrap();
        assert_eq!(may.basic, 4);
        // FIG-5: a month's credit is the day's at its end.
        let (_, end_of_may) = f.credit_by_month.iter().find(|(m, _)| m.to_string() == "2020-05").unwrap();
        let may_31 = w.s().figures(&admin, pid, Some(d(2020, 5, 31))).await.unwrap();
        assert_eq!(*end_of_may, may_31.credit);
        assert_eq!(f.credit_by_month.last().map(|(_, b)| *b), Some(f.credit));

        // FIG-1: a day after today is refused; before 2000 too; the figures are the administrators'.
        let tomorrow = w.today().succ_opt().unwrap();
        assert!(matches!(
            w.s().figures(&admin, pid, Some(tomorrow)).await,
            Err(ServiceError::Invalid { field: "at", .. })
        ));
        assert!(matches!(
            w.s().figures(&admin, pid, Some(d(1999, 12, 31))).await,
            Err(ServiceError::Invalid { .. })
        ));
        let gent = w.municipality(GENT).await;
        assert!(matches!(w.s().figures(&gent, pid, None).await, Err(ServiceError::NotFound(_))));
        assert!(matches!(
            w.s().parliament_answer(&gent, pid, None, true).await,
            Err(ServiceError::NotFound(_))
        ));

        // VVSG sees its own part (the grant, its events and toolkit, the engagements), nobody else but the administrators.
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let part = w.s().vvsg_figures(&vvsg, Some(day3)).await.unwrap();
        assert_eq!(part.engagements, f.engagements);
        assert_eq!(part.vvsg.as_ref().map(|v| v.balances), f.vvsg.as_ref().map(|v| v.balances));
        assert!(matches!(
            w.s().vvsg_figures(&gent, Some(day3)).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            w.s().figures(&vvsg, pid, Some(day3)).await,
            Err(ServiceError::NotFound(_))
        ));

        // A government sees its own figures: its orders, audits, findings and reports; nobody else's.
        let (at, own) = w.s().government_figures(&gent, Some(day3), true).await.unwrap();
        assert_eq!(at, day3);
        let ids: Vec<&str> = own.iter().map(|t| t.id).collect();
        assert_eq!(ids, cyberveilig_services::figures::GOVERNMENT_TABLES);
        let states = own.iter().find(|t| t.id == "orders-by-state").unwrap();
        assert_eq!(
            states.rows,
            vec![vec![Cell::Text("vereffend".into()), Cell::Count(1)]],
            "Gent's one order, settled"
        );
        let antwerpen_actor = w.municipality(ANTWERPEN).await;
        let (_, theirs) = w.s().government_figures(&antwerpen_actor, Some(day2), false).await.unwrap();
        let states = theirs.iter().find(|t| t.id == "orders-by-state").unwrap();
        assert_eq!(
            states.rows,
            vec![vec![Cell::Text("accepted".into()), Cell::Count(1)]],
            "Antwerpen's, accepted on day 2"
        );
        assert!(matches!(
            w.s().government_figures(&admin, None, true).await,
            Err(ServiceError::NotFound(_))
        ));

        // FIG-8: the answer quotes the figures of the same day, in both languages.
        let answer = w.s().parliament_answer(&admin, pid, Some(day3), true).await.unwrap();
        let text = cyberveilig_publish::write_markdown::render(&answer.document);
        for quoted in [
            format!("Op {} zijn {} bestellingen ingediend", day3.format("%d/%m/%Y"), f.orders.submitted),
            format!(
                "{} basisaudits zijn besteld (niet geannuleerd), {} opgeleverd en {} vereffend",
                f.orders.basic.ordered, f.orders.basic.delivered, f.orders.basic.settled
            ),
            format!(
                "{} lokale besturen zijn bereikt, waaronder {} van de {} gemeenten",
                f.reach.governments, f.reach.municipalities_reached, f.reach.municipalities
            ),
            format!(
                "{} vastgelegd voor lopende bestellingen, {} uitbetaald en {} nog beschikbaar",
                f.credit.reserved.format_nl(),
                f.credit.paid.format_nl(),
                f.credit.available().format_nl()
            ),
        ] {
            assert!(text.contains(&quoted), "the answer quotes `{quoted}`:\n{text}");
        }
        let english = w.s().parliament_answer(&admin, pid, Some(day3), false).await.unwrap();
        let text_en = cyberveilig_publish::write_markdown::render(&english.document);
        assert!(
            text_en.contains(&format!("{} orders have been submitted", f.orders.submitted)),
            "{text_en}"
        );
        // Before the offer starts, the answer describes what is planned.
        let planned = w.s().parliament_answer(&admin, pid, Some(d(2020, 4, 22)), true).await.unwrap();
        let planned_text = cyberveilig_publish::write_markdown::render(&planned.document);
        assert!(
            planned_text.contains("Op 22/04/2020 is nog geen bestelling ingediend. Bestellen kan vanaf 01/05/2020."),
            "{planned_text}"
        );
        assert!(planned_text.contains("€ 2.000.000,00"), "the credit as planned: {planned_text}");
        // The same answer as DOCX and PDF.
        let (name, pdf) = w
            .s()
            .parliament_answer_file(Some(&admin), pid, Some(day3), true, AnswerFormat::Pdf)
            .await
            .unwrap();
        assert_eq!(name, format!("antwoord-parlement-{}.pdf", day3.format("%Y-%m-%d")));
        assert!(pdf.starts_with(b"%PDF-"));
        // The PDF's text is the answer's: its numbers read back with pdftotext.
        if let Some(text) = super::steering::pdftotext(&pdf) {
            for quoted in [
                format!("zijn {} bestellingen ingediend", f.orders.submitted),
                format!("{} lokale besturen zijn bereikt", f.reach.governments),
                f.credit.paid.format_nl(),
                f.credit.available().format_nl(),
                "1. De middelen".to_owned(),
                "4. De rol van VVSG".to_owned(),
            ] {
                assert!(text.contains(&quoted), "the PDF holds `{quoted}`: {text}");
            }
        }
        let (_, docx) = w
            .s()
            .parliament_answer_file(Some(&admin), pid, Some(day3), true, AnswerFormat::Docx)
            .await
            .unwrap();
        let docx_text = cyberveilig_publish::docx::plain_text(&docx).unwrap();
        assert!(
            docx_text.contains(&format!("zijn {} bestellingen ingediend", f.orders.submitted)),
            "{docx_text}"
        );

        // FIG-7: the open-data extract at day 3 per province and month, naming no government.
        let open = w.s().open_data(Some(day3)).await.unwrap();
        let mut lines = open.csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                "programme,month,province,orders_submitted,basic_audits_delivered,cofinancing_paid_eur,municipalities_reached,awareness_events_attended"
            )
        );
        let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
        let row = |month: &str, province: &str| rows.iter().find(|r| r[1] == month && r[2].ends_with(province)).cloned().unwrap();
        assert_eq!(row("2020-05", "Oost-Vlaanderen")[3], "1", "Gent's order");
        assert_eq!(row("2020-06", "Oost-Vlaanderen")[4], "1", "Gent's audit delivered in June");
        assert_eq!(
            row("2020-07", "Oost-Vlaanderen")[5],
            format!("{}.{:02}", BASIC_SHARE_OLD / 100, BASIC_SHARE_OLD % 100)
        );
        assert_eq!(row("2020-07", "Oost-Vlaanderen")[6], "1");
        assert_eq!(row("2020-05", "Vlaams-Brabant")[3], "1", "Leuven's order, cancelled, was submitted");
        assert_eq!(row("2020-05", "Vlaams-Brabant")[6], "0", "a cancelled order reaches nobody");
        // (Antwerpen is also a province's name, which the extract does give.)
        for name in ["Gent", "Brugge", "Leuven"] {
            assert!(!open.csv.contains(name), "the extract names no government ({name})");
        }
        assert!(open.description.contains("CC BY 4.0") && open.description.contains(&day3.format("%Y-%m-%d").to_string()));
    }
);

story!(
    the_administrators_lists_export_as_csv_and_xlsx_with_their_filters,
    "2020-05-04T08:00:00Z",
    |w| {
        use cyberveilig_services::exports::{ExportFormat, ListFilters, ListName};
        let pid = w.programme_id;
        let admin = w.admin().await;
        let ey = w.actor("ey@firms.test").await;
        for nis in [GENT, ANTWERPEN] {
            let government = w.municipality(nis).await;
            w.s().submit_order(&government, w.basic(pid, nis)).await.unwrap();
        }
        let orders = w.orders(pid).await;
        w.ey_accepts(orders[0].id).await;
        w.advance_to("2020-06-15T09:00:00Z").await;
        w.deliver(&ey, orders[0].id).await;
        w.hold_remediation_day(&ey, orders[0].id, d(2020, 6, 15)).await.unwrap();
        w.s()
            .firm_step(
                &ey,
                orders[0].id,
                FirmStep::Invoice {
                    invoice_number: "=HYPERLINK(\"x\")".into(),
                    amount: cents(480_000),
                },
            )
            .await
            .unwrap();

        // The orders, filtered on their state, as CSV: dates as dates, money with two decimals.
        let accepted_only = ListFilters {
            orders: OrderFilter {
                state: Some(OrderState::Invoiced),
                ..Default::default()
            },
            ..Default::default()
        };
        let csv = w
            .s()
            .export_list(&admin, ListName::Orders, accepted_only, ExportFormat::Csv, true)
            .await
            .unwrap();
        assert_eq!(csv.rows, 1, "the filter applies");
        let text = String::from_utf8(csv.bytes).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("bestelling,bestuur,NIS-code,soort,stand,auditbedrijf,ingediend")
        );
        let row = lines.next().unwrap();
        assert!(
            row.contains(
                ",44021,basisaudit,gefactureerd,EY,2020-05-04,2020-05-04,2020-05-04,2020-06-15,2020-06-15,5009.40,4800.00,3339.60,0.00"
            ),
            "{row}"
        );
        assert_eq!(csv.filename, format!("bestellingen-{}.csv", w.today()));

        // The settlement queue says what settling pays; an invoice number that a spreadsheet would
        // run as a formula is written as text.
        let queue = w
            .s()
            .export_list(&admin, ListName::Settlements, ListFilters::default(), ExportFormat::Csv, false)
            .await
            .unwrap();
        let text = String::from_utf8(queue.bytes).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        // 2/3 of the invoice (4,800.00), below the accepted price: 3,200.00 paid, 139.60 released.
        assert!(text.contains(",5009.40,4800.00,3339.60,3200.00,139.60"), "{text}");

        // XLSX: the dates are dates and the money numbers, with their formats.
        let xlsx = w
            .s()
            .export_list(&admin, ListName::Orders, ListFilters::default(), ExportFormat::Xlsx, true)
            .await
            .unwrap();
        assert_eq!(xlsx.rows, 2);
        use calamine::{Data, Reader};
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
        let range = book.worksheet_range("Bestellingen").unwrap();
        let first = range.rows().nth(1).unwrap();
        // Submitted on 4 May 2020, as a date cell; the price, 5,009.40, as a number.
        match &first[6] {
            // Day 43955 of Excel's calendar.
            Data::DateTime(d) => assert_eq!(d.as_f64(), 43955.0),
            other => panic!("the submission day is a date, not {other:?}"),
        }
        assert_eq!(first[11], Data::Float(5009.4));
        assert_eq!(first[14], Data::Float(0.0), "nothing paid yet");

        // The other lists.
        for (list, first_header) in [
            (ListName::Governments, "NIS code,name,province,basic audits"),
            (ListName::Agreements, "reference,title,orders from"),
            (ListName::Reports, "tracking code,government"),
            (ListName::Engagements, "engagement,government"),
        ] {
            let e = w
                .s()
                .export_list(&admin, list, ListFilters::default(), ExportFormat::Csv, false)
                .await
                .unwrap();
            let text = String::from_utf8(e.bytes).unwrap();
            assert!(text.trim_start_matches('\u{feff}').starts_with(first_header), "{list:?}: {text}");
        }
        let governments = w
            .s()
            .export_list(&admin, ListName::Governments, ListFilters::default(), ExportFormat::Csv, false)
            .await
            .unwrap();
        assert_eq!(governments.rows, 285, "every municipality");
        let agreements = w
            .s()
            .export_list(&admin, ListName::Agreements, ListFilters::default(), ExportFormat::Csv, false)
            .await
            .unwrap();
        assert_eq!(agreements.rows, 6, "one row per firm of each cascade");

        // Only the administrators export; for anyone else the lists do not exist.
        let gent = w.municipality(GENT).await;
        for list in ListName::ALL {
            assert!(matches!(
                w.s()
                    .export_list(&gent, list, ListFilters::default(), ExportFormat::Csv, true)
                    .await,
                Err(ServiceError::NotFound(_))
            ));
        }
    }
);

story!(
    a_governments_audit_report_holds_its_scores_plan_and_remediation_day,
    "2020-05-04T08:00:00Z",
    |w| {
        let pid = w.programme_id;
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        w.deliver(&ey, order.id).await;
        w.hold_remediation_day(&ey, order.id, d(2020, 5, 4)).await.unwrap();
        let (name, pdf) = w.s().results_report_pdf(&gent, order.id, true).await.unwrap();
        assert_eq!(name, format!("auditrapport-bestelling-{}.pdf", order.id));
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(text) = super::steering::pdftotext(&pdf) {
            for part in [
                "Auditrapport: Gent",
                "1. Beoordeling per domein",
                // Every control rated compliant by the helper: 100 %.
                "Totaalscore: 100,0 %",
                "2. Bevindingen naar prioriteit",
                "3. Remediëringsplan",
                "4. Remediëringsdag",
                "Gehouden op 04/05/2020",
            ] {
                assert!(text.contains(part), "the report holds `{part}`: {text}");
            }
        }
        // The firm and the administrators may have it too, in English; another government may not.
        let (_, english) = w.s().results_report_pdf(&ey, order.id, false).await.unwrap();
        if let Some(text) = super::steering::pdftotext(&english) {
            assert!(
                text.contains("Audit report: Gent") && text.contains("Overall score: 100,0 %"),
                "{text}"
            );
        }
        w.s().results_report_pdf(&w.admin().await, order.id, true).await.unwrap();
        let antwerpen = w.municipality(ANTWERPEN).await;
        assert!(matches!(
            w.s().results_report_pdf(&antwerpen, order.id, true).await,
            Err(ServiceError::NotFound(_))
        ));
        let _ = pid;
    }
);

story!(
    the_quarterly_report_holds_the_quarters_figures_with_charts,
    "2020-05-04T08:00:00Z",
    |w| {
        let pid = w.programme_id;
        let admin = w.admin().await;
        let ey = w.actor("ey@firms.test").await;
        let (_, _, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        w.s().submit_order(&antwerpen, w.basic(pid, ANTWERPEN)).await.unwrap();
        w.advance_to("2020-07-06T09:00:00Z").await;
        w.deliver(&ey, order.id).await;

        // Q2 2020: two basic audits ordered in May, none delivered; Q3 (running): one delivered.
        let (name, pdf) = w.s().quarterly_report_pdf(&admin, pid, 2020, 2, true).await.unwrap();
        assert_eq!(name, "kwartaalrapport-2020-q2.pdf");
        if let Some(text) = super::steering::pdftotext(&pdf) {
            for part in [
                "Kwartaalrapport 2020 Q2",
                "van 01/04/2020 tot en met 30/06/2020",
                "Basisaudits besteld: 2",
                "Basisaudits opgeleverd: 0",
                "Bestellingen per maand",
                "2020-05",
            ] {
                assert!(text.contains(part), "the report holds `{part}`: {text}");
            }
            assert!(!text.contains("2020-07"), "only the quarter's months: {text}");
        }
        let (_, running) = w.s().quarterly_report_pdf(&admin, pid, 2020, 3, false).await.unwrap();
        if let Some(text) = super::steering::pdftotext(&running) {
            assert!(
                text.contains("Quarterly report 2020 Q3") && text.contains("up to and including 06/07/2020"),
                "{text}"
            );
            assert!(text.contains("Basic audits delivered: 1"), "{text}");
        }
        // A quarter that has not begun, or is not one, is refused; the report is the administrators'.
        assert!(matches!(
            w.s().quarterly_report_pdf(&admin, pid, 2020, 4, true).await,
            Err(ServiceError::Invalid { field: "quarter", .. })
        ));
        assert!(matches!(
            w.s().quarterly_report_pdf(&admin, pid, 2020, 5, true).await,
            Err(ServiceError::Invalid { field: "quarter", .. })
        ));
        assert!(matches!(
            w.s().quarterly_report_pdf(&antwerpen, pid, 2020, 2, true).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

story!(
    the_demos_history_replays_on_both_databases_and_its_figures_agree,
    "2020-04-30T08:00:00Z",
    |w| {
        // The demo's whole history (orders, VVSG's events and toolkit) through the use cases; its
        // figures at the end are the live state's, counted independently.
        let start = cyberveilig_services::demo::default_demo_start();
        let replayed = w.s().replay_demo_history(w.programme_id, start).await.unwrap();
        assert!(replayed > 100, "{replayed} orders");
        let admin = w.admin().await;
        let today = w.today();
        let figures = w.s().figures(&admin, w.programme_id, Some(today)).await.unwrap();
        assert_eq!(count_of(&figures), count_now(&w).await);
        assert!(
            figures
                .vvsg
                .as_ref()
                .and_then(|v| v.progress.as_ref())
                .is_some_and(|p| p.events_held > 0)
        );
    }
);
