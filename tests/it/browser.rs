//! Runs the browser tests (tests/browser/*.test.mjs: playwright-core driving
//! Debian's Chromium, with axe-core) against the real `impact serve` on a fresh
//! PostgreSQL database holding the hand-checked fixture. Node, the npm packages
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
"#;

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
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS);

    let served = serve(&database.url, &flags_path);
    let port = served.port;

    let started = Instant::now();
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec", "tests/browser/"])
        .current_dir(root)
        .env("IMPACT_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("IMPACT_JWT_SECRET", SECRET)
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
