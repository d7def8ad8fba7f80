//! The PRD's two alerts, as Prometheus rules, checked with `promtool`: the rules
//! parse, fire on the bad cases and stay quiet on the good ones. promtool comes
//! from Debian's `prometheus` package (.ci/run installs it); without it this test
//! fails, never skips.

use std::process::Command;

fn promtool(args: &[&str]) -> std::process::Output {
    Command::new("promtool")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("promtool is required (apt-get install prometheus): {e}"))
}

#[test]
fn the_alert_rules_are_valid_and_fire_when_they_should() {
    let checked = promtool(&["check", "rules", "config/prometheus/alerts.yml"]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let tested = promtool(&["test", "rules", "tests/prometheus/alerts_test.yml"]);
    assert!(
        tested.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&tested.stdout),
        String::from_utf8_lossy(&tested.stderr)
    );
}
