//! Runs the browser tests (tests/browser/*.test.mjs: playwright-core driving
//! Debian's Chromium, with axe-core) against the real `impact serve` on a fresh
//! PostgreSQL database holding the hand-checked fixture and one mature organization
//! written straight to the datamart. Node, the npm packages
//! (`npm ci`) and /usr/bin/chromium are required: without them this test fails,
//! it never skips.

use std::process::Command;
use std::time::Instant;

use crate::common::TestDatabase;
use crate::server_common::{load_fixture, serve, SECRET};

const FLAGS: &str = r#"
[defaults]
ai_agent_impact_report = false
[accounts.org_demo]
ai_agent_impact_report = true
[accounts.org_other]
ai_agent_impact_report = true
[accounts.org_plain]
ai_agent_impact_report = true
[accounts.org_calm]
ai_agent_impact_report = true
ai_agent_impact_report_forecast = true
"#;

/// A mature organization written straight to the datamart (13 months, 40
/// conversations a day but none on 20 October 2026), whose figures the report must
/// judge against chance: its first 30 days solved 26 %, August–September 41,5 %,
/// October exactly 40 % (on the Healthy threshold, so written with its decimal), a
/// move chance explains.
async fn seed_calm_organization(url: &str) {
    use chrono::{Duration, NaiveDate};
    use impact::domain::{OrgId, Organization};
    use impact::metrics::baseline::onboarding_baseline;
    use impact::metrics::DailyCounters;
    let store = impact::store::open(url, 2).await.expect("open store");
    let org = OrgId::parse("org_calm").expect("id");
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
    // Each period's solved conversations spread over its days as evenly as whole
    // numbers allow, so the period's total is exact.
    let periods = [
        (day("2025-11-01"), day("2025-11-30"), 0.26),
        (day("2025-12-01"), day("2026-08-30"), 0.38),
        (day("2026-08-31"), day("2026-09-30"), 0.415),
        (day("2026-10-01"), day("2026-10-31"), 0.40),
    ];
    let mut rows = Vec::new();
    for (from, to, rate) in periods {
        let days: Vec<NaiveDate> = (0..=(to - from).num_days())
            .map(|offset| from + Duration::days(offset))
            .filter(|d| *d != day("2026-10-20"))
            .collect();
        let eligible = 40 * days.len() as i64;
        let net = (eligible as f64 * rate).round() as i64;
        for (index, date) in days.iter().enumerate() {
            let solved =
                net / days.len() as i64 + i64::from((index as i64) < net % days.len() as i64);
            let mut row = DailyCounters::empty(*date);
            row.eligible = 40;
            row.ai_handled = 40;
            row.contained = solved + 2;
            row.reopened = 2;
            row.escalated = 40 - solved - 2;
            rows.push(row);
        }
    }
    let organization = Organization {
        id: org.clone(),
        name: "Toko Tenang".into(),
        ai_addon: true,
        timezone: Organization::parse_timezone("Asia/Jakarta").expect("zone"),
        business_hours: None,
        holidays: Default::default(),
    };
    store
        .copy_organizations(&[organization])
        .await
        .expect("organization");
    store
        .write_days(&org, &rows, Vec::new(), Some(day("2025-11-01")), None)
        .await
        .expect("days");
    let baseline = onboarding_baseline(day("2025-11-01"), &rows);
    store
        .set_onboarding_baseline(&org, Some(&baseline))
        .await
        .expect("baseline");
}

/// A server as the demo runs it (its sign-in page on), on an empty SQLite database
/// of its own, in this process on a thread of its own, so the browser can try the
/// demo's pages too. The server lives until the test process ends.
fn serve_demo(data_dir: &std::path::Path, flags_path: &std::path::Path) -> u16 {
    let mut settings = impact::settings::Settings::load(None).expect("the built-in settings");
    settings.database.url = format!("sqlite://{}", data_dir.join("demo.sqlite").display());
    settings.flags.path = flags_path.to_path_buf();
    settings.server.port = 0;
    settings.nightly.enabled = false;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let mode = impact::server::Mode::Demo {
                jwt_secret: SECRET.to_string(),
            };
            let application = impact::server::Application::build(settings, mode)
                .await
                .expect("the demo server starts");
            sender.send(application.port()).expect("hand over the port");
            application
                .run_until_stopped()
                .await
                .expect("the demo server runs");
        });
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the demo server's port")
}

#[actix_web::test]
async fn the_report_page_works_in_a_real_browser() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("node_modules/playwright-core").is_dir()
            && root.join("node_modules/axe-core").is_dir(),
        "run `npm ci` first: the browser tests need playwright-core and axe-core"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "install Debian's chromium (apt-get install chromium)"
    );

    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    seed_calm_organization(&database.url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS);

    let served = serve(&database.url, &flags_path);
    let port = served.port;
    let demo_dir = tempfile::tempdir().expect("a folder for the demo's database");
    let demo_port = serve_demo(demo_dir.path(), &flags_path);

    let started = Instant::now();
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec", "tests/browser/"])
        .current_dir(root)
        .env("IMPACT_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("IMPACT_DEMO_URL", format!("http://127.0.0.1:{demo_port}"))
        .env("IMPACT_JWT_SECRET", SECRET)
        // Every list the report links to, by name (`metrics::rooms::LISTS`).
        .env(
            "IMPACT_LISTS",
            crate::oracle::LISTS.map(|(list, _)| list).join(","),
        )
        .env("IMPACT_TEST_DATABASE_URL", &database.url)
        .output();
    drop(served);
    let output = output.expect("node is required for the browser tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    println!(
        "browser tests took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        output.status.success(),
        "the browser tests failed:\n{stdout}"
    );
    assert!(
        stdout.contains("ℹ fail 0") && !stdout.contains("ℹ pass 0"),
        "{stdout}"
    );
}
