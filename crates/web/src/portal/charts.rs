//! Charts drawn on the server as SVG (plotters), readable without JavaScript: each is an image
//! with a name, and the page puts the table it was drawn from beside it as its text alternative.
//! The map of the municipalities is a tile grid, one square per municipality, by province.

use cyberveilig_services::figures::MunicipalityReach;
use cyberveilig_services::figures::tables::{Cell, FigureTable};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

const WIDTH: u32 = 640;
/// Colours with at least 3:1 contrast on white (WCAG 2.1, 1.4.11), told apart by more than hue.
const SERIES: [RGBColor; 4] = [
    RGBColor(0x1f, 0x4e, 0x8c),
    RGBColor(0xb3, 0x44, 0x00),
    RGBColor(0x2e, 0x7d, 0x32),
    RGBColor(0x6a, 0x1b, 0x9a),
];
/// Plotters sets text at 0.8 of the size asked: this gives 12 px.
const FONT: f64 = 15.0;
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

fn fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The embedded face cannot fail to parse; if it did, text would be measured as empty.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, cyberveilig_publish::SANS);
    });
}

/// Text for the SVG: what could be read as markup is left out.
fn plain(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '<' | '>' | '&' | '"')).take(40).collect()
}

/// The numeric columns of a table, as series: name and one value per row.
fn series(table: &FigureTable) -> Vec<(String, Vec<f64>)> {
    (1..table.columns.len())
        .map(|c| {
            let values = table.rows.iter().map(|r| r.get(c).and_then(Cell::value).unwrap_or(0.0)).collect();
            (table.columns[c].clone(), values)
        })
        .collect()
}

fn labels(table: &FigureTable) -> Vec<String> {
    table
        .rows
        .iter()
        .map(|r| match r.first() {
            Some(Cell::Text(t)) => plain(t),
            Some(other) => other.csv(),
            None => String::new(),
        })
        .collect()
}

/// The top of the value axis: above the highest value by `headroom` (room for the legend).
fn ceiling(series: &[(String, Vec<f64>)], headroom: f64) -> f64 {
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    if max <= 0.0 { 1.0 } else { max * headroom }
}

/// Makes the SVG an image with a name for assistive technology; the table beside it holds the values.
fn named(svg: String, title: &str) -> String {
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", plain(title)), 1)
}

fn axis_number(v: f64) -> String {
    if v.abs() >= 1_000_000.0 {
        format!("{:.1}M", v / 1_000_000.0)
    } else if v.abs() >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Nothing to draw: no rows, no figures, or every figure zero (the table says so plainly).
fn nothing_to_draw(names: &[String], series: &[(String, Vec<f64>)]) -> bool {
    names.is_empty() || series.iter().all(|(_, values)| values.iter().all(|v| *v == 0.0))
}

/// Horizontal bars, one group per row, one bar per numeric column.
pub fn bars(table: &FigureTable) -> Option<String> {
    fonts();
    let names = labels(table);
    let series = series(table);
    if nothing_to_draw(&names, &series) {
        return None;
    }
    let rows = names.len();
    let height = (60 + rows as u32 * (14 + 12 * series.len() as u32)).clamp(140, 900);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let max = ceiling(&series, 1.1);
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(190)
            .build_cartesian_2d(0f64..max, 0f64..rows as f64)
            .ok()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v| axis_number(*v))
            .label_style(("sans-serif", FONT).into_font().color(&INK))
            .draw()
            .ok()?;
        let band = 0.8 / series.len() as f64;
        for (s, (name, values)) in series.iter().enumerate() {
            let colour = SERIES[s % SERIES.len()];
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    // The first row on top.
                    let top = (rows - 1 - i) as f64 + 0.9 - band * s as f64;
                    Rectangle::new([(0.0, top), (*v, top - band)], colour.filled())
                }))
                .ok()?
                .label(plain(name))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
        }
        for (i, name) in names.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, (rows - 1 - i) as f64 + 0.5));
            root.draw(&Text::new(
                name.clone(),
                (x - 6, y),
                ("sans-serif", FONT)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .ok()?;
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.9))
                .border_style(INK)
                .label_font(("sans-serif", FONT).into_font().color(&INK))
                .draw()
                .ok()?;
        }
        root.present().ok()?;
    }
    Some(named(svg, &table.title))
}

