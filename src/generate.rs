//! `impact generate`: realistic synthetic data in the import format, the same
//! bytes for the same options. It feeds the demo, the tests and the benchmarks.
//!
//! What it models: WhatsApp-first Indonesian SMEs in Asia/Jakarta, Asia/Makassar and
//! Asia/Jayapura; office hours and national holidays; weekday/weekend and
//! hour-of-day patterns; an AI that improves over its first months; customers who
//! come back (within 48 hours when the AI's answer did not really help); spam and
//! the admin's own `bot_preview` test chats; rooms still open at export time; room
//! summaries with label and score sentiment, some missing; and a little of the
//! untidiness of real exports (` resolve_ai `, `AI`, `Z` offsets). Among the first
//! four organizations are one without the AI add-on, one without business hours and
//! one that is brand new.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::import::{
    COST_ASSUMPTIONS_FILE, HISTORIES_FILE, ORGANIZATIONS_FILE, ROOMS_FILE, SUMMARIES_FILE,
};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub organizations: usize,
    pub days: u32,
    pub seed: u64,
    /// The last local day of data. Rooms still running at its end are exported open.
    pub end: NaiveDate,
    /// Multiplies every organization's daily volume.
    pub scale: f64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GenerateSummary {
    pub organizations: u64,
    pub rooms: u64,
    pub histories: u64,
    pub summaries: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("writing {path}: {source}")]
pub struct GenerateError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// SplitMix64: tiny, fast and the same on every platform, so a seed always gives
/// the same data (a crate's generator may change between versions).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Uniform whole number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next_u64() % ((high - low + 1) as u64)) as i64
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }
}

struct Template {
    slug: &'static str,
    name: &'static str,
    timezone: Tz,
    business_hours: Option<&'static str>,
    ai_addon: bool,
    daily_volume: f64,
    brand_new: bool,
    /// The share of conversations the AI resolves alone once it has learned.
    plateau: f64,
    /// Rupiah per agent hour, minutes per conversation, and what it pays for the AI
    /// each month (if it said).
    cost_assumption: Option<(i64, i64, Option<i64>)>,
}

/// The organizations of one round of `TEMPLATES` (the demo builds exactly these):
/// their ids and names, for the test that the demo's sign-in offers them all.
#[cfg(test)]
pub(crate) fn template_organizations() -> impl Iterator<Item = (String, &'static str)> {
    TEMPLATES
        .iter()
        .map(|template| (format!("org_{}", template.slug), template.name))
}

