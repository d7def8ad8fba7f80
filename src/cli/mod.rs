//! The command line: `impact demo | migrate | import | generate | aggregate | report
//! | serve | forecast-backtest | forecast-audit`. It parses arguments, calls the
//! library (`pipeline` for the shared steps), prints, and maps errors to exit codes.

mod demo;
mod forecast;
pub mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::Utc;
use clap::{Parser, Subcommand, ValueEnum};

use crate::aggregate::{Request, Scope, Shard};
use crate::domain::{DateRange, OrgId};
use crate::i18n::Lang;
use crate::import::{import_dir, ImportError};
use crate::pipeline::{self, PipelineError};
use crate::report::{load_organization, load_report, ReportError};
use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "impact",
    version,
    about = "AI Agent Impact Report: how much your AI agent handled on its own, how well, and what it saved."
)]
pub struct Cli {
    /// Database: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: a SQLite file in the data directory).
    #[arg(long, global = true, env = "IMPACT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// A TOML file of settings overriding the built-in defaults.
    #[arg(long, global = true, env = "IMPACT_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prepare a ready-to-explore demo (generate, import, aggregate), print its
    /// reports, and serve it on http://127.0.0.1:8080 with a demo sign-in page.
    Demo {
        /// Where the demo keeps its data; it is rebuilt on every run.
        #[arg(long, default_value = "data/demo")]
        data_dir: PathBuf,
        /// Prepare and print, then exit instead of serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the report API (settings from config/ and IMPACT__… variables).
    Serve {
        /// Read conversations from this PostgreSQL database (a read replica of the
        /// chatbot's) instead of the datamart's own tables.
        #[arg(long, env = "IMPACT_SOURCE_URL")]
        source_url: Option<String>,
    },
    /// Print the forecast backtest table of docs/forecast.md (rolling-origin mean
    /// absolute error, in percentage points, per method and history shape).
    ForecastBacktest {
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Compare every recorded forecast with the containment later realised, per
    /// account, and list the accounts to roll back (docs/forecast.md) with the flags change.
    ForecastAudit,
    /// Apply the database schema.
    Migrate,
    /// Import a directory of organizations, rooms, histories, summaries and cost assumptions.
    Import {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Write realistic synthetic data in the import format.
    Generate {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 8)]
        orgs: usize,
        #[arg(long, default_value_t = 400)]
        days: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Last day of data, YYYY-MM-DD (default: yesterday in Asia/Jakarta).
        #[arg(long)]
        end: Option<String>,
        /// Multiplies every organization's daily volume.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
    /// Recompute the daily datamart for organization-local days.
    Aggregate {
        /// First day, YYYY-MM-DD (with --to). Without both: every day that has rooms.
        #[arg(long, requires = "to", conflicts_with = "nightly")]
        from: Option<String>,
        #[arg(long, requires = "from", conflicts_with = "nightly")]
        to: Option<String>,
        /// The last few complete days as of now, pending sentiment, and retention clean-up.
        #[arg(long)]
        nightly: bool,
        /// Only this organization.
        #[arg(long)]
        org: Option<String>,
        /// Only shard I of N, e.g. 0/4.
        #[arg(long)]
        shard: Option<String>,
        /// Read sentiment from this MongoDB instead of the room_summaries table.
        #[arg(long, env = "IMPACT_MONGODB_URL")]
        mongodb_url: Option<String>,
        /// Read conversations from this PostgreSQL database (a read replica of the
        /// chatbot's) instead of the datamart's own tables.
        #[arg(long, env = "IMPACT_SOURCE_URL")]
        source_url: Option<String>,
    },
    /// Recompute days from the source in memory and compare them with the datamart;
    /// exit status 3 when any organization-day differs (drifted).
    Verify {
        /// First day, YYYY-MM-DD (with --to). Without both: every stored day within
        /// the retention period.
        #[arg(long, requires = "to")]
        from: Option<String>,
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Only this organization.
        #[arg(long)]
        org: Option<String>,
        /// Write the drifted days again from the source.
        #[arg(long)]
        repair: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long, env = "IMPACT_MONGODB_URL")]
        mongodb_url: Option<String>,
        #[arg(long, env = "IMPACT_SOURCE_URL")]
        source_url: Option<String>,
    },
    /// Print the launch's own numbers for a month: the success metrics, the review
    /// figures and the stage gates of the product brief (docs/operations.md).
    Kpis {
        /// The month, YYYY-MM (default: the last complete month, UTC).
        #[arg(long)]
        month: Option<String>,
        /// Only this stage's gates (default: every stage's).
        #[arg(long, value_enum)]
        stage: Option<crate::kpis::Stage>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Print an organization's report from the datamart.
    Report {
        #[arg(long)]
        org: String,
        /// First day, YYYY-MM-DD (default: 30 days before --to).
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (default: yesterday in the organization's time zone).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long, default_value = "en")]
        lang: String,
        /// Fewest eligible conversations for a full report (default from settings: 100).
        #[arg(long, allow_negative_numbers = true)]
        min_conversations: Option<i64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

/// An error worth a distinct exit code: bad input (2) or a failure (1).
#[derive(Debug)]
pub enum CliError {
    Input(anyhow::Error),
    Failure(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    fn from(error: E) -> Self {
        CliError::Failure(error.into())
    }
}

fn input(message: impl std::fmt::Display) -> CliError {
    CliError::Input(anyhow::anyhow!("{message}"))
}

/// What is left to do once a command's batch work is done.
pub enum Next {
    Exit,
    /// `impact verify` found drifted days: exit status 3.
    Drifted,
    Serve {
        settings: Box<Settings>,
        mode: crate::server::Mode,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs JSON lines for machines; batch commands log text for people.
    init_logging(matches!(cli.command, Command::Serve { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    drop(runtime);
    let outcome = match outcome {
        // Actors need an actix System, which brings its own runtime.
        Ok(Next::Serve { settings, mode }) => {
            actix_web::rt::System::new().block_on(serve(*settings, mode))
        }
        Ok(Next::Drifted) => return ExitCode::from(3),
        other => other.map(|_| ()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Input(error)) => {
            eprintln!("error: {}", said_once(&error));
            ExitCode::from(2)
        }
        Err(CliError::Failure(error)) => {
            eprintln!("error: {}", said_once(&error));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes in one line, each said once: most of our errors already
/// quote their cause in their own words, so a cause whose text is already in the
/// line is not repeated (anyhow's `{:#}` would write it twice).
fn said_once(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IMPACT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("impact=info,warn"));
    let json = match std::env::var("IMPACT_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => json,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if json {
        // The request's and the report's spans (the request's number and method,
        // the report's organization and range) ride on every line, under "spans".
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}

async fn serve(settings: Settings, mode: crate::server::Mode) -> Result<(), CliError> {
    let host = settings.server.host.clone();
    let application = crate::server::Application::build(settings, mode.clone())
        .await
        .map_err(|e| match e {
            crate::server::StartError::Config(_) => CliError::Input(e.into()),
            other => CliError::Failure(other.into()),
        })?;
    let port = application.port();
    tracing::info!(host = %host, port, "serving");
    if let crate::server::Mode::Demo { .. } = mode {
        println!(
            "\nThe demo is running: open http://{host}:{port}/demo/sign-in (Ctrl+C stops it)."
        );
    }
    application
        .run_until_stopped()
        .await
        .map_err(|e| CliError::Failure(e.into()))
}

pub async fn run(cli: Cli) -> Result<Next, CliError> {
    let mut settings = Settings::load(cli.config.as_deref())
        .map_err(|e| input(format!("the settings cannot be read: {e}")))?;
    if let Some(url) = &cli.database_url {
        settings.database.url = url.clone();
    }
    match cli.command {
        Command::Demo { data_dir, no_serve } => {
            let (settings, secret) = demo::run(&settings, &data_dir).await?;
            if no_serve {
                return Ok(Next::Exit);
            }
            Ok(Next::Serve {
                settings: Box::new(settings),
                mode: crate::server::Mode::Demo { jwt_secret: secret },
            })
        }
        Command::ForecastBacktest { seed } => {
            print!("{}", forecast::table(seed).await?);
            Ok(Next::Exit)
        }
        Command::ForecastAudit => {
            let store = pipeline::open_store(&settings)
                .await
                .map_err(pipeline_error)?;
            print!("{}", forecast::audit_report(store.as_ref()).await?);
            Ok(Next::Exit)
        }
        Command::Serve { source_url } => {
            if let Some(url) = source_url {
                settings.source.database_url = url;
            }
            Ok(Next::Serve {
                settings: Box::new(settings),
                mode: crate::server::Mode::Production,
            })
        }
        Command::Verify {
            from,
            to,
            org,
            repair,
            format,
            mongodb_url,
            source_url,
        } => {
            read_from(&mut settings, mongodb_url, source_url);
            verify(&settings, from, to, org, repair, format).await
        }
        Command::Migrate => {
            let store = pipeline::open_store(&settings)
                .await
                .map_err(pipeline_error)?;
            println!("The {} schema is up to date.", store.backend());
            Ok(Next::Exit)
        }
        Command::Import { dir } => import(&settings, &dir).await,
        Command::Generate {
            out,
            orgs,
            days,
            seed,
            end,
            scale,
        } => generate(out, orgs, days, seed, end, scale),
        Command::Aggregate {
            from,
            to,
            nightly,
            org,
            shard,
            mongodb_url,
            source_url,
        } => {
            read_from(&mut settings, mongodb_url, source_url);
            aggregate(&settings, from, to, nightly, org, shard).await
        }
        Command::Report {
            org,
            from,
            to,
            format,
            lang,
            min_conversations,
        } => report(settings, org, from, to, format, lang, min_conversations).await,
        Command::Kpis {
            month,
            stage,
            format,
            lang,
        } => kpis(&settings, month, stage, format, lang).await,
    }
}

/// `impact kpis`: the month's launch numbers, from the usage rows, the
/// organizations and the recorded forecasts.
async fn kpis(
    settings: &Settings,
    month: Option<String>,
    stage: Option<crate::kpis::Stage>,
    format: Format,
    lang: String,
) -> Result<Next, CliError> {
    use crate::kpis::{compute, render_text, KpiInputs, Month, Stage};
    let lang = Lang::parse(&lang).ok_or_else(|| input("--lang must be en or id"))?;
    let month = match month {
        Some(text) => Month::parse(&text).ok_or_else(|| {
            input(format!(
                "--month must be YYYY-MM, not '{}'",
                crate::text::excerpt(&text)
            ))
        })?,
        None => Month::of(Utc::now().date_naive()).previous(),
    };
    let store = pipeline::open_store(settings)
        .await
        .map_err(pipeline_error)?;
    let usage = store
        .usage_between(month.previous().first, month.last)
        .await?;
    let ai_enabled: std::collections::BTreeSet<OrgId> = store
        .organizations()
        .await?
        .into_iter()
        .filter(|organization| organization.ai_addon)
        .map(|organization| organization.id)
        .collect();
    // A beta's cohort: the organizations the flags file gives the report, read as
    // `impact serve` reads it: a flag it does not know is refused, and a file it
    // cannot read leaves every flag off (then the cohort is empty, and says so).
    let flags = match crate::server::flags::load(&settings.flags.path) {
        Ok(flags) => flags,
        Err(error) if error.names_unknown() => {
            return Err(input(format!(
                "the flags file (set its path with [flags] path in the settings file, or \
                 IMPACT__FLAGS__PATH) is refused, as impact serve refuses it: {error}"
            )));
        }
        Err(error) => {
            eprintln!(
                "Note: the flags file cannot be read, so every flag counts as off, as for \
                 impact serve: no organization is in a beta's cohort. Set its path with \
                 [flags] path in the settings file, or IMPACT__FLAGS__PATH. ({error})"
            );
            crate::server::flags::Flags::default()
        }
    };
    let report_on = ai_enabled
        .iter()
        .filter(|org| flags.is_enabled(crate::server::flags::REPORT_FLAG, org))
        .cloned()
        .collect();
    let forecasts = forecast::shown_forecasts(store.as_ref())
        .await
        .map_err(CliError::Failure)?;
    let stages = stage.map_or(Stage::ALL.to_vec(), |stage| vec![stage]);
    let kpis = compute(
        &KpiInputs {
            month,
            usage: &usage,
            ai_enabled: &ai_enabled,
            report_on: &report_on,
            forecasts: &forecasts,
            through: Utc::now().date_naive() - chrono::Duration::days(1),
        },
        &stages,
    );
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&kpis)?),
        Format::Text => print!("{}", render_text(&kpis, lang)),
    }
    Ok(Next::Exit)
}

/// `impact verify`: recomputes days in memory and compares them with the datamart.
async fn verify(
    settings: &Settings,
    from: Option<String>,
    to: Option<String>,
    org: Option<String>,
    repair: bool,
    format: Format,
) -> Result<Next, CliError> {
    let days = days_given(from, to)?;
    let request = crate::verify::VerifyRequest {
        days,
        organization: org
            .as_deref()
            .map(OrgId::parse)
            .transpose()
            .map_err(input)?,
        repair,
        now: Utc::now(),
        show_progress: true,
    };
    let store = pipeline::open_store(settings)
        .await
        .map_err(pipeline_error)?;
    let outcome = pipeline::verify(settings, &store, &request)
        .await
        .map_err(pipeline_error)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&outcome)?),
        Format::Text => print!("{}", verify_text(&outcome)),
    }
    Ok(
        if outcome.drifted.is_empty() && outcome.drifted_facts.is_empty() {
            Next::Exit
        } else {
            Next::Drifted
        },
    )
}

/// `impact import --dir DIR`: all or nothing, and says what it imported.
async fn import(settings: &Settings, dir: &std::path::Path) -> Result<Next, CliError> {
    let store = pipeline::open_store(settings)
        .await
        .map_err(pipeline_error)?;
    let started = Instant::now();
    let summary = import_dir(store.as_ref(), dir, true)
        .await
        .map_err(|e| match e {
            ImportError::Store(_) => CliError::Failure(e.into()),
            _ => CliError::Input(anyhow::Error::new(e).context("nothing was imported")),
        })?;
    println!(
        "Imported {} organizations, {} rooms, {} messages, {} summaries and {} cost assumptions in {:.1} s.",
        summary.organizations,
        summary.rooms,
        summary.histories,
        summary.summaries,
        summary.cost_assumptions,
        started.elapsed().as_secs_f64()
    );
    Ok(Next::Exit)
}

/// `impact generate`: synthetic data in the import format.
fn generate(
    out: std::path::PathBuf,
    orgs: usize,
    days: u32,
    seed: u64,
    end: Option<String>,
    scale: f64,
) -> Result<Next, CliError> {
    let end = match end {
        Some(text) => DateRange::parse_date(&text).map_err(input)?,
        None => pipeline::yesterday_in_jakarta(),
    };
    if !(scale.is_finite() && scale > 0.0) {
        return Err(input("--scale must be a positive number"));
    }
    if days == 0 || orgs == 0 {
        return Err(input("--orgs and --days must be at least 1"));
    }
    let options = crate::generate::GenerateOptions {
        out: out.clone(),
        organizations: orgs,
        days,
        seed,
        end,
        scale,
    };
    let summary = crate::generate::generate(&options)?;
    println!(
        "Wrote {} organizations, {} rooms, {} messages and {} summaries to {} (seed {seed}, last day {end}).",
        summary.organizations,
        summary.rooms,
        summary.histories,
        summary.summaries,
        out.display()
    );
    Ok(Next::Exit)
}

/// `impact aggregate`: recomputes days into the datamart and says what it did.
async fn aggregate(
    settings: &Settings,
    from: Option<String>,
    to: Option<String>,
    nightly: bool,
    org: Option<String>,
    shard: Option<String>,
) -> Result<Next, CliError> {
    let scope = match days_given(from, to)? {
        Some((from, to)) => Scope::Days { from, to },
        _ if nightly => Scope::Nightly { now: Utc::now() },
        _ => Scope::AllData,
    };
    let request = Request {
        scope,
        organization: org
            .as_deref()
            .map(OrgId::parse)
            .transpose()
            .map_err(input)?,
        shard: shard
            .as_deref()
            .map(Shard::parse)
            .transpose()
            .map_err(input)?,
        show_progress: true,
    };
    let store = pipeline::open_store(settings)
        .await
        .map_err(pipeline_error)?;
    let started = Instant::now();
    let summary = pipeline::aggregate(settings, &store, &request)
        .await
        .map_err(pipeline_error)?;
    if let Some(today) = summary.stopped_at {
        println!(
            "Stopped at today ({today}, in the organizations' own time zones): {} later org-days have not happened yet and were not written.",
            summary.future_days_skipped
        );
    }
    println!(
        "Aggregated {} org-days of {} organizations ({} rooms) in {:.1} s.{}{}",
        summary.days,
        summary.organizations,
        summary.rooms,
        started.elapsed().as_secs_f64(),
        if summary.sentiment_pending_days > 0 {
            format!(
                " Sentiment is pending for {} org-days and will be retried on the next run.",
                summary.sentiment_pending_days
            )
        } else {
            String::new()
        },
        if summary.expired_rows_deleted > 0 {
            format!(
                " Deleted {} expired daily rows.",
                summary.expired_rows_deleted
            )
        } else {
            String::new()
        }
    );
    Ok(Next::Exit)
}

/// `impact report`: the report of a range, read from the datamart only.
async fn report(
    mut settings: Settings,
    org: String,
    from: Option<String>,
    to: Option<String>,
    format: Format,
    lang: String,
    min_conversations: Option<i64>,
) -> Result<Next, CliError> {
    let lang = Lang::parse(&lang).ok_or_else(|| input("--lang must be en or id"))?;
    let org = OrgId::parse(&org).map_err(input)?;
    if let Some(minimum) = min_conversations {
        if minimum < 0 {
            return Err(input("--min-conversations must not be negative"));
        }
        settings.report.min_conversations = minimum;
    }
    let store = pipeline::open_store(&settings)
        .await
        .map_err(pipeline_error)?;
    let organization = load_organization(store.as_ref(), &org)
        .await
        .map_err(report_error)?;
    let to = match to {
        Some(text) => DateRange::parse_date(&text).map_err(input)?,
        None => organization.local_date(Utc::now()) - chrono::Duration::days(1),
    };
    let from = match from {
        Some(text) => DateRange::parse_date(&text).map_err(input)?,
        None => to - chrono::Duration::days(29),
    };
    let today = organization.local_date(Utc::now());
    let range = DateRange::new(from, to)
        .and_then(|range| range.within(today))
        .map_err(input)?;
    let report = load_report(store.as_ref(), &org, range, &settings.report)
        .await
        .map_err(report_error)?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&crate::report::wire::Report::new(&report, lang))?
        ),
        Format::Text => print!("{}", terminal::render(&report, lang)),
    }
    Ok(Next::Exit)
}

/// `--mongodb-url` and `--source-url`, where given, over the settings.
fn read_from(settings: &mut Settings, mongodb_url: Option<String>, source_url: Option<String>) {
    if let Some(url) = mongodb_url {
        settings.mongodb.url = url;
    }
    if let Some(url) = source_url {
        settings.source.database_url = url;
    }
}

/// `--from` and `--to` (clap requires both or neither), checked: in order, from
/// `earliest_date()` on, and starting no later than today anywhere on Earth. A later
/// `--to` is cut at each organization's own today by the run itself, which says so
/// (METRICS.md §8.4).
fn days_given(
    from: Option<String>,
    to: Option<String>,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, CliError> {
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(None);
    };
    let from = DateRange::parse_date(&from).map_err(input)?;
    let to = DateRange::parse_date(&to).map_err(input)?;
    DateRange::unbounded(from, to).map_err(input)?;
    if from < crate::domain::earliest_date() {
        return Err(input(crate::domain::DateRangeError::BeforeEarliest {
            date: from,
        }));
    }
    // UTC+14 (Kiribati) is the first place a day begins.
    let latest_today = (Utc::now() + chrono::Duration::hours(14)).date_naive();
    if from > latest_today {
        return Err(input(format!(
            "--from {from} is after today ({latest_today}): those days have not happened yet"
        )));
    }
    Ok(Some((from, to)))
}

/// What `impact verify` found, for a person: each drifted organization-day with
/// what differs (stored → source).
fn verify_text(outcome: &crate::verify::VerifyOutcome) -> String {
    let mut text = String::new();
    for day in &outcome.drifted {
        let mut parts: Vec<String> = day
            .counters
            .iter()
            .map(|c| format!("{} {} → {}", c.name, c.stored, c.source))
            .collect();
        for (count, what) in [
            (day.rooms_missing.len(), "rooms not stored"),
            (day.rooms_extra.len(), "rooms no longer in the source"),
            (day.rooms_changed.len(), "rooms with another outcome"),
        ] {
            if count > 0 {
                parts.push(format!("{count} {what}"));
            }
        }
        text.push_str(&format!(
            "drifted: {} {}: {}\n",
            day.organization_id,
            day.day,
            parts.join(", ")
        ));
    }
    for fact in &outcome.drifted_facts {
        text.push_str(&format!(
            "drifted: {} {}: {} → {}\n",
            fact.organization_id, fact.fact, fact.stored, fact.source
        ));
    }
    text.push_str(&format!(
        "Checked {} org-days of {} organizations (stored → source): {} drifted.",
        outcome.days_checked,
        outcome.organizations,
        outcome.drifted.len() + outcome.drifted_facts.len()
    ));
    if outcome.sentiment_unchecked_days > 0 {
        text.push_str(&format!(
            " Sentiment could not be read for {} org-days, so it was not compared there.",
            outcome.sentiment_unchecked_days
        ));
    }
    if outcome.repaired {
        text.push_str(" The drifted days were written again from the source.");
    } else if !outcome.drifted.is_empty() || !outcome.drifted_facts.is_empty() {
        text.push_str(" Run again with --repair to write them again from the source.");
    }
    text.push('\n');
    text
}

fn report_error(error: ReportError) -> CliError {
    match error {
        ReportError::Store(_) => CliError::Failure(error.into()),
        _ => CliError::Input(error.into()),
    }
}

/// The exit status a pipeline error deserves: 2 for the caller's input, 1 otherwise.
fn pipeline_error(error: PipelineError) -> CliError {
    if error.is_bad_input() {
        CliError::Input(error.into())
    } else {
        CliError::Failure(error.into())
    }
}
