//! Every address the server answers, named once: the routes register them and the
//! pages link to them, so neither reaches into the other for a path.

pub(crate) const REPORT_PATH: &str = "/reports/ai-agent-impact";
pub(crate) const REPORT_API: &str = "/api/v1/reports/ai-agent-impact";
/// Where the conversation lists are shown on the page.
pub(crate) const CONVERSATIONS_PATH: &str = "/reports/ai-agent-impact/conversations";
pub(crate) const CONVERSATIONS_API: &str = "/api/v1/reports/ai-agent-impact/conversations";
pub(crate) const CONVERSATIONS_CSV: &str = "/api/v1/reports/ai-agent-impact/conversations.csv";
pub(crate) const CONVERSATIONS_XLSX: &str = "/api/v1/reports/ai-agent-impact/conversations.xlsx";
pub(crate) const DAILY_CSV: &str = "/api/v1/reports/ai-agent-impact/daily.csv";
pub(crate) const DAILY_XLSX: &str = "/api/v1/reports/ai-agent-impact/daily.xlsx";
pub(crate) const SIGN_OUT_PATH: &str = "/auth/sign-out";
pub(crate) const SIGNED_OUT_PATH: &str = "/auth/signed-out";