/// Lines over the rows (months), one line per numeric column.
pub fn lines(table: &FigureTable) -> Option<String> {
    fonts();
    let names = labels(table);
    let series = series(table);
    if nothing_to_draw(&names, &series) {
        return None;
    }
    let last = (names.len().max(2) - 1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 320)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let max = ceiling(&series, 1.1 + 0.1 * series.len() as f64);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..last, 0f64..max)
            .ok()?;
        let label_of = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_labels(names.len().min(8))
            .x_label_formatter(&label_of)
            .y_labels(6)
            .y_label_formatter(&|v| axis_number(*v))
            .label_style(("sans-serif", FONT).into_font().color(&INK))
            .draw()
            .ok()?;
        for (s, (name, values)) in series.iter().enumerate() {
            let colour = SERIES[s % SERIES.len()];
            let style = ShapeStyle::from(&colour).stroke_width(if s == 0 { 3 } else { 2 });
            chart
                .draw_series(LineSeries::new(values.iter().enumerate().map(|(i, v)| (i as f64, *v)), style))
                .ok()?
                .label(plain(name))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
            chart
                .draw_series(
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Circle::new((i as f64, *v), 3, colour.filled())),
                )
                .ok()?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(INK)
            .label_font(("sans-serif", FONT).into_font().color(&INK))
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(named(svg, &table.title))
}

/// The 285 municipalities as a tile grid by province: a filled square is reached, an outlined
/// one is not; each square names its municipality.
pub fn tile_map(map: &[MunicipalityReach], title: &str, dutch: bool, reached_word: &str, not_reached_word: &str) -> String {
    use cyberveilig_domain::registry::Province;
    const TILE: u32 = 14;
    const PER_ROW: usize = 20;
    let mut body = String::new();
    let mut y = 0u32;
    for province in Province::ALL {
        let of: Vec<&MunicipalityReach> = map.iter().filter(|m| m.province == province).collect();
        let name = if dutch { province.name_nl() } else { province.name_en() };
        y += 18;
        body.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#222\">{} ({}/{})</text>",
            y - 4,
            plain(name),
            of.iter().filter(|m| m.reached).count(),
            of.len()
        ));
        for (i, m) in of.iter().enumerate() {
            let (col, row) = ((i % PER_ROW) as u32, (i / PER_ROW) as u32);
            let (fill, stroke) = if m.reached {
                ("#1f4e8c", "#1f4e8c")
            } else {
                ("#ffffff", "#767676")
            };
            body.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\"><title>{} ({}): {}</title></rect>",
                col * (TILE + 2),
                y + row * (TILE + 2),
                TILE,
                TILE,
                plain(&m.name),
                m.nis.as_str(),
                if m.reached { reached_word } else { not_reached_word }
            ));
        }
        y += (of.len().div_ceil(PER_ROW) as u32) * (TILE + 2) + 4;
    }
    let width = PER_ROW as u32 * (TILE + 2);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {y}\" width=\"{width}\" height=\"{y}\">{body}</svg>",
        plain(title)
    )
}