const TEMPLATES: [Template; 8] = [
    Template {
        slug: "kopi_nusantara",
        name: "Kopi Nusantara",
        timezone: chrono_tz::Asia::Jakarta,
        business_hours: Some(
            r#"{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"],"sat":["09:00-13:00"]}"#,
        ),
        ai_addon: true,
        daily_volume: 110.0,
        brand_new: false,
        plateau: 0.68,
        cost_assumption: Some((45_000, 6, Some(1_500_000))),
    },
    Template {
        slug: "bengkel_maju",
        name: "Bengkel Maju Jaya",
        timezone: chrono_tz::Asia::Jakarta,
        business_hours: Some(
            r#"{"mon":["08:00-16:00"],"tue":["08:00-16:00"],"wed":["08:00-16:00"],"thu":["08:00-16:00"],"fri":["08:00-16:00"],"sat":["08:00-16:00"]}"#,
        ),
        ai_addon: false,
        daily_volume: 30.0,
        brand_new: false,
        plateau: 0.0,
        cost_assumption: None,
    },
    Template {
        slug: "laundry_kilat",
        name: "Laundry Kilat Makassar",
        timezone: chrono_tz::Asia::Makassar,
        business_hours: None,
        ai_addon: true,
        daily_volume: 45.0,
        brand_new: false,
        plateau: 0.55,
        cost_assumption: None,
    },
    Template {
        slug: "kedai_baru",
        name: "Kedai Baru",
        timezone: chrono_tz::Asia::Jakarta,
        business_hours: Some(
            r#"{"mon":["09:00-18:00"],"tue":["09:00-18:00"],"wed":["09:00-18:00"],"thu":["09:00-18:00"],"fri":["09:00-18:00"]}"#,
        ),
        ai_addon: true,
        daily_volume: 20.0,
        brand_new: true,
        plateau: 0.5,
        cost_assumption: None,
    },
    Template {
        slug: "apotek_sehat",
        name: "Apotek Sehat",
        timezone: chrono_tz::Asia::Makassar,
        business_hours: Some(
            r#"{"mon":["07:00-22:00"],"tue":["07:00-22:00"],"wed":["07:00-22:00"],"thu":["07:00-22:00"],"fri":["07:00-22:00"],"sat":["07:00-22:00"],"sun":["08:00-20:00"]}"#,
        ),
        ai_addon: true,
        daily_volume: 130.0,
        brand_new: false,
        plateau: 0.52,
        cost_assumption: Some((35_000, 5, None)),
    },
    Template {
        slug: "batik_sekar",
        name: "Batik Sekar Arum",
        timezone: chrono_tz::Asia::Jakarta,
        business_hours: Some(
            r#"{"mon":["09:00-17:00"],"tue":["09:00-17:00"],"wed":["09:00-17:00"],"thu":["09:00-17:00"],"fri":["09:00-17:00"]}"#,
        ),
        ai_addon: true,
        daily_volume: 70.0,
        brand_new: false,
        plateau: 0.7,
        cost_assumption: Some((50_000, 8, None)),
    },
    Template {
        slug: "kopi_papua",
        name: "Kopi Papua Jayapura",
        timezone: chrono_tz::Asia::Jayapura,
        business_hours: Some(
            r#"{"mon":["08:00-12:00","13:00-17:00"],"tue":["08:00-12:00","13:00-17:00"],"wed":["08:00-12:00","13:00-17:00"],"thu":["08:00-12:00","13:00-17:00"],"fri":["08:00-11:00","14:00-17:00"],"sat":["08:00-12:00"]}"#,
        ),
        ai_addon: true,
        daily_volume: 35.0,
        brand_new: false,
        plateau: 0.42,
        cost_assumption: None,
    },
    Template {
        slug: "klinik_senyum",
        name: "Klinik Gigi Senyum",
        timezone: chrono_tz::Asia::Jakarta,
        business_hours: Some(
            r#"{"mon":["08:00-12:00","13:00-20:00"],"tue":["08:00-12:00","13:00-20:00"],"wed":["08:00-12:00","13:00-20:00"],"thu":["08:00-12:00","13:00-20:00"],"fri":["08:00-11:00","13:00-20:00"],"sat":["08:00-14:00"]}"#,
        ),
        ai_addon: true,
        daily_volume: 55.0,
        brand_new: false,
        plateau: 0.6,
        cost_assumption: Some((60_000, 10, None)),
    },
];

/// Indonesian national holidays and collective leave days, 2025–2027.
const NATIONAL_HOLIDAYS: &[&str] = &[
    "2025-01-01",
    "2025-01-27",
    "2025-01-29",
    "2025-03-29",
    "2025-03-31",
    "2025-04-01",
    "2025-04-18",
    "2025-05-01",
    "2025-05-12",
    "2025-05-29",
    "2025-06-06",
    "2025-06-27",
    "2025-08-17",
    "2025-09-05",
    "2025-12-25",
    "2026-01-01",
    "2026-01-16",
    "2026-02-17",
    "2026-03-19",
    "2026-03-20",
    "2026-03-21",
    "2026-04-03",
    "2026-05-01",
    "2026-05-14",
    "2026-05-27",
    "2026-05-31",
    "2026-06-01",
    "2026-06-16",
    "2026-08-17",
    "2026-08-25",
    "2026-12-25",
    "2027-01-01",
    "2027-02-06",
    "2027-03-10",
    "2027-03-11",
    "2027-03-26",
    "2027-05-01",
    "2027-05-06",
    "2027-05-16",
    "2027-05-20",
    "2027-06-01",
    "2027-08-17",
    "2027-12-25",
];

/// Relative share of conversations starting at each local hour: a morning peak and
/// WhatsApp's evening peak, quiet nights.
const HOUR_WEIGHTS: [f64; 24] = [
    0.4, 0.25, 0.15, 0.1, 0.1, 0.3, 0.8, 1.5, 2.5, 3.2, 3.5, 3.2, 2.8, 3.0, 3.2, 3.0, 2.8, 2.6,
    2.8, 3.3, 3.5, 3.1, 2.0, 1.0,
];

struct Writers {
    rooms: csv::Writer<BufWriter<File>>,
    histories: csv::Writer<BufWriter<File>>,
    summaries: BufWriter<File>,
    summary: GenerateSummary,
}

