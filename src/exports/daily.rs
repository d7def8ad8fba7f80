//! The daily series as CSV and as a workbook: every day of the range and the whole
//! period, in the columns of `DAILY_COLUMNS`.

use bytes::Bytes;
use chrono::NaiveDate;

use super::{add_filter, csv_chunk, write_about, Download, Export, TableFormats};
use crate::domain::CostAssumption;
use crate::domain::{DateRange, Organization};
use crate::i18n::{self, figures as names, lists as words, Lang};
use crate::metrics::report::{work_absorbed, WorkAbsorbed};
use crate::metrics::DailyCounters;

/// One line of the daily series: a day's counters (or the period's, summed) as the
/// report counts them. While the range is still forming its baseline the report
/// shows volume only, and so does the download: the outcome columns are empty
/// (docs/metrics.md §4.7).
struct DailyLine {
    /// The day, or the whole period's words on its line.
    label: DailyLabel,
    total: DailyCounters,
    /// The line's hours and money by the organization's own cost assumption
    /// (`metrics::report::work_absorbed`, as the report); `None` without one.
    work: Option<WorkAbsorbed>,
    forming: bool,
    with_hours: bool,
}

enum DailyLabel {
    Day(NaiveDate),
    WholePeriod(String),
}

/// A cell of the daily series, as both downloads write it.
enum DailyCell {
    Date(NaiveDate),
    Text(String),
    Count(i64),
    Rate(f64),
    Hours(f64),
    Rupiah(i64),
    Empty,
}

impl DailyLine {
    /// The line of `rows`, which span the days `counted` (what the AI's cost counts).
    fn new(
        label: DailyLabel,
        rows: &[DailyCounters],
        counted: Option<DateRange>,
        context: &LineContext,
    ) -> Self {
        let mut total = DailyCounters::default();
        for row in rows {
            total.add(row);
        }
        let work = context
            .cost
            .filter(|_| !context.forming)
            .map(|cost| work_absorbed(total.net(), Some(cost), counted));
        DailyLine {
            label,
            total,
            work,
            forming: context.forming,
            with_hours: context.with_hours,
        }
    }

    /// A money or time figure, when the cost assumption gives one.
    fn money(&self, figure: impl Fn(&WorkAbsorbed) -> Option<DailyCell>) -> DailyCell {
        self.work
            .as_ref()
            .and_then(figure)
            .unwrap_or(DailyCell::Empty)
    }

    /// A figure shown only once the baseline has formed.
    fn outcome(&self, count: i64) -> DailyCell {
        if self.forming {
            DailyCell::Empty
        } else {
            DailyCell::Count(count)
        }
    }
}

/// What every line of a download shares.
struct LineContext {
    with_hours: bool,
    forming: bool,
    cost: Option<CostAssumption>,
}

/// A column of the daily series: its title and how a line fills it.
type DailyColumn = (i18n::Phrase, fn(&DailyLine) -> DailyCell);

/// The daily series' columns, in order. Both downloads write exactly these.
const DAILY_COLUMNS: [DailyColumn; 16] = [
    (words::DAILY_DAY, |line| match &line.label {
        DailyLabel::Day(day) => DailyCell::Date(*day),
        DailyLabel::WholePeriod(words) => DailyCell::Text(words.clone()),
    }),
    (words::DAILY_ALL, |line| {
        DailyCell::Count(line.total.eligible + line.total.test_chats + line.total.spam)
    }),
    (words::DAILY_COUNTED, |line| {
        DailyCell::Count(line.total.eligible)
    }),
    (names::TEST_CHATS, |line| {
        DailyCell::Count(line.total.test_chats)
    }),
    (names::SPAM, |line| DailyCell::Count(line.total.spam)),
    (words::DAILY_AI_HANDLED, |line| {
        DailyCell::Count(line.total.ai_handled)
    }),
    (names::SOLVED_ALONE, |line| line.outcome(line.total.net())),
    (names::CAME_BACK, |line| line.outcome(line.total.reopened)),
    (names::AI_ASSISTED, |line| {
        line.outcome(line.total.ai_assisted)
    }),
    (names::ESCALATED, |line| line.outcome(line.total.escalated)),
    (names::OTHER, |line| line.outcome(line.total.other)),
    (names::AFTER_HOURS, |line| {
        if line.with_hours {
            line.outcome(line.total.after_hours)
        } else {
            DailyCell::Empty
        }
    }),
    (words::DAILY_NET_RATE, |line| {
        if line.forming || line.total.eligible == 0 {
            DailyCell::Empty
        } else {
            DailyCell::Rate(line.total.net() as f64 / line.total.eligible as f64)
        }
    }),
    (words::DAILY_HOURS_SAVED, |line| {
        line.money(|work| work.hours.map(DailyCell::Hours))
    }),
    (words::DAILY_RUPIAH_SAVED, |line| {
        line.money(|work| work.rupiah.map(DailyCell::Rupiah))
    }),
    (words::DAILY_AI_COST, |line| {
        line.money(|work| work.ai_cost.map(DailyCell::Rupiah))
    }),
];

