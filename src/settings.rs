//! Settings: built-in defaults (`config/default.toml`, compiled in), then an optional
//! file, then environment variables `IMPACT__SECTION__KEY`, then command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::metrics::report::ReportPolicy;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub source: SourceSettings,
    pub mongodb: MongoSettings,
    pub aggregation: AggregationSettings,
    pub report: ReportPolicy,
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub flags: FlagSettings,
    pub fetch: FetchSettings,
    pub nightly: NightlySettings,
    pub usage: UsageSettings,
}

/// How usage is recorded (`crate::usage`).
#[derive(Clone, Deserialize)]
pub struct UsageSettings {
    pub enabled: bool,
    /// The key of the user's hash; empty: derived from `auth.jwt_secret`.
    pub user_hash_secret: String,
    pub queue: usize,
    pub flush_ms: u64,
}

impl UsageSettings {
    /// `queue`, within 1 to 1 000 000.
    pub fn queue(&self) -> usize {
        self.queue.clamp(1, 1_000_000)
    }

    /// `flush_ms`, within 10 ms and a minute.
    pub fn flush_every(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.flush_ms.clamp(10, 60_000))
    }
}

/// Never prints the secret.
impl std::fmt::Debug for UsageSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsageSettings")
            .field("enabled", &self.enabled)
            .field(
                "user_hash_secret",
                &if self.user_hash_secret.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .field("queue", &self.queue)
            .field("flush_ms", &self.flush_ms)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub cookie_secure: bool,
    pub org_idle_seconds: u64,
    pub cache_ttl_seconds: u64,
    /// The one report cache shared by every organization, in MiB; 0 turns it off.
    pub cache_max_megabytes: u64,
    /// Open connections each worker thread accepts at once; more wait in the backlog.
    pub max_connections_per_worker: usize,
    /// How long a client may take to send a request body, in milliseconds.
    pub body_timeout_ms: u64,
    /// Where a conversation opens in the host's inbox, `{room_id}` replaced by the
    /// room id; empty: the lists show no links.
    pub inbox_url_template: String,
    /// The host admin's page where an organization sets its business hours; the
    /// report's "set your business hours" links there. Empty: it says where to look.
    pub business_hours_url: String,
    /// Conversation downloads streamed at once (1 to 64); one more gets 429.
    pub max_downloads_at_once: usize,
    /// A download whose client takes nothing for this long is cut off (1 to 600).
    pub download_send_timeout_seconds: u64,
}

impl ServerSettings {
    /// `max_downloads_at_once`, within 1 to 64.
    pub fn downloads_at_once(&self) -> usize {
        self.max_downloads_at_once.clamp(1, 64)
    }

    /// `download_send_timeout_seconds`, within 1 to 600.
    pub fn download_send_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.download_send_timeout_seconds.clamp(1, 600))
    }
}

#[derive(Clone, Deserialize)]
pub struct AuthSettings {
    pub jwt_secret: String,
    pub jwt_public_key_path: String,
    /// Tokens valid for longer than this from now are refused (the host's are short-lived).
    pub max_token_lifetime_seconds: u64,
}