/// What one generated conversation turned out to be.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Contained,
    IdleResolve,
    ResolveAiWithAgent,
    WaitingAfterAi,
    Unknown,
    Assisted,
    Escalated,
    HumanOnly,
    Spam,
    Preview,
}

struct OrgPlan<'a> {
    template: &'a Template,
    id: String,
    name: String,
    start: NaiveDate,
    holidays: Vec<NaiveDate>,
    export_at: DateTime<Utc>,
    contacts: u64,
    next_room: u64,
}

pub fn generate(options: &GenerateOptions) -> Result<GenerateSummary, GenerateError> {
    let out = &options.out;
    fs::create_dir_all(out).map_err(|source| GenerateError {
        path: out.clone(),
        source,
    })?;
    let create = |name: &str| -> Result<BufWriter<File>, GenerateError> {
        let path = out.join(name);
        File::create(&path)
            .map(|file| BufWriter::with_capacity(1 << 20, file))
            .map_err(|source| GenerateError { path, source })
    };
    let mut organizations = create(ORGANIZATIONS_FILE)?;
    let mut costs = csv::Writer::from_writer(create(COST_ASSUMPTIONS_FILE)?);
    let mut writers = Writers {
        rooms: csv::Writer::from_writer(create(ROOMS_FILE)?),
        histories: csv::Writer::from_writer(create(HISTORIES_FILE)?),
        summaries: create(SUMMARIES_FILE)?,
        summary: GenerateSummary::default(),
    };
    let io = |path: &str| {
        let path = out.join(path);
        move |source: std::io::Error| GenerateError { path, source }
    };
    let csv_io = |path: &str| {
        let path = out.join(path);
        move |error: csv::Error| GenerateError {
            path,
            source: std::io::Error::other(error),
        }
    };
    writers
        .rooms
        .write_record(crate::import::ROOM_COLUMNS)
        .map_err(csv_io(ROOMS_FILE))?;
    writers
        .histories
        .write_record(crate::import::HISTORY_COLUMNS)
        .map_err(csv_io(HISTORIES_FILE))?;
    costs
        .write_record(
            crate::import::COST_ASSUMPTION_COLUMNS
                .iter()
                .chain([&crate::import::AI_PRICE_COLUMN]),
        )
        .map_err(csv_io(COST_ASSUMPTIONS_FILE))?;

    for index in 0..options.organizations {
        let template = &TEMPLATES[index % TEMPLATES.len()];
        let round = index / TEMPLATES.len();
        let (id, name) = if round == 0 {
            (format!("org_{}", template.slug), template.name.to_string())
        } else {
            (
                format!("org_{}_{}", template.slug, round + 1),
                format!("{} {}", template.name, round + 1),
            )
        };
        let days = if template.brand_new {
            12.min(options.days)
        } else {
            options.days
        };
        let start = options.end - Duration::days(i64::from(days.max(1)) - 1);
        let holidays: Vec<NaiveDate> = if template.business_hours.is_some() {
            NATIONAL_HOLIDAYS
                .iter()
                .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .filter(|d| *d >= start && *d <= options.end)
                .collect()
        } else {
            Vec::new()
        };
        let export_at = local_midnight(template.timezone, options.end + Duration::days(1));
        let line = serde_json::json!({
            "id": id,
            "name": name,
            "ai_addon": template.ai_addon,
            "timezone": template.timezone.name(),
            "business_hours": template
                .business_hours
                .and_then(|h| serde_json::from_str::<serde_json::Value>(h).ok()),
            "holidays": holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        });
        writeln!(organizations, "{line}").map_err(io(ORGANIZATIONS_FILE))?;
        writers.summary.organizations += 1;
        if let Some((rate, minutes, price)) = template.cost_assumption {
            let price = price.map(|price| price.to_string()).unwrap_or_default();
            costs
                .write_record([id.clone(), rate.to_string(), minutes.to_string(), price])
                .map_err(csv_io(COST_ASSUMPTIONS_FILE))?;
        }
        let mut plan = OrgPlan {
            template,
            id,
            name,
            start,
            holidays,
            export_at,
            contacts: (template.daily_volume * options.scale * 40.0).max(50.0) as u64,
            next_room: 0,
        };
        let mut rng = Rng::new(options.seed, index as u64 + 1);
        generate_org(&mut plan, &mut rng, options, &mut writers).map_err(|source| {
            GenerateError {
                path: out.clone(),
                source,
            }
        })?;
        tracing::debug!(org = %plan.id, name = %plan.name, rooms = plan.next_room, "generated");
    }

    organizations.flush().map_err(io(ORGANIZATIONS_FILE))?;
    costs.flush().map_err(io(COST_ASSUMPTIONS_FILE))?;
    writers.rooms.flush().map_err(io(ROOMS_FILE))?;
    writers.histories.flush().map_err(io(HISTORIES_FILE))?;
    writers.summaries.flush().map_err(io(SUMMARIES_FILE))?;
    Ok(writers.summary)
}

