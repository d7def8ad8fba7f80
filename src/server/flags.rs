//! Feature flags from a TOML file, hot-reloaded. The `FlagSupervisor` actor watches
//! the file (with `notify`, plus a slow poll in case an editor's save is missed),
//! re-parses it on change and swaps the flags atomically. An invalid file keeps the
//! last good flags, logs an error and counts a failed reload.
//!
//! A file is taken only when whole. Replaced by a rename (write the new file beside
//! it, then `mv` it over: a new file), it is taken as it is. Changed in place (the
//! same file written again), it must keep every flag the last good file set: a
//! writer that stops part-way leaves the file cut short, which always loses the last
//! flags (a `[global]` kill switch among them), so such a file is refused. Values may
//! change in place; removing a flag takes a rename (docs/operations.md).

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix::prelude::*;
use notify::Watcher;
use serde::Deserialize;

use crate::domain::OrgId;
use crate::server::observability::Metrics;

pub(crate) const REPORT_FLAG: &str = "ai_agent_impact_report";
pub(crate) const FORECAST_FLAG: &str = "ai_agent_impact_report_forecast";

/// Every flag the product knows. A file that names another (a typo such as
/// `ai_agent_impact_report_forcast`) is refused, never read as "that flag is off".
pub(crate) const KNOWN_FLAGS: [&str; 2] = [REPORT_FLAG, FORECAST_FLAG];

/// What is wrong inside a flags file (`Flags::parse`), with the line a person finds
/// it on.
#[derive(Debug, thiserror::Error)]
pub enum FlagsInvalid {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("there is no [defaults] table; it is required (see docs/operations.md)")]
    NoDefaults,
    #[error(
        "line {line}: [{section}] is not a section of the flags file (the sections are \
         [defaults], [global] and [accounts.ORG])"
    )]
    UnknownSection { line: usize, section: String },
    #[error(
        "line {line}: [{section}] sets '{flag}', which is not a flag; the flags are {}",
        KNOWN_FLAGS.join(" and ")
    )]
    UnknownFlag {
        line: usize,
        section: String,
        flag: String,
    },
}

/// Why the flags file is not taken; each names the file and keeps its cause.
#[derive(Debug, thiserror::Error)]
pub enum FlagsError {
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: the file is larger than {MAX_FLAGS_FILE_BYTES} bytes; it is not read",
        path.display()
    )]
    TooLarge { path: PathBuf },
    #[error("{}: the file is not UTF-8 text", path.display())]
    NotText {
        path: PathBuf,
        #[source]
        source: std::str::Utf8Error,
    },
    /// Quoted at most `text::MAX_EXCERPT_BYTES` of: the reason may quote the file
    /// (a TOML error's line, a section or flag name a megabyte long).
    #[error("{}: {}", path.display(), crate::text::excerpt(&reason.to_string()))]
    Invalid {
        path: PathBuf,
        #[source]
        reason: FlagsInvalid,
    },
    /// A file written in place that lost flags the last good one set
    /// (`Flags::lost_in_place`).
    #[error("{}: {why}", path.display())]
    LostInPlace { path: PathBuf, why: String },
}

impl FlagsError {
    /// Whether the file names a flag or section the product does not know (a typo
    /// someone must fix: the server refuses to start on it), rather than being a
    /// file that cannot be read or parsed.
    pub(crate) fn names_unknown(&self) -> bool {
        matches!(
            self,
            FlagsError::Invalid {
                reason: FlagsInvalid::UnknownSection { .. } | FlagsInvalid::UnknownFlag { .. },
                ..
            }
        )
    }
}

/// The largest flags file read; a bigger one is refused whole (a real one is a few
/// hundred bytes per account).
pub(crate) const MAX_FLAGS_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flags {
    /// Required: a file without it (empty, or cut short mid-write) is invalid rather
    /// than "every flag off".
    defaults: HashMap<String, bool>,
    #[serde(default)]
    global: HashMap<String, bool>,
    #[serde(default)]
    accounts: HashMap<String, HashMap<String, bool>>,
}

impl Flags {
    pub fn parse(text: &str) -> Result<Self, FlagsInvalid> {
        toml_parse(text)
    }

