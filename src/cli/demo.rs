//! `impact demo`: a ready-to-explore embedded demo, no servers needed. It generates
//! data ending yesterday, imports it into a fresh SQLite file, aggregates it, and
//! prints the report of every demo organization that has the AI add-on.

use std::path::Path;
use std::time::Instant;

use chrono::Duration;

use crate::aggregate::{Request, Scope};
use crate::domain::DateRange;
use crate::generate::{generate, GenerateOptions};
use crate::i18n::Lang;
use crate::import::import_dir;
use crate::pipeline::{self, yesterday_in_jakarta};
use crate::report::load_report;
use crate::settings::Settings;

/// The demo's fixed recipe: eight organizations, thirteen months, seed 7.
pub(crate) const DEMO_ORGANIZATIONS: usize = 8;
pub(crate) const DEMO_DAYS: u32 = 400;
pub(crate) const DEMO_SEED: u64 = 7;

/// Prepares the demo; returns the settings to serve it with and its signing secret.
pub async fn run(settings: &Settings, data_dir: &Path) -> anyhow::Result<(Settings, String)> {
    let started = Instant::now();
    if data_dir.exists() {
        std::fs::remove_dir_all(data_dir).map_err(|e| {
            anyhow::anyhow!("cannot clear the old demo in {}: {e}", data_dir.display())
        })?;
    }
    let input_dir = data_dir.join("input");
    let end = yesterday_in_jakarta();
    eprintln!("Generating demo data up to {end} …");
    let generated = generate(&GenerateOptions {
        out: input_dir.clone(),
        organizations: DEMO_ORGANIZATIONS,
        days: DEMO_DAYS,
        seed: DEMO_SEED,
        end,
        scale: 1.0,
    })?;

    let mut settings = settings.clone();
    settings.database.url = format!("sqlite://{}", data_dir.join("impact.sqlite").display());
    settings.mongodb.url = String::new();
    let store = pipeline::open_store(&settings).await?;
    eprintln!(
        "Importing {} rooms and {} messages …",
        generated.rooms, generated.histories
    );
    import_dir(store.as_ref(), &input_dir, true)
        .await
        .map_err(anyhow::Error::from)?;
    eprintln!("Aggregating …");
    let request = Request {
        scope: Scope::AllData,
        organization: None,
        shard: None,
        show_progress: true,
    };
    pipeline::aggregate(&settings, &store, &request).await?;

    let range = DateRange::new(end - Duration::days(29), end).map_err(anyhow::Error::from)?;
    for organization in store.organizations().await? {
        if !organization.ai_addon {
            println!(
                "{} ({}) has no AI Agent add-on, so it has no report.\n",
                organization.name, organization.id
            );
            continue;
        }
        let report = load_report(store.as_ref(), &organization.id, range, &settings.report)
            .await
            .map_err(anyhow::Error::from)?;
        println!("{}", super::terminal::render(&report, Lang::En));
        println!("{}\n", "═".repeat(78));
    }
    println!(
        "Demo ready in {:.1} s: {} organizations, {} conversations, stored in {}.",
        started.elapsed().as_secs_f64(),
        generated.organizations,
        generated.rooms,
        data_dir.join("impact.sqlite").display()
    );
    println!(
        "Explore it: cargo run --release -- --database-url sqlite://{} report --org org_kopi_nusantara --lang id",
        data_dir.join("impact.sqlite").display()
    );

    // The server side of the demo: its own flags file and a fresh signing secret.
    let flags_path = data_dir.join("flags.toml");
    std::fs::write(&flags_path, crate::server::routes::demo::demo_flags_file())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", flags_path.display()))?;
    settings.flags.path = flags_path;
    settings.nightly.enabled = false;
    let secret = crate::server::auth::random_token().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((settings, secret))
}