fn local_midnight(timezone: Tz, day: NaiveDate) -> DateTime<Utc> {
    timezone
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn generate_org(
    plan: &mut OrgPlan<'_>,
    rng: &mut Rng,
    options: &GenerateOptions,
    writers: &mut Writers,
) -> std::io::Result<()> {
    let template = plan.template;
    let mut day = plan.start;
    while day <= options.end {
        let age_days = (day - plan.start).num_days() as f64;
        let weekday_factor = match day.weekday() {
            Weekday::Sat => 0.7,
            Weekday::Sun => 0.5,
            _ => 1.0,
        };
        let holiday_factor = if plan.holidays.contains(&day) {
            0.45
        } else {
            1.0
        };
        let growth = 1.0 + 0.3 * (age_days / 365.0).min(1.5);
        let noise = 0.8 + 0.4 * rng.unit();
        let expected = template.daily_volume
            * options.scale
            * weekday_factor
            * holiday_factor
            * growth
            * noise;
        let count = (expected + rng.unit()).floor() as i64;
        for _ in 0..count {
            let hour = rng.weighted(&HOUR_WEIGHTS) as u32;
            let local = day
                .and_hms_opt(hour, rng.between(0, 59) as u32, rng.between(0, 59) as u32)
                .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN));
            let created_at = template
                .timezone
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| local.and_utc());
            let contact = rng.between(1, plan.contacts as i64) as u64;
            write_conversation(plan, rng, writers, created_at, contact, age_days, false)?;
        }
        day += Duration::days(1);
    }
    Ok(())
}

/// The chance that the AI resolves a conversation alone, rising as it learns.
fn containment_chance(template: &Template, age_days: f64) -> f64 {
    let start = 0.22;
    start + (template.plateau - start) * (1.0 - (-age_days / 45.0).exp())
}

#[allow(clippy::too_many_arguments)]
fn write_conversation(
    plan: &mut OrgPlan<'_>,
    rng: &mut Rng,
    writers: &mut Writers,
    created_at: DateTime<Utc>,
    contact: u64,
    age_days: f64,
    is_follow_up: bool,
) -> std::io::Result<()> {
    let template = plan.template;
    let kind = pick_kind(template, rng, age_days, is_follow_up);
    plan.next_room += 1;
    let room_id = format!("r{:07}", plan.next_room);
    let contact_id = format!("62812{:08}", contact);
    let channel = pick_channel(kind, rng);

    let (messages, duration_minutes) = pick_messages(kind, rng);
    let minute = messages.last().map_or(0, |(minute, _)| *minute);
    let mut closed_at = Some(created_at + Duration::minutes(duration_minutes.max(minute + 1)));
    let agent_attached = matches!(
        kind,
        Kind::ResolveAiWithAgent | Kind::Assisted | Kind::HumanOnly
    ) || (kind == Kind::Escalated && rng.chance(0.7));
    let mut closed_reason = pick_closed_reason(kind, agent_attached, rng);
    // Rooms still running when the data was exported, and a few forgotten ones.
    let still_open = closed_at.is_some_and(|c| c > plan.export_at) || rng.chance(0.003);
    if still_open && kind != Kind::Spam {
        closed_at = None;
        closed_reason = match kind {
            Kind::Escalated | Kind::WaitingAfterAi => Some("WAITING_ASSIGN_AGENT"),
            Kind::Contained if rng.chance(0.1) => Some("RESOLVE_AI"),
            _ => None,
        };
    }
    let assigned_at = agent_attached.then(|| created_at + Duration::minutes(rng.between(1, 10)));
    let agent_id = agent_attached.then(|| format!("agent_{}", rng.between(1, 6)));

    let stamp = |instant: DateTime<Utc>, rng: &mut Rng| -> String {
        if rng.chance(0.05) {
            instant.to_rfc3339_opts(SecondsFormat::Secs, true)
        } else {
            instant
                .with_timezone(&template.timezone)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        }
    };
    let created_text = stamp(created_at, rng);
    let closed_text = closed_at.map(|c| stamp(c, rng)).unwrap_or_default();
    let assigned_text = assigned_at.map(|a| stamp(a, rng)).unwrap_or_default();
    writers.rooms.write_record([
        room_id.as_str(),
        plan.id.as_str(),
        channel,
        contact_id.as_str(),
        created_text.as_str(),
        closed_text.as_str(),
        closed_reason.unwrap_or_default(),
        agent_id.as_deref().unwrap_or_default(),
        assigned_text.as_str(),
    ])?;
    writers.summary.rooms += 1;

    let last_instant = closed_at.unwrap_or(plan.export_at);
    for (offset, sender) in &messages {
        let at = created_at + Duration::minutes(*offset) + Duration::seconds(rng.between(0, 50));
        if at >= last_instant && closed_at.is_some() {
            break;
        }
        if at >= plan.export_at {
            break;
        }
        let text = stamp(at, rng);
        writers.histories.write_record([
            room_id.as_str(),
            plan.id.as_str(),
            sender,
            text.as_str(),
        ])?;
        writers.summary.histories += 1;
    }

    if let Some(closed) = closed_at {
        if !matches!(kind, Kind::Spam | Kind::Preview) && rng.chance(0.62) {
            write_summary(plan, rng, writers, &room_id, kind, is_follow_up, closed)?;
        }
        // An AI answer that did not really help brings the customer back soon.
        if kind == Kind::Contained {
            let false_resolution = 0.05 + 0.12 * (-age_days / 90.0).exp();
            if rng.chance(false_resolution) {
                let back_at = closed + Duration::minutes(rng.between(10, 47 * 60));
                if back_at < plan.export_at {
                    write_conversation(plan, rng, writers, back_at, contact, age_days, true)?;
                }
            }
        }
    }
    Ok(())
}