/// Never prints the secret.
impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field(
                "jwt_secret",
                &if self.jwt_secret.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .field("jwt_public_key_path", &self.jwt_public_key_path)
            .field(
                "max_token_lifetime_seconds",
                &self.max_token_lifetime_seconds,
            )
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FlagSettings {
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FetchSettings {
    pub core_timeout_ms: u64,
    pub journey_timeout_ms: u64,
    pub quality_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NightlySettings {
    pub enabled: bool,
    /// Local time of day, `HH:MM`.
    pub time: String,
    pub timezone: String,
    /// The weekday (`mon` … `sun`) whose nightly run is followed by `impact verify`
    /// over the retained range; empty: never.
    pub verify_weekday: String,
    /// How long a claim on the night lives without being renewed: when its holder
    /// dies, another instance takes the night over after at most this long (2 to
    /// 3 600 s).
    pub lease_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub data_dir: PathBuf,
    pub pool_size: usize,
}

/// Where the aggregation reads conversations (METRICS.md §8.1, docs/operations.md).
#[derive(Clone, Deserialize)]
pub struct SourceSettings {
    /// A PostgreSQL URL, typically a read replica of the chatbot's database; empty:
    /// the datamart's own tables, filled by `impact import`.
    pub database_url: String,
    pub organizations: String,
    pub rooms: String,
    pub histories: String,
    /// Empty: the source has no summaries (sentiment comes from MongoDB, or none).
    pub room_summaries: String,
    /// A column of `rooms` the chatbot sets on every change; empty: none.
    pub rooms_changed_column: String,
    pub lag_seconds: u64,
    pub overlap_seconds: u64,
    pub statement_timeout_ms: u64,
    pub pool_size: usize,
}

/// Never prints the URL's password.
impl std::fmt::Debug for SourceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceSettings")
            .field("database_url", &crate::text::redact(&self.database_url))
            .field("organizations", &self.organizations)
            .field("rooms", &self.rooms)
            .field("histories", &self.histories)
            .field("room_summaries", &self.room_summaries)
            .field("rooms_changed_column", &self.rooms_changed_column)
            .field("lag_seconds", &self.lag_seconds)
            .field("overlap_seconds", &self.overlap_seconds)
            .field("statement_timeout_ms", &self.statement_timeout_ms)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

/// The longest lag and overlap honoured (a day and 30 days): a run never looks
/// further back for changes than a month before its last mark.
pub(crate) const MAX_SOURCE_LAG_SECONDS: u64 = 86_400;
pub(crate) const MAX_SOURCE_OVERLAP_SECONDS: u64 = 30 * 86_400;

impl SourceSettings {
    /// How long rows may take to appear after their timestamps, at most a day.
    pub fn lag(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lag_seconds.min(MAX_SOURCE_LAG_SECONDS))
    }

    /// How far before its last mark a run looks for changes, at most 30 days.
    pub fn overlap(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.overlap_seconds.min(MAX_SOURCE_OVERLAP_SECONDS) as i64)
    }

    /// The live source's URL, if one is configured.
    pub fn live_url(&self) -> Option<&str> {
        Some(self.database_url.trim()).filter(|url| !url.is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MongoSettings {
    pub url: String,
    pub database: String,
    pub collection: String,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AggregationSettings {
    pub nightly_days: u32,
    pub retention_months: u32,
    pub chunk_days: u32,
}

impl Settings {
    /// Loads the settings; `file` is an optional TOML file of overrides.
    pub fn load(file: Option<&Path>) -> Result<Self, config::ConfigError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(file) = file {
            builder = builder.add_source(config::File::from(file).required(true));
        }
        builder
            .add_source(
                config::Environment::with_prefix("IMPACT")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()
    }

    /// The database to use: the configured URL, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.trim().is_empty() {
            format!(
                "sqlite://{}",
                self.database.data_dir.join("impact.sqlite").display()
            )
        } else {
            self.database.url.trim().to_string()
        }
    }

    /// The MongoDB URL for sentiment, if one is configured.
    pub fn mongodb_url(&self) -> Option<&str> {
        Some(self.mongodb.url.trim()).filter(|url| !url.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_defaults_load_and_match_the_metric_spec() {
        let settings = Settings::load(None).unwrap();
        assert_eq!(settings.report, ReportPolicy::default());
        assert_eq!(settings.aggregation.nightly_days, 3);
        assert_eq!(settings.aggregation.retention_months, 13);
    }

    #[test]
    fn an_empty_url_means_the_embedded_default() {
        let mut settings = Settings::load(None).unwrap();
        settings.database.url = String::new();
        settings.database.data_dir = PathBuf::from("/tmp/x");
        assert_eq!(settings.database_url(), "sqlite:///tmp/x/impact.sqlite");
        assert_eq!(settings.mongodb_url(), None);
    }
}