/// Every day of the range up to the last one the datamart holds, oldest first (a
/// day without rooms is a row of zeros, as the report counts it), then the whole
/// period, which is the report's own totals over the same days with data.
fn daily_lines(
    series: &DailySeries<'_>,
    organization: &Organization,
    lang: Lang,
) -> Vec<DailyLine> {
    let DailySeries {
        days,
        range,
        forming,
        cost,
        data_through,
        ..
    } = *series;
    let context = LineContext {
        with_hours: organization.business_hours.is_some(),
        forming,
        cost,
    };
    let by_day: std::collections::HashMap<NaiveDate, &DailyCounters> =
        days.iter().map(|row| (row.day, row)).collect();
    let counted = range.with_data_through(data_through);
    let all: Vec<DailyCounters> = counted
        .iter()
        .flat_map(DateRange::iter_days)
        .map(|day| {
            by_day
                .get(&day)
                .map_or_else(|| DailyCounters::empty(day), |row| (*row).clone())
        })
        .collect();
    let mut lines: Vec<DailyLine> = all
        .iter()
        .map(|row| {
            let one = std::slice::from_ref(row);
            let day = DateRange::unbounded(row.day, row.day).ok();
            DailyLine::new(DailyLabel::Day(row.day), one, day, &context)
        })
        .collect();
    // The whole period is the report's own: its days with data (METRICS.md §4.4).
    lines.push(DailyLine::new(
        DailyLabel::WholePeriod(words::DAILY_TOTAL.text(lang).to_string()),
        &all,
        counted,
        &context,
    ));
    lines
}

/// What a daily download is made of: the range's daily rows, whether the range
/// still forms its baseline (then volume only, as the report), and the cost
/// assumption its money columns use.
pub(crate) struct DailySeries<'a> {
    pub days: &'a [DailyCounters],
    pub range: DateRange,
    pub forming: bool,
    pub cost: Option<CostAssumption>,
    /// The last day the datamart holds for the organization: the series stops there
    /// and the AI's cost counts the days up to it, as the report.
    pub data_through: Option<NaiveDate>,
    /// The thresholds net containment is judged by, so the workbook writes a rate
    /// with the decimal the report writes it with (METRICS.md §4.10).
    pub net_thresholds: [f64; 3],
}

impl DailySeries<'_> {
    fn lines(&self, organization: &Organization, lang: Lang) -> Vec<DailyLine> {
        daily_lines(self, organization, lang)
    }
}

/// The daily series as CSV; at most 366 days, so it is made at once.
pub(crate) fn daily_csv(
    download: &Download,
    series: &DailySeries<'_>,
) -> Result<Bytes, std::io::Error> {
    let lines = series.lines(&download.organization, download.lang);
    let bytes = csv_chunk(|w| {
        w.write_record(
            DAILY_COLUMNS
                .iter()
                .map(|(title, _)| title.text(download.lang)),
        )?;
        for line in &lines {
            w.write_record(DAILY_COLUMNS.iter().map(|(_, cell)| match cell(line) {
                DailyCell::Date(day) => day.to_string(),
                DailyCell::Text(text) => text,
                DailyCell::Count(count) => count.to_string(),
                DailyCell::Rate(rate) => format!("{rate:.6}"),
                DailyCell::Hours(hours) => format!("{hours:.2}"),
                DailyCell::Rupiah(rupiah) => rupiah.to_string(),
                DailyCell::Empty => String::new(),
            }))?;
        }
        Ok(())
    })?;
    download
        .outcome
        .finished(Export::DailyCsv, None, lines.len().saturating_sub(1) as u64);
    Ok(bytes)
}

/// The daily series as a workbook, with the sheet that says what it means.
pub(crate) fn daily_xlsx(
    download: &Download,
    series: &DailySeries<'_>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let lang = download.lang;
    let range = series.range;
    let lines = series.lines(&download.organization, lang);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    // Whole percentages, or the decimals a rate beside a threshold is written with.
    let percents =
        ["0%", "0.0%", "0.00%"].map(|format| rust_xlsxwriter::Format::new().set_num_format(format));
    let hours = rust_xlsxwriter::Format::new().set_num_format("#,##0.0");
    let rupiah = rust_xlsxwriter::Format::new().set_num_format("\"Rp\" #,##0");
    let table = TableFormats::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(words::SHEET_DAILY.text(lang))?;
    // Each column as wide as its title needs on two lines, within reason.
    let columns = DAILY_COLUMNS.iter().map(|(title, _)| {
        let title = title.text(lang);
        let width = (title.chars().count() as f64 / 2.0 + 2.0).clamp(12.0, 24.0);
        (title, width)
    });
    table.write_header(sheet, columns)?;
    for (index, line) in lines.iter().enumerate() {
        let row = index as u32 + 1;
        for (column, (_, cell)) in DAILY_COLUMNS.iter().enumerate() {
            let column = column as u16;
            match cell(line) {
                DailyCell::Date(day) => table.write_date(sheet, (row, column), day)?,
                DailyCell::Text(text) => {
                    sheet.write_string(row, column, text)?;
                }
                DailyCell::Count(count) => {
                    sheet.write_number(row, column, count as f64)?;
                }
                DailyCell::Rate(rate) => {
                    let decimals = i18n::rate_decimals(rate, &series.net_thresholds);
                    let format = &percents[decimals.min(percents.len() - 1)];
                    sheet.write_number_with_format(row, column, rate, format)?;
                }
                DailyCell::Hours(value) => {
                    sheet.write_number_with_format(row, column, value, &hours)?;
                }
                DailyCell::Rupiah(value) => {
                    sheet.write_number_with_format(row, column, value as f64, &rupiah)?;
                }
                DailyCell::Empty => {}
            }
        }
    }
    add_filter(sheet, lines.len() as u32, DAILY_COLUMNS.len())?;
    let about = workbook.add_worksheet();
    about.set_name(words::SHEET_ABOUT.text(lang))?;
    write_about(
        about,
        (&download.organization, range, series.cost),
        lang,
        &bold,
    )?;
    let bytes = workbook.save_to_buffer()?;
    download.outcome.finished(
        Export::DailyXlsx,
        None,
        lines.len().saturating_sub(1) as u64,
    );
    Ok(bytes)
}