/// The channel of a conversation of this kind (test chats come from the preview,
/// sometimes spelled otherwise).
fn pick_channel(kind: Kind, rng: &mut Rng) -> &'static str {
    match kind {
        Kind::Preview => {
            if rng.chance(0.2) {
                "Bot_Preview"
            } else {
                "bot_preview"
            }
        }
        _ => [
            "whatsapp",
            "whatsapp",
            "whatsapp",
            "whatsapp",
            "whatsapp",
            "whatsapp",
            "whatsapp",
            "instagram",
            "livechat",
            "facebook",
        ][rng.between(0, 9) as usize],
    }
}

/// The messages of a conversation of this kind, as (minutes after its start,
/// sender), and how many minutes it lasts at least.
fn pick_messages(kind: Kind, rng: &mut Rng) -> (Vec<(i64, &'static str)>, i64) {
    // Messages: (minutes after start, sender). The customer always opens.
    let mut messages: Vec<(i64, &str)> = vec![(0, "customer")];
    let (customer, ai, agent, duration_minutes): (i64, i64, i64, i64) = match kind {
        Kind::Contained => {
            let turns = rng.between(1, 4);
            (turns, turns + rng.between(0, 1), 0, rng.between(2, 20))
        }
        Kind::IdleResolve => (
            rng.between(1, 2),
            rng.between(1, 2),
            0,
            rng.between(30, 240),
        ),
        Kind::ResolveAiWithAgent => (
            rng.between(2, 5),
            rng.between(1, 3),
            rng.between(1, 3),
            rng.between(10, 60),
        ),
        Kind::WaitingAfterAi => (
            rng.between(1, 3),
            rng.between(1, 2),
            0,
            rng.between(20, 300),
        ),
        Kind::Unknown => (
            rng.between(1, 3),
            rng.between(0, 2),
            0,
            rng.between(10, 600),
        ),
        Kind::Assisted => (
            rng.between(2, 9),
            rng.between(1, 3),
            rng.between(2, 8),
            rng.between(15, 180),
        ),
        Kind::Escalated | Kind::HumanOnly => (
            rng.between(2, 8),
            0,
            rng.between(2, 8),
            rng.between(15, 240),
        ),
        Kind::Spam => (1, 0, 0, rng.between(1, 5)),
        Kind::Preview => (rng.between(1, 3), rng.between(1, 3), 0, rng.between(1, 5)),
    };
    let mut minute = 0;
    for turn in 0..customer.max(ai).max(agent) {
        if turn > 0 && turn < customer {
            minute += rng.between(1, 4);
            messages.push((minute, "customer"));
        }
        if turn < ai {
            minute += 1;
            messages.push((minute, if rng.chance(0.003) { "AI" } else { "ai" }));
        }
        if turn < agent {
            minute += rng.between(1, 6);
            messages.push((minute, "agent"));
        }
    }
    (messages, duration_minutes)
}

/// Why a closed conversation of this kind was closed, as the chatbot writes it.
fn pick_closed_reason(kind: Kind, agent_attached: bool, rng: &mut Rng) -> Option<&'static str> {
    match kind {
        Kind::Contained => Some(if rng.chance(0.004) {
            " resolve_ai "
        } else {
            "RESOLVE_AI"
        }),
        Kind::IdleResolve => Some("RESOLVE"),
        Kind::ResolveAiWithAgent => Some("RESOLVE_AI"),
        Kind::WaitingAfterAi => Some("ASSIGN_AGENT"),
        Kind::Unknown => Some("AUTO_CLOSE_INACTIVE"),
        Kind::Assisted => Some(if rng.chance(0.5) {
            "RESOLVE"
        } else {
            "ASSIGN_AGENT_AI"
        }),
        Kind::Escalated if agent_attached => Some("ASSIGN_AGENT"),
        Kind::Escalated => Some("WAITING_ASSIGN_AGENT"),
        Kind::HumanOnly => Some("RESOLVE"),
        Kind::Spam => Some("SPAM"),
        Kind::Preview => Some("RESOLVE_AI"),
    }
}

