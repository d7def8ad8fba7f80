//! The report between the metrics and the people who read it: this module reads what
//! a report needs from the datamart (never from raw rooms) and hands it to the pure
//! assembly in `metrics::report`; `words` puts the result into sentences,
//! `presentation` into the tiles the page and the terminal lay out, and `wire` into
//! the API's JSON.

#[cfg(test)]
mod assembly_tests;
pub mod conversations;
pub(crate) mod presentation;
pub mod wire;
pub mod words;

use crate::domain::{DateRange, OrgId, Organization};
use crate::metrics::report::{assemble, Report, ReportInputs, ReportPolicy};
use crate::store::{OrganizationStore, ReportStore, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("organization '{0}' is not in the database")]
    UnknownOrganization(OrgId),
    #[error(
        "organization '{0}' does not have the AI Agent add-on, so it has no AI Agent Impact Report"
    )]
    NoAiAddon(OrgId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The organization's report for `range`, read from the datamart.
pub async fn load_report(
    store: &dyn ReportStore,
    org: &OrgId,
    range: DateRange,
    policy: &ReportPolicy,
) -> Result<Report, ReportError> {
    // One read of the organization, the range and its period before, as the server
    // reads its tile groups.
    let reads = store.report_reads(org, range.with_before()).await?;
    let organization = with_ai_addon(reads.organization, org)?;
    let (days, days_before): (Vec<_>, Vec<_>) = reads
        .days
        .into_iter()
        .partition(|row| range.contains(row.day));
    let activity = reads.activity;
    Ok(assemble(&ReportInputs {
        organization: &organization,
        range,
        days: &days,
        first_eligible_day: activity.first_eligible_day,
        data_through: activity.data_through,
        read_until: activity.read_until,
        cost_assumption: reads.cost_assumption,
        policy,
        failed_groups: &[],
        baseline: reads.baseline,
        // The command line has no feature flags: forecasts are the server's.
        forecast_history: None,
        days_before: Some(&days_before),
    }))
}

/// The organization, if it exists and has the AI add-on.
pub(crate) async fn load_organization(
    store: &dyn OrganizationStore,
    org: &OrgId,
) -> Result<Organization, ReportError> {
    with_ai_addon(store.organization(org).await?, org)
}

/// The organization read for `org`, if it exists and has the AI add-on.
fn with_ai_addon(
    organization: Option<Organization>,
    org: &OrgId,
) -> Result<Organization, ReportError> {
    let organization = organization.ok_or_else(|| ReportError::UnknownOrganization(org.clone()))?;
    if !organization.ai_addon {
        return Err(ReportError::NoAiAddon(org.clone()));
    }
    Ok(organization)
}