    /// The first flag the file sets that the product does not know, with its section.
    fn unknown_flag(&self) -> Option<(String, String)> {
        let unknown = |flags: &HashMap<String, bool>| {
            let mut names: Vec<&String> = flags
                .keys()
                .filter(|flag| !KNOWN_FLAGS.contains(&flag.as_str()))
                .collect();
            names.sort();
            names.first().map(|flag| flag.to_string())
        };
        let mut accounts: Vec<(&String, &HashMap<String, bool>)> = self.accounts.iter().collect();
        accounts.sort_by(|a, b| a.0.cmp(b.0));
        [
            ("defaults".to_string(), &self.defaults),
            ("global".to_string(), &self.global),
        ]
        .into_iter()
        .chain(
            accounts
                .into_iter()
                .map(|(org, flags)| (format!("accounts.{org}"), flags)),
        )
        .find_map(|(section, flags)| unknown(flags).map(|flag| (section, flag)))
    }

    /// Every flag the file sets, as `section key` (`defaults ai_agent_impact_report`,
    /// `accounts.org_1 …`).
    fn set_flags(&self) -> BTreeSet<String> {
        let named = |section: &str, flags: &HashMap<String, bool>| {
            flags
                .keys()
                .map(|flag| format!("[{section}] {flag}"))
                .collect::<Vec<_>>()
        };
        named("defaults", &self.defaults)
            .into_iter()
            .chain(named("global", &self.global))
            .chain(
                self.accounts
                    .iter()
                    .flat_map(|(org, flags)| named(&format!("accounts.{org}"), flags)),
            )
            .collect()
    }

    /// Why `self`, written in place over a file that held `previous`, is not taken:
    /// it lost flags the previous one set, as a file cut short does.
    fn lost_in_place(&self, previous: &Flags) -> Option<String> {
        let now = self.set_flags();
        let lost: Vec<String> = previous.set_flags().difference(&now).cloned().collect();
        let first = lost.first()?;
        Some(format!(
            "the file was changed in place and lost {first}{} that the last good file set; \
             a file cut short while it was written is never taken. To remove flags, write \
             the new file beside it and rename it over (docs/operations.md)",
            match lost.len() {
                1 => String::new(),
                more => format!(" (and {} more)", more - 1),
            }
        ))
    }

    /// A flag is on for an account when the global kill switch allows it and the
    /// account's own value (or else the default) is true. Unknown means off.
    pub fn is_enabled(&self, flag: &str, org: &OrgId) -> bool {
        if self.global.get(flag) == Some(&false) {
            return false;
        }
        self.accounts
            .get(org.as_str())
            .and_then(|account| account.get(flag))
            .or_else(|| self.defaults.get(flag))
            .copied()
            .unwrap_or(false)
    }
}

/// Parsed with `toml` directly, which keeps organization ids exactly as written.
fn toml_parse(text: &str) -> Result<Flags, FlagsInvalid> {
    let table: toml::Table = toml::from_str(text)?;
    if !table.contains_key("defaults") {
        return Err(FlagsInvalid::NoDefaults);
    }
    if let Some(section) = table
        .keys()
        .find(|key| !["defaults", "global", "accounts"].contains(&key.as_str()))
    {
        let line = text
            .lines()
            .position(|line| {
                let line = line.trim();
                line.strip_prefix('[')
                    .and_then(|rest| rest.split(']').next())
                    .is_some_and(|name| name.trim().trim_matches('"') == section.as_str())
                    || line
                        .split_once('=')
                        .is_some_and(|(key, _)| key.trim() == section.as_str())
            })
            .map_or(0, |index| index + 1);
        return Err(FlagsInvalid::UnknownSection {
            line,
            section: section.clone(),
        });
    }
    let flags: Flags = toml::Value::Table(table).try_into()?;
    match flags.unknown_flag() {
        Some((section, flag)) => Err(FlagsInvalid::UnknownFlag {
            line: line_of(text, &section, &flag).unwrap_or(0),
            section,
            flag,
        }),
        None => Ok(flags),
    }
}

/// The line (from 1) where `flag` is set in `[section]`, as a person finds it.
fn line_of(text: &str, section: &str, flag: &str) -> Option<usize> {
    let mut current = String::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            current = header.trim().replace(['"', ' '], "");
        } else if current == section.replace(['"', ' '], "")
            && line
                .split_once('=')
                .is_some_and(|(key, _)| key.trim().trim_matches('"') == flag)
        {
            return Some(index + 1);
        }
    }
    None
}