fn pick_kind(template: &Template, rng: &mut Rng, age_days: f64, is_follow_up: bool) -> Kind {
    if !is_follow_up {
        if rng.chance(0.02) {
            return Kind::Spam;
        }
        if template.ai_addon && rng.chance(0.008) {
            return Kind::Preview;
        }
    }
    if !template.ai_addon {
        return if rng.chance(0.85) {
            Kind::HumanOnly
        } else {
            Kind::Escalated
        };
    }
    if !rng.chance(0.93) {
        return Kind::Escalated;
    }
    let contained = if is_follow_up {
        containment_chance(template, age_days) * 0.4
    } else {
        containment_chance(template, age_days)
    };
    let draw = rng.unit();
    let ladder = [
        (contained, Kind::Contained),
        (0.05, Kind::IdleResolve),
        (0.015, Kind::ResolveAiWithAgent),
        (0.03, Kind::WaitingAfterAi),
        (0.005, Kind::Unknown),
    ];
    let mut edge = 0.0;
    for (share, kind) in ladder {
        edge += share;
        if draw < edge {
            return kind;
        }
    }
    Kind::Assisted
}

fn write_summary(
    plan: &OrgPlan<'_>,
    rng: &mut Rng,
    writers: &mut Writers,
    room_id: &str,
    kind: Kind,
    is_follow_up: bool,
    closed_at: DateTime<Utc>,
) -> std::io::Result<()> {
    let mean = match kind {
        Kind::Contained => 0.45,
        Kind::Assisted | Kind::ResolveAiWithAgent => 0.1,
        Kind::Escalated | Kind::WaitingAfterAi | Kind::HumanOnly => -0.25,
        _ => 0.0,
    } - if is_follow_up { 0.4 } else { 0.0 };
    let value = mean + (rng.unit() - 0.5) * 1.4;
    let draw = rng.unit();
    let sentiment = if draw < 0.6 {
        let label = if value > 0.33 {
            "positive"
        } else if value < -0.33 {
            "negative"
        } else {
            "neutral"
        };
        let label = match rng.between(0, 9) {
            0 => label.to_ascii_uppercase(),
            1 => {
                let mut chars = label.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
            _ => label.to_string(),
        };
        serde_json::Value::String(label)
    } else if draw < 0.95 {
        // Scores are rounded to two places and sometimes a little out of range.
        let score = (value.clamp(-1.2, 1.2) * 100.0).round() / 100.0;
        serde_json::json!(score)
    } else if draw < 0.98 {
        serde_json::Value::String("mixed".into())
    } else {
        serde_json::Value::Null
    };
    let created_at = (closed_at + Duration::minutes(rng.between(5, 30)))
        .with_timezone(&plan.template.timezone)
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let line = serde_json::json!({
        "room_id": room_id,
        "organization_id": plan.id,
        "sentiment": sentiment,
        "created_at": created_at,
    });
    writeln!(writers.summaries, "{line}")?;
    writers.summary.summaries += 1;
    Ok(())
}
