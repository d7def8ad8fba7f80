//! A client nobody here wrote: Schemathesis generates requests from
//! docs/openapi.json (valid and invalid ones, undeclared methods, odd encodings) and
//! runs every check it has (`--checks all`) against the real `impact serve`. The
//! only setting is in tests/schemathesis.toml (two date rules no schema can state).
//! `st` comes from PyPI (`pip install schemathesis`, which scripts/test does); without
//! it this test fails, it never skips.

use std::process::Command;

use crate::common::TestDatabase;
use crate::server_common::{load_fixture, serve, token, FLAGS_ON};
use impact::server::auth::Role;

#[actix_web::test]
async fn schemathesis_finds_no_failure_with_every_check() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS_ON);
    let served = serve(&database.url, &flags_path);
    let root = env!("CARGO_MANIFEST_DIR");
    // Fixed seeds, so a failure can be replayed; two of them, for breadth.
    for seed in ["1", "2026"] {
        let output = Command::new("st")
            .current_dir(root)
            .args([
                "--config-file",
                "tests/schemathesis.toml",
                "run",
                "docs/openapi.json",
            ])
            .args(["--url", &format!("http://127.0.0.1:{}", served.port)])
            .args(["--checks", "all", "--seed", seed, "--no-color"])
            .arg("--header")
            .arg(format!(
                "Authorization: Bearer {}",
                token("org_demo", Role::Owner)
            ))
            .env("SCHEMATHESIS_HOOKS", "")
            .output()
            .unwrap_or_else(|e| panic!("schemathesis is required (pip install schemathesis): {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "seed {seed}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("passed") && !stdout.contains("❌"),
            "{stdout}"
        );
    }
}
