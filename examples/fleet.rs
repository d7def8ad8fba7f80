//! The nightly run over a fleet of small organizations, against the floor of
//! reading the same rooms, message counts and summaries once; and a run that
//! restates 1 % of one organization's rooms scattered over 400 days, against
//! aggregating just those days. docs/performance.md gives the figures:
//!
//! cargo run --release --example fleet -- fleet [ORGANIZATIONS] [DATABASE_URL [SOURCE_URL]]
//! cargo run --release --example fleet -- scattered [ROOMS_A_DAY] [DATABASE_URL FRESH_URL]
//!
//! `fleet` (2 000 organizations by default): each organization has 10 days of about
//! 3.3 rooms a day (two messages each, a summary for one in three); everything is
//! aggregated once, then the nightly run of the day after the data recomputes the
//! last 3 days (3 × ORGANIZATIONS org-days), against the floor of reading those
//! rooms, counts and summaries once for the whole fleet. With SOURCE_URL (a second,
//! empty PostgreSQL database) the fleet is loaded there and read as a live source
//! (`[source] database_url`), into the datamart at DATABASE_URL.
//!
//! `scattered` (100 rooms a day by default): one organization with 400 days; an
//! import then changes 1 % of its rooms, spread over the 400 days, and the nightly
//! run restates their days; against aggregating exactly those days into a datamart
//! that has never seen them (FRESH_URL, another empty database of the same backend).
//! SQLite files in a temporary directory unless URLs are given.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use impact::aggregate::{Request, Scope};
use impact::import::import_dir;
use impact::settings::Settings;
use impact::store::{self, Store};

const DAYS: i64 = 10;
const RECENT_DAYS: i64 = 3;
/// Nightly runs measured; the median is reported.
const NIGHTLY_RUNS: usize = 5;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "fleet".into());
    let size: Option<usize> = args.next().map(|n| n.parse()).transpose()?;
    let work = std::env::temp_dir().join(format!("impact-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}/impact.sqlite", work.display()));
    let second_url = args.next();
    let fresh_url = second_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/fresh.sqlite", work.display()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = match scenario.as_str() {
        "fleet" => runtime.block_on(run(
            size.unwrap_or(2_000),
            &url,
            second_url.as_deref(),
            &work,
        )),
        "scattered" => runtime.block_on(scattered(size.unwrap_or(100), &url, &fresh_url, &work)),
        other => Err(anyhow::anyhow!(
            "unknown scenario '{other}': fleet or scattered"
        )),
    };
    let _ = std::fs::remove_dir_all(&work);
    outcome
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or_default()
}

/// Noon in Jakarta of `days` before the last day, plus `minute` minutes.
fn instant(days_before: i64, minute: i64) -> DateTime<Utc> {
    let day = last_day() - chrono::Duration::days(days_before);
    day.and_hms_opt(5, 0, 0).unwrap_or_default().and_utc() + chrono::Duration::minutes(minute)
}

