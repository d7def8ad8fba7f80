//! Parsed domain types. Each constructor checks its input once, so the rest of the
//! program can rely on a value being valid ("parse, don't validate").

mod cost_assumption;
mod date_range;
mod organization;
mod records;

pub use cost_assumption::{CostAssumption, CostAssumptionError, CostField};
pub use date_range::{
    days_in_month, earliest_date, last_day_of_month, DateRange, DateRangeError, MAX_RANGE_DAYS,
};
pub use organization::{
    BusinessHours, Interval, OrgId, OrgIdError, Organization, OrganizationError, DEFAULT_TIMEZONE,
};
pub use records::{is_test_channel, ClosedReason, RawSentiment, SenderType};