/// The current flags, shared by every request handler; readers never wait long.
#[derive(Clone, Default)]
pub(crate) struct FlagHandle(Arc<RwLock<Arc<Flags>>>);

impl FlagHandle {
    pub fn new(flags: Flags) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(flags))))
    }

    pub fn current(&self) -> Arc<Flags> {
        match self.0.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, flags: Flags) {
        match self.0.write() {
            Ok(mut guard) => *guard = Arc::new(flags),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(flags),
        }
    }
}

/// What a look at the flags file found: its bytes and which file it is (device and
/// inode), so a file renamed over it is told apart from the same file written again.
#[derive(Debug, Clone, PartialEq)]
struct FileSeen {
    bytes: Vec<u8>,
    identity: (u64, u64),
}

fn read_file(path: &Path) -> Result<FileSeen, FlagsError> {
    use std::os::unix::fs::MetadataExt;
    let unreadable = |source| FlagsError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    Ok(FileSeen {
        identity: (metadata.dev(), metadata.ino()),
        bytes: read_bounded_from(path, file)?,
    })
}

/// The flags file's bytes, at most `MAX_FLAGS_FILE_BYTES` of them.
fn read_bounded_from(path: &Path, file: std::fs::File) -> Result<Vec<u8>, FlagsError> {
    let mut bytes = Vec::new();
    file.take(MAX_FLAGS_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| FlagsError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_FLAGS_FILE_BYTES {
        return Err(FlagsError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Flags, FlagsError> {
    let text = std::str::from_utf8(bytes).map_err(|source| FlagsError::NotText {
        path: path.to_path_buf(),
        source,
    })?;
    Flags::parse(text).map_err(|reason| FlagsError::Invalid {
        path: path.to_path_buf(),
        reason,
    })
}

/// Reads and parses the flags file.
pub fn load(path: &Path) -> Result<Flags, FlagsError> {
    parse_bytes(path, &read_file(path)?.bytes)
}

pub(crate) struct FlagSupervisor {
    path: PathBuf,
    handle: FlagHandle,
    metrics: Arc<Metrics>,
    /// What the last look at the file found: its bytes and identity, or why it could
    /// not be read. A change is a change of contents (or a new file), whatever
    /// happened to its size or time.
    last_seen: Option<Result<FileSeen, String>>,
    /// Which file the current flags came from: a change to that same file must keep
    /// every flag they set.
    accepted: Option<(u64, u64)>,
    watcher: Option<notify::RecommendedWatcher>,
    /// A reload is already on its way: the events of one save (often several)
    /// bring one reload, not one each.
    reload_pending: bool,
}

impl FlagSupervisor {
    pub fn new(path: PathBuf, handle: FlagHandle, metrics: Arc<Metrics>) -> Self {
        Self {
            path,
            handle,
            metrics,
            last_seen: None,
            accepted: None,
            watcher: None,
            reload_pending: false,
        }
    }

    fn reload(&mut self) {
        let seen = read_file(&self.path);
        // Compared by what a person is told: the same refusal again is no change.
        let seen_now = seen.as_ref().map(Clone::clone).map_err(ToString::to_string);
        if self.last_seen.as_ref() == Some(&seen_now) {
            return;
        }
        let identity = seen.as_ref().ok().map(|seen| seen.identity);
        let in_place = identity.is_some() && identity == self.accepted;
        let parsed = seen
            .and_then(|seen| parse_bytes(&self.path, &seen.bytes))
            .and_then(|flags| {
                let lost = in_place
                    .then(|| flags.lost_in_place(&self.handle.current()))
                    .flatten();
                match lost {
                    Some(why) => Err(FlagsError::LostInPlace {
                        path: self.path.clone(),
                        why,
                    }),
                    None => Ok(flags),
                }
            });
        self.last_seen = Some(seen_now);
        match parsed {
            Ok(flags) => {
                self.accepted = identity;
                self.metrics.flags_file_refused.set(0);
                if *self.handle.current() != flags {
                    tracing::info!(path = %self.path.display(), "feature flags reloaded");
                }
                self.handle.replace(flags);
                self.metrics.flag_reloads.with_label_values(&["ok"]).inc();
            }
            Err(error) => {
                self.metrics.flags_file_refused.set(1);
                tracing::error!(error = %error, "the flags file is invalid; keeping the last good flags");
                self.metrics
                    .flag_reloads
                    .with_label_values(&["error"])
                    .inc();
            }
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct FileChanged;

impl Actor for FlagSupervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // What the server started with (`load` at start-up) counts as seen, and as
        // the file the current flags came from.
        let seen = read_file(&self.path).map_err(|error| error.to_string());
        self.accepted = seen.as_ref().ok().map(|seen| seen.identity);
        self.last_seen = Some(seen);
        let address = ctx.address();
        let watched = self.path.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // Only a write, a new file, a rename or a removal can change the flags.
            // Reading the file (ours, or another instance's on the same host) is an
            // event too, and answering it with a read would feed itself forever.
            let Ok(event) = event else { return };
            let changes = matches!(
                event.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
                    | notify::EventKind::Access(notify::event::AccessKind::Close(
                        notify::event::AccessMode::Write
                    ))
                    | notify::EventKind::Any
            );
            if changes
                && event
                    .paths
                    .iter()
                    .any(|p| p.file_name() == watched.file_name())
            {
                address.do_send(FileChanged);
            }
        });
        // Watch the folder, not the file: editors often save by renaming a new file over it.
        let folder = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        match watcher {
            Ok(mut watcher) => match watcher.watch(&folder, notify::RecursiveMode::NonRecursive) {
                Ok(()) => self.watcher = Some(watcher),
                Err(error) => {
                    tracing::warn!(error = %error, "cannot watch the flags file; polling it instead")
                }
            },
            Err(error) => {
                tracing::warn!(error = %error, "cannot watch the flags file; polling it instead")
            }
        }
        ctx.run_interval(Duration::from_secs(2), |actor, _| actor.reload());
    }
}

impl Handler<FileChanged> for FlagSupervisor {
    type Result = ();

    fn handle(&mut self, _: FileChanged, ctx: &mut Self::Context) {
        if self.reload_pending {
            return;
        }
        self.reload_pending = true;
        // Let the writer finish before reading.
        ctx.run_later(Duration::from_millis(150), |actor, _| {
            actor.reload_pending = false;
            actor.reload();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str) -> OrgId {
        OrgId::parse(id).unwrap()
    }

    #[test]
    fn accounts_override_defaults_and_the_kill_switch_wins() {
        let flags = Flags::parse(
            r#"
            [defaults]
            ai_agent_impact_report = false
            [global]
            ai_agent_impact_report = true
            ai_agent_impact_report_forecast = false
            [accounts.org_123]
            ai_agent_impact_report = true
            ai_agent_impact_report_forecast = true
            "#,
        )
        .unwrap();
        assert!(flags.is_enabled(REPORT_FLAG, &org("org_123")));
        assert!(!flags.is_enabled(REPORT_FLAG, &org("org_999")));
        assert!(
            !flags.is_enabled(FORECAST_FLAG, &org("org_123")),
            "global kill switch"
        );
        assert!(!flags.is_enabled("unknown_flag", &org("org_123")));
    }

    #[test]
    fn only_an_unknown_name_is_a_refusal_to_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flags.toml");
        for (text, refused) in [
            ("[defaults]\nai_agent_impact_reprot = true\n", true),
            ("[defaults]\n[globl]\n", true),
            ("[defaults\n", false),
            ("[global]\nai_agent_impact_report = true\n", false),
        ] {
            std::fs::write(&path, text).unwrap();
            let error = load(&path).unwrap_err();
            assert_eq!(error.names_unknown(), refused, "{text:?}: {error}");
            assert!(
                error.to_string().starts_with(&path.display().to_string()),
                "{error}"
            );
        }
        let missing = load(&dir.path().join("none.toml")).unwrap_err();
        assert!(!missing.names_unknown());
        assert!(
            std::error::Error::source(&missing).is_some(),
            "the cause is kept: {missing:?}"
        );
    }

    #[test]
    fn a_broken_file_is_an_error_not_empty_flags() {
        assert!(Flags::parse("[defaults\nai_agent_impact_report = true").is_err());
        assert!(Flags::parse("[defaults]\nai_agent_impact_report = \"yes\"").is_err());
        assert!(Flags::parse("[surprise]\nx = true").is_err());
    }

    #[test]
    fn a_misspelled_flag_is_refused_with_its_line_and_name() {
        let text = "[defaults]\nai_agent_impact_report = true\n\n[accounts.org_1]\nai_agent_impact_report = true\nai_agent_impact_report_forcast = true\n";
        let error = Flags::parse(text).unwrap_err();
        assert!(
            matches!(error, FlagsInvalid::UnknownFlag { line: 6, .. }),
            "{error:?}"
        );
        let error = error.to_string();
        assert!(error.contains("line 6"), "{error}");
        assert!(
            error.contains("[accounts.org_1] sets 'ai_agent_impact_report_forcast'"),
            "{error}"
        );
        assert!(
            error.contains("ai_agent_impact_report_forecast"),
            "the known flags are named: {error}"
        );
        let error = Flags::parse("[defaults]\nai_agent_impact_reprot = true\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("line 2: [defaults]"), "{error}");
        // An unknown section is refused too, with its place.
        let error = Flags::parse("[defaults]\n[globl]\nai_agent_impact_report = false\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("globl") && error.contains("line 2"),
            "{error}"
        );
    }

    #[test]
    fn a_file_written_in_place_must_keep_every_flag_the_last_one_set() {
        let whole = Flags::parse(
            "[defaults]\nai_agent_impact_report = true\n[global]\nai_agent_impact_report = false\n",
        )
        .unwrap();
        // Cut short after [defaults], or after the [global] heading: the kill switch is lost.
        for cut in [
            "[defaults]\nai_agent_impact_report = true\n",
            "[defaults]\nai_agent_impact_report = true\n[global]\n",
        ] {
            let why = Flags::parse(cut).unwrap().lost_in_place(&whole).unwrap();
            assert!(why.contains("[global] ai_agent_impact_report"), "{why}");
            assert!(why.contains("rename"), "{why}");
        }
        // A value changed in place, or a flag added, is taken.
        let flipped = Flags::parse(
            "[defaults]\nai_agent_impact_report = true\n[global]\nai_agent_impact_report = true\nai_agent_impact_report_forecast = false\n",
        )
        .unwrap();
        assert_eq!(flipped.lost_in_place(&whole), None);
    }

    #[test]
    fn a_file_without_defaults_is_invalid_not_everything_off() {
        for text in ["", "   \n\t\n", "[global]\nai_agent_impact_report = true\n"] {
            let error = Flags::parse(text).unwrap_err().to_string();
            assert!(error.contains("[defaults]"), "{text:?}: {error}");
        }
        assert!(Flags::parse("[defaults]\n").is_ok());
    }

    #[test]
    fn an_oversized_file_is_refused_without_being_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flags.toml");
        let mut text = String::from("[defaults]\n");
        while (text.len() as u64) <= MAX_FLAGS_FILE_BYTES {
            text.push_str("# padding padding padding padding padding padding padding\n");
        }
        std::fs::write(&path, text).unwrap();
        let error = load(&path).unwrap_err();
        assert!(matches!(error, FlagsError::TooLarge { .. }), "{error:?}");
        assert!(error.to_string().contains("larger than"), "{error}");
    }

    #[test]
    fn errors_quote_at_most_a_few_kilobytes_of_the_file() {
        let line = format!(
            "[defaults]\nai_agent_impact_report = \"{}",
            "x".repeat(500_000)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flags.toml");
        std::fs::write(&path, line).unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.len() < 4 * 1024, "{} bytes", error.len());
        // A section or flag name the size of the file is quoted as briefly.
        for line in [
            format!("[defaults]\n[{}]\n", "s".repeat(500_000)),
            format!("[defaults]\n{} = true\n", "f".repeat(500_000)),
        ] {
            std::fs::write(&path, line).unwrap();
            let error = load(&path).unwrap_err();
            assert!(error.names_unknown(), "{error:?}");
            let error = error.to_string();
            assert!(error.len() < 4 * 1024, "{} bytes", error.len());
        }
    }
}