/// The import files of a fleet: `organizations` small organizations.
fn write_fleet(dir: &std::path::Path, organizations: usize) -> anyhow::Result<usize> {
    let mut orgs = String::new();
    let mut rooms = String::from(
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
    );
    let mut histories = String::from("room_id,organization_id,sender_type,created_at\n");
    let mut summaries = String::new();
    let mut count = 0;
    for org in 0..organizations {
        let id = format!("org_{org:05}");
        writeln!(
            orgs,
            r#"{{"id":"{id}","name":"{id}","ai_addon":true,"timezone":"Asia/Jakarta","business_hours":{{"mon":["08:00-17:00"],"tue":["08:00-17:00"]}}}}"#
        )?;
        for day in 0..DAYS {
            // 3 or 4 rooms a day: about 3.3.
            for room in 0..(3 + i64::from((org as i64 + day) % 3 == 0)) {
                let created = instant(DAYS - 1 - day, room * 97 + org as i64 % 60);
                let closed = created + chrono::Duration::minutes(20);
                let reason =
                    ["RESOLVE_AI", "RESOLVE_AI", "ASSIGN_AGENT", "RESOLVE"][room as usize % 4];
                let agent = if reason == "ASSIGN_AGENT" {
                    "agent_1"
                } else {
                    ""
                };
                let room_id = format!("r{day}_{room}");
                writeln!(
                    rooms,
                    "{room_id},{id},whatsapp,c{},{},{},{reason},{agent},",
                    (day + room) % 5,
                    created.to_rfc3339(),
                    closed.to_rfc3339()
                )?;
                for sender in ["customer", "ai"] {
                    writeln!(
                        histories,
                        "{room_id},{id},{sender},{}",
                        created.to_rfc3339()
                    )?;
                }
                if room % 3 == 0 {
                    writeln!(
                        summaries,
                        r#"{{"room_id":"{room_id}","organization_id":"{id}","sentiment":"positive","created_at":"{}"}}"#,
                        closed.to_rfc3339()
                    )?;
                }
                count += 1;
            }
        }
    }
    std::fs::write(dir.join("organizations.ndjson"), orgs)?;
    std::fs::write(dir.join("rooms.csv"), rooms)?;
    std::fs::write(dir.join("histories.csv"), histories)?;
    std::fs::write(dir.join("room_summaries.ndjson"), summaries)?;
    Ok(count)
}

async fn aggregate(store: &Arc<dyn Store>, scope: Scope) -> anyhow::Result<Duration> {
    aggregate_from(store, None, scope).await
}

/// An aggregation reading `source` as a live source (the datamart's own tables
/// without it).
async fn aggregate_from(
    store: &Arc<dyn Store>,
    source: Option<&str>,
    scope: Scope,
) -> anyhow::Result<Duration> {
    let mut settings = Settings::load(None)?;
    if let Some(source) = source {
        settings.source.database_url = source.to_string();
    }
    let started = Instant::now();
    impact::pipeline::aggregate(
        &settings,
        store,
        &Request {
            scope,
            organization: None,
            shard: None,
            show_progress: false,
        },
    )
    .await?;
    Ok(started.elapsed())
}

/// The floor: the recent window's rooms (every column), their message counts per
/// organization, room and sender type, and their summaries, for the whole fleet,
/// each read once in one statement and fetched into this program, as any reader
/// must (the least any run must read). The window is the same UTC span for every
/// organization (all in Jakarta). Room ids are unique only within an organization
/// (METRICS.md §1; the fleet's repeat across organizations), so the counts are
/// grouped by organization too.
async fn floor(url: &str) -> anyhow::Result<(i64, Duration)> {
    let start = instant(RECENT_DAYS - 1, -12 * 60);
    let end = instant(-1, -12 * 60);
    let statements = [
        "SELECT organization_id, id, channel, contact_id, created_at, closed_at, closed_reason,
                assign_channel_agent_id, assigned_at
         FROM rooms WHERE created_at >= $1 AND created_at < $2",
        "SELECT h.organization_id, h.room_id, h.sender_type, count(*) FROM rooms r
             JOIN histories h ON h.organization_id = r.organization_id AND h.room_id = r.id
             WHERE r.created_at >= $1 AND r.created_at < $2 GROUP BY 1, 2, 3",
        "SELECT s.organization_id, s.room_id, s.sentiment FROM rooms r
             JOIN room_summaries s ON s.organization_id = r.organization_id AND s.room_id = r.id
             WHERE r.created_at >= $1 AND r.created_at < $2",
    ];
    let started = Instant::now();
    let mut rooms = 0;
    // Every value of every row is fetched and looked at, so that nothing a run must
    // decode is left out of the floor.
    let mut bytes = 0usize;
    match store::DatabaseUrl::parse(url)? {
        store::DatabaseUrl::Sqlite(path) => {
            let connection = rusqlite::Connection::open(path)?;
            for (index, sql) in statements.iter().enumerate() {
                let sql = sql.replace("$1", "?1").replace("$2", "?2");
                let mut statement = connection.prepare(&sql)?;
                let columns = statement.column_count();
                let mut rows =
                    statement.query([start.timestamp_micros(), end.timestamp_micros()])?;
                let mut count = 0;
                while let Some(row) = rows.next()? {
                    for column in 0..columns {
                        bytes += match row.get_ref(column)? {
                            rusqlite::types::ValueRef::Text(text) => text.len(),
                            rusqlite::types::ValueRef::Integer(_) => 8,
                            _ => 0,
                        };
                    }
                    count += 1;
                }
                if index == 0 {
                    rooms = count;
                }
            }
        }
        store::DatabaseUrl::Postgres(url) => {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            for (index, sql) in statements.iter().enumerate() {
                let rows = client.query(*sql, &[&start, &end]).await?;
                for row in &rows {
                    for (column, kind) in row.columns().iter().enumerate() {
                        bytes += match *kind.type_() {
                            tokio_postgres::types::Type::TIMESTAMPTZ => {
                                let at: Option<DateTime<Utc>> = row.try_get(column)?;
                                usize::from(at.is_some()) * 8
                            }
                            tokio_postgres::types::Type::INT8 => {
                                let number: i64 = row.try_get(column)?;
                                usize::from(number != 0) * 8
                            }
                            _ => {
                                let text: Option<&str> = row.try_get(column)?;
                                text.map_or(0, str::len)
                            }
                        };
                    }
                }
                if index == 0 {
                    rooms = rows.len() as i64;
                }
            }
        }
    }
    anyhow::ensure!(bytes > 0, "the floor read nothing");
    Ok((rooms, started.elapsed()))
}