/// A score's history: one line per category on a 0 to 100 scale, over the dates of the scans.
/// A category without a score at a date leaves a gap.
pub fn score_trend(title: &str, dates: &[String], series: &[(String, Vec<Option<f64>>)]) -> Option<String> {
    fonts();
    if dates.is_empty() || series.iter().all(|(_, v)| v.iter().all(Option::is_none)) {
        return None;
    }
    let names: Vec<String> = dates.iter().map(|d| plain(d)).collect();
    let last = (names.len().max(2) - 1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 320)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..last, 0f64..100f64)
            .ok()?;
        let label_of = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_labels(names.len().min(6))
            .x_label_formatter(&label_of)
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", FONT).into_font().color(&INK))
            .draw()
            .ok()?;
        let colours = [SERIES[0], SERIES[1], SERIES[2], SERIES[3], RGBColor(0x55, 0x55, 0x55)];
        for (s, (name, values)) in series.iter().enumerate() {
            let colour = colours[s % colours.len()];
            let style = ShapeStyle::from(&colour).stroke_width(if s == 0 { 3 } else { 2 });
            // A gap where the category had no score: each run of scores is its own line.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => runs.last_mut().map(|r| r.push((i as f64, *v))).unwrap_or_default(),
                    None => runs.push(Vec::new()),
                }
            }
            // A dot for each score as well: a lone score (the first scan) has no line to draw.
            let dots: Vec<(f64, f64)> = runs.iter().flatten().copied().collect();
            chart
                .draw_series(dots.into_iter().map(|p| Circle::new(p, 2, colour.filled())))
                .ok()?;
            let mut labelled = false;
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                let drawn = chart.draw_series(LineSeries::new(run, style)).ok()?;
                if !labelled {
                    drawn
                        .label(plain(name))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
                    labelled = true;
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(INK)
            .label_font(("sans-serif", FONT).into_font().color(&INK))
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(named(svg, title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cyberveilig_services::figures::tables::Chart;

    fn table(rows: Vec<Vec<Cell>>) -> FigureTable {
        FigureTable {
            id: "orders-by-firm",
            title: "Orders <by> firm".into(),
            columns: vec!["Firm".into(), "Orders".into()],
            rows,
            chart: Chart::Bars,
            headline: 1,
        }
    }

    #[test]
    fn a_bar_chart_is_a_named_svg_image_with_its_labels_as_text() {
        let svg = bars(&table(vec![
            vec![Cell::Text("Deloitte".into()), Cell::Count(62)],
            vec![Cell::Text("EY <script>".into()), Cell::Count(39)],
        ]))
        .unwrap();
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"Orders by firm\" "),
            "{}",
            &svg[..120]
        );
        assert!(
            svg.contains("\nDeloitte\n") && svg.contains("\nEY script\n"),
            "labels are text, markup left out"
        );
        assert!(!svg.contains("<script"));
        assert!(svg.matches("<rect").count() >= 3, "the background and a bar per firm");
    }

    #[test]
    fn an_empty_table_draws_no_chart() {
        assert_eq!(bars(&table(vec![])), None);
        assert_eq!(lines(&table(vec![])), None);
        let zeros = table(vec![vec![Cell::Text("EY".into()), Cell::Count(0)]]);
        assert_eq!(bars(&zeros), None, "all figures zero: the table alone says it");
        assert!(bars(&table(vec![vec![Cell::Text("EY".into()), Cell::Count(1)]])).is_some());
    }

    #[test]
    fn a_line_chart_names_its_months() {
        let mut t = table(
            ["2020-05", "2020-06", "2020-07"]
                .iter()
                .enumerate()
                .map(|(i, m)| vec![Cell::Text((*m).into()), Cell::Count(i as i64 * 4)])
                .collect(),
        );
        t.chart = Chart::Lines;
        let svg = lines(&t).unwrap();
        assert!(svg.contains("\n2020-05\n") && svg.contains("\n2020-07\n"), "{svg}");
        assert!(svg.contains("<polyline") || svg.contains("<path"), "a line is drawn");
    }

    #[test]
    fn a_score_trend_draws_each_category_and_leaves_gaps() {
        let dates: Vec<String> = vec!["15/06/20".into(), "22/06/20".into(), "29/06/20".into()];
        let series = vec![
            ("Totaal".to_string(), vec![Some(80.0), Some(90.0), Some(95.0)]),
            ("E-mail".to_string(), vec![Some(50.0), None, Some(100.0)]),
        ];
        let svg = score_trend("Score", &dates, &series).expect("a chart");
        assert!(svg.contains("aria-label=\"Score\""));
        assert!(svg.contains("Totaal") && svg.contains("E-mail"));
        assert!(score_trend("Score", &[], &series).is_none());
        assert!(score_trend("Score", &dates, &[("x".into(), vec![None, None, None])]).is_none());
    }
}
