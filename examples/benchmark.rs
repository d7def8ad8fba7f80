//! Measures import and aggregation throughput, each beside its floor, and the time
//! of a 12-month report, on one database. docs/performance.md gives the figures
//! and the exact command.
//!
//! cargo run --release --example benchmark -- DATABASE_URL IMPORT_DIR
//!
//! The database should be empty. The floors are measured in the same run on the
//! same database: for the import, reading every imported room and message back out
//! (the rows a later aggregation reads); for the aggregation, the same reads the
//! aggregation makes, without computing or writing anything.

use std::time::{Duration, Instant};

use chrono::Duration as Days;
use impact::aggregate::{Request, Scope};
use impact::domain::DateRange;
use impact::import::import_dir;
use impact::report::load_report;
use impact::settings::Settings;
use impact::store::{self, Store};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(dir)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: benchmark DATABASE_URL IMPORT_DIR");
    };
    let settings = Settings::load(None)?;
    let store = store::open(&url, 8).await?;
    println!("backend: {}", store.backend());

    let started = Instant::now();
    let imported = import_dir(store.as_ref(), std::path::Path::new(&dir), false).await?;
    let import_time = started.elapsed();
    println!(
        "import: {} rooms, {} messages, {} summaries in {:.1} s = {:.0} rooms/s",
        imported.rooms,
        imported.histories,
        imported.summaries,
        import_time.as_secs_f64(),
        imported.rooms as f64 / import_time.as_secs_f64()
    );

    let started = Instant::now();
    let raw_rows = read_raw(&url).await?;
    let raw_time = started.elapsed();
    println!(
        "floor (every imported row read back, all columns): {raw_rows} rows in {:.1} s = {:.0} rooms/s",
        raw_time.as_secs_f64(),
        imported.rooms as f64 / raw_time.as_secs_f64()
    );
    let (floor_rooms, floor_time) =
        read_everything(store.as_ref(), settings.aggregation.chunk_days).await?;
    println!(
        "floor (the aggregation's own reads, nothing computed or written): {floor_rooms} rooms in {:.1} s = {:.0} rooms/s",
        floor_time.as_secs_f64(),
        floor_rooms as f64 / floor_time.as_secs_f64()
    );

    // The SQL sentiment source gets a minute a chunk, as a busy machine may need.
    let mut settings = settings;
    settings.mongodb.url = String::new();
    settings.mongodb.timeout_ms = 60_000;
    let started = Instant::now();
    let request = Request {
        scope: Scope::AllData,
        organization: None,
        shard: None,
        show_progress: false,
    };
    let summary = impact::pipeline::aggregate(&settings, &store, &request).await?;
    let aggregate_time = started.elapsed();
    println!(
        "aggregate: {} rooms, {} org-days in {:.1} s = {:.0} rooms/s",
        summary.rooms,
        summary.days,
        aggregate_time.as_secs_f64(),
        summary.rooms as f64 / aggregate_time.as_secs_f64()
    );

    // The 12-month report of every organization with the add-on, five times each.
    let mut timings = Vec::new();
    for organization in store.organizations().await? {
        if !organization.ai_addon {
            continue;
        }
        let through = store.activity(&organization.id).await?.data_through;
        let Some(to) = through else { continue };
        let range = DateRange::new(to - Days::days(364), to)?;
        for _ in 0..5 {
            let started = Instant::now();
            load_report(store.as_ref(), &organization.id, range, &settings.report).await?;
            timings.push(started.elapsed());
        }
    }
    timings.sort();
    if !timings.is_empty() {
        let pick = |q: f64| timings[((timings.len() - 1) as f64 * q).round() as usize];
        println!(
            "report, 12 months: {} runs, median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            timings.len(),
            pick(0.5).as_secs_f64() * 1e3,
            pick(0.95).as_secs_f64() * 1e3,
            pick(1.0).as_secs_f64() * 1e3
        );
    }
    Ok(())
}

const RAW_QUERIES: [&str; 3] = [
    "SELECT organization_id, id, channel, contact_id, created_at, closed_at, closed_reason, assign_channel_agent_id, assigned_at FROM rooms",
    "SELECT organization_id, room_id, sender_type, created_at FROM histories",
    "SELECT organization_id, room_id, sentiment, created_at FROM room_summaries",
];

/// Reads every row of the source tables, every column, straight from the driver.
async fn read_raw(url: &str) -> anyhow::Result<u64> {
    use futures_util::TryStreamExt;
    let mut rows = 0u64;
    if let Some(path) = url.strip_prefix("sqlite://") {
        let connection = rusqlite::Connection::open(path)?;
        for sql in RAW_QUERIES {
            let mut statement = connection.prepare(sql)?;
            let columns = statement.column_count();
            let mut result = statement.query([])?;
            while let Some(row) = result.next()? {
                for index in 0..columns {
                    std::hint::black_box(row.get_ref(index)?);
                }
                rows += 1;
            }
        }
    } else {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        for sql in RAW_QUERIES {
            let stream = client.query_raw(sql, std::iter::empty::<i32>()).await?;
            futures_util::pin_mut!(stream);
            while let Some(row) = stream.try_next().await? {
                for (index, column) in row.columns().iter().enumerate() {
                    if *column.type_() == tokio_postgres::types::Type::TIMESTAMPTZ {
                        let value: Option<chrono::DateTime<chrono::Utc>> = row.try_get(index)?;
                        std::hint::black_box(value);
                    } else {
                        let value: Option<&str> = row.try_get(index)?;
                        std::hint::black_box(value);
                    }
                }
                rows += 1;
            }
        }
    }
    Ok(rows)
}

/// Reads what the aggregation reads, chunk by chunk, and nothing more.
async fn read_everything(store: &dyn Store, chunk_days: u32) -> anyhow::Result<(u64, Duration)> {
    let started = Instant::now();
    let mut rooms = 0u64;
    let source = store.own_source();
    for organization in store.organizations().await? {
        let Some((first, last)) = source.room_creation_span(&organization.id).await? else {
            continue;
        };
        let mut day = organization.local_date(first);
        let last = organization.local_date(last);
        while day <= last {
            let start = organization.day_start(day);
            let end = organization.day_start(day + Days::days(i64::from(chunk_days)));
            rooms += source
                .rooms_created_between(&organization.id, start, end)
                .await?
                .len() as u64;
            source.message_counts(&organization.id, start, end).await?;
            source.summaries(&organization.id, start, end).await?;
            day += Days::days(i64::from(chunk_days));
        }
    }
    Ok((rooms, started.elapsed()))
}