/// A PostgreSQL database just loaded has autovacuum still working through it and
/// no statistics yet; a nightly run meets a settled one.
async fn settle(url: &str) -> anyhow::Result<()> {
    if let store::DatabaseUrl::Postgres(url) = store::DatabaseUrl::parse(url)? {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client.batch_execute("VACUUM ANALYZE").await?;
    }
    Ok(())
}

async fn run(
    organizations: usize,
    url: &str,
    source: Option<&str>,
    work: &std::path::Path,
) -> anyhow::Result<()> {
    let dir = work.join("fleet");
    std::fs::create_dir_all(&dir)?;
    let rooms = write_fleet(&dir, organizations)?;
    let store = store::open(url, 8).await?;
    let source_url = source.unwrap_or(url);
    if let Some(source) = source {
        // The chatbot's database: the same tables, filled here by an import.
        let chatbot = store::open(source, 2).await?;
        import_dir(chatbot.as_ref(), &dir, false).await?;
        settle(source).await?;
    } else {
        import_dir(store.as_ref(), &dir, false).await?;
    }
    let everything = aggregate_from(&store, source, Scope::AllData).await?;
    println!(
        "{} on {}{}: {organizations} organizations, {rooms} rooms; first run (everything) {:.2} s",
        impact::text::redact(url),
        store.backend(),
        source
            .map(|source| format!(", reading the live source {}", impact::text::redact(source)))
            .unwrap_or_default(),
        everything.as_secs_f64()
    );
    // The night after the last day, 02:00 in Jakarta: its window is the last 3 days.
    let night = (last_day() + chrono::Duration::days(1))
        .and_hms_opt(19, 0, 0)
        .unwrap_or_default()
        .and_utc()
        - chrono::Duration::days(1);
    let mut nightly = Vec::new();
    settle(url).await?;
    for _ in 0..NIGHTLY_RUNS {
        nightly.push(aggregate_from(&store, source, Scope::Nightly { now: night }).await?);
    }
    nightly.sort();
    let mut floors = Vec::new();
    let mut window_rooms = 0;
    for _ in 0..NIGHTLY_RUNS {
        let (rooms, time) = floor(source_url).await?;
        window_rooms = rooms;
        floors.push(time);
    }
    floors.sort();
    let floor_time = floors[NIGHTLY_RUNS / 2];
    let median = nightly[NIGHTLY_RUNS / 2];
    println!(
        "nightly ({} org-days, {window_rooms} rooms): median of {NIGHTLY_RUNS} {:.3} s; floor (read them once, median of {NIGHTLY_RUNS}) {:.3} s; ratio {:.1}",
        RECENT_DAYS as usize * organizations,
        median.as_secs_f64(),
        floor_time.as_secs_f64(),
        median.as_secs_f64() / floor_time.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// One organization's 400 days with `per_day` rooms each; with `changed`, every
/// hundredth room (1 %) closed a minute later by someone else.
fn write_history(dir: &std::path::Path, per_day: i64, changed: bool) -> anyhow::Result<usize> {
    std::fs::write(
        dir.join("organizations.ndjson"),
        r#"{"id":"org_big","name":"Big","ai_addon":true,"timezone":"Asia/Jakarta"}"#,
    )?;
    let mut rooms = String::from(
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
    );
    let mut histories = String::from("room_id,organization_id,sender_type,created_at\n");
    let mut count = 0;
    for day in 0..400 {
        for room in 0..per_day {
            let created = instant(399 - day, room * 1200 / per_day.max(1));
            let number = day * per_day + room;
            let touched = changed && number % 100 == 0;
            let closed = created + chrono::Duration::minutes(20 + i64::from(touched));
            let reason = match (room % 4, touched) {
                (0 | 1, false) => "RESOLVE_AI",
                (0 | 1, true) => "RESOLVE",
                (2, _) => "ASSIGN_AGENT",
                _ => "RESOLVE_AI",
            };
            let agent = if reason == "ASSIGN_AGENT" {
                "agent_1"
            } else {
                ""
            };
            writeln!(
                rooms,
                "r{number},org_big,whatsapp,c{},{},{},{reason},{agent},",
                number % 9_000,
                created.to_rfc3339(),
                closed.to_rfc3339()
            )?;
            if !changed {
                for sender in ["customer", "ai"] {
                    writeln!(
                        histories,
                        "r{number},org_big,{sender},{}",
                        created.to_rfc3339()
                    )?;
                }
            }
            count += usize::from(!changed || touched);
        }
    }
    if changed {
        // Only the changed rooms, as a day's export of changes would carry them.
        let kept: Vec<&str> = rooms
            .lines()
            .enumerate()
            .filter(|(index, _)| *index == 0 || (index - 1) % 100 == 0)
            .map(|(_, line)| line)
            .collect();
        rooms = kept.join("\n") + "\n";
    }
    std::fs::write(dir.join("rooms.csv"), rooms)?;
    std::fs::write(dir.join("histories.csv"), histories)?;
    Ok(count)
}

async fn scattered(
    per_day: usize,
    url: &str,
    fresh_url: &str,
    work: &std::path::Path,
) -> anyhow::Result<()> {
    let per_day = per_day as i64;
    let (history, delta) = (work.join("history"), work.join("delta"));
    for dir in [&history, &delta] {
        std::fs::create_dir_all(dir)?;
    }
    let rooms = write_history(&history, per_day, false)?;
    let changed = write_history(&delta, per_day, true)?;
    let store = store::open(url, 8).await?;
    import_dir(store.as_ref(), &history, false).await?;
    aggregate(&store, Scope::AllData).await?;
    import_dir(store.as_ref(), &delta, false).await?;
    let marks = store.restatement_marks().await?.len();
    let night = last_day()
        .and_hms_opt(19, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let nightly = aggregate(&store, Scope::Nightly { now: night }).await?;
    println!(
        "{} on {}: 400 days, {rooms} rooms; an import changed {changed} of them (1 %), {marks} marks; \
         the nightly run that restates them: {:.2} s",
        impact::text::redact(url),
        store.backend(),
        nightly.as_secs_f64()
    );

    // The same days aggregated into a datamart that never saw them: the whole span,
    // since 1 % of the rooms reach nearly every day.
    let fresh = store::open(fresh_url, 8).await?;
    import_dir(fresh.as_ref(), &history, false).await?;
    import_dir(fresh.as_ref(), &delta, false).await?;
    let first = last_day() - chrono::Duration::days(399);
    let scratch = aggregate(
        &fresh,
        Scope::Days {
            from: first,
            to: last_day(),
        },
    )
    .await?;
    println!(
        "aggregating those days from scratch: {:.2} s; ratio {:.2}",
        scratch.as_secs_f64(),
        nightly.as_secs_f64() / scratch.as_secs_f64().max(1e-9)
    );
    Ok(())
}
