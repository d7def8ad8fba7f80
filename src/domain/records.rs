//! Normalisation of the free-text fields of the source records (docs/metrics.md §1):
//! `closed_reason`, `channel` and `sender_type` are compared after trimming and
//! case-insensitively, and unknown values are kept, never rejected.

/// Why a conversation was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosedReason {
    ResolveAi,
    Resolve,
    Spam,
    AssignAgent,
    AssignAgentAi,
    WaitingAssignAgent,
    /// A value this version does not know; kept as written (trimmed).
    Other(String),
}

impl ClosedReason {
    /// `None` for a missing or blank reason.
    pub fn parse(text: Option<&str>) -> Option<Self> {
        let text = text?.trim();
        if text.is_empty() {
            return None;
        }
        Some(match text.to_ascii_uppercase().as_str() {
            "RESOLVE_AI" => ClosedReason::ResolveAi,
            "RESOLVE" => ClosedReason::Resolve,
            "SPAM" => ClosedReason::Spam,
            "ASSIGN_AGENT" => ClosedReason::AssignAgent,
            "ASSIGN_AGENT_AI" => ClosedReason::AssignAgentAi,
            "WAITING_ASSIGN_AGENT" => ClosedReason::WaitingAssignAgent,
            _ => ClosedReason::Other(text.to_string()),
        })
    }

    /// The reasons that mean a human was asked for (docs/metrics.md §4.5, class 3).
    pub fn is_handover(&self) -> bool {
        matches!(
            self,
            ClosedReason::AssignAgent
                | ClosedReason::AssignAgentAi
                | ClosedReason::WaitingAssignAgent
        )
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderType {
    Customer,
    Ai,
    Agent,
    System,
    Unknown,
}

impl SenderType {
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "customer" => SenderType::Customer,
            "ai" => SenderType::Ai,
            "agent" => SenderType::Agent,
            "system" => SenderType::System,
            _ => SenderType::Unknown,
        }
    }
}

/// Whether a channel is the admin's own test chat, which never counts.
pub fn is_test_channel(channel: &str) -> bool {
    channel.trim().eq_ignore_ascii_case("bot_preview")
}

/// A room summary's sentiment as stored: a label, a score, or something else.
#[derive(Debug, Clone, PartialEq)]
pub enum RawSentiment {
    Label(String),
    Score(f64),
    Missing,
}

impl RawSentiment {
    pub fn from_json(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::String(label) => RawSentiment::Label(label.clone()),
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(score) => RawSentiment::Score(score),
                None => RawSentiment::Missing,
            },
            _ => RawSentiment::Missing,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            RawSentiment::Label(label) => serde_json::Value::String(label.clone()),
            RawSentiment::Score(score) => serde_json::Number::from_f64(*score)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            RawSentiment::Missing => serde_json::Value::Null,
        }
    }

    /// The number in [−1, 1] this sentiment stands for, or `None` when it counts as
    /// missing: labels map to +1, 0, −1 (case-insensitively), scores are clamped.
    pub fn normalised(&self) -> Option<f64> {
        match self {
            RawSentiment::Label(label) => match label.trim().to_ascii_lowercase().as_str() {
                "positive" => Some(1.0),
                "neutral" => Some(0.0),
                "negative" => Some(-1.0),
                _ => None,
            },
            RawSentiment::Score(score) if score.is_finite() => Some(score.clamp(-1.0, 1.0)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_and_case_insensitive() {
        assert_eq!(
            ClosedReason::parse(Some(" resolve_ai ")),
            Some(ClosedReason::ResolveAi)
        );
        assert_eq!(ClosedReason::parse(Some("   ")), None);
        assert_eq!(ClosedReason::parse(None), None);
        assert_eq!(
            ClosedReason::parse(Some(" Idle_Timeout")),
            Some(ClosedReason::Other("Idle_Timeout".into()))
        );
    }

    #[test]
    fn test_channel_is_recognised_however_written() {
        assert!(is_test_channel(" Bot_Preview "));
        assert!(!is_test_channel("whatsapp"));
    }

    #[test]
    fn sentiment_labels_and_scores_normalise() {
        let cases = [
            (serde_json::json!("Positive"), Some(1.0)),
            (serde_json::json!("NEGATIVE"), Some(-1.0)),
            (serde_json::json!(" neutral "), Some(0.0)),
            (serde_json::json!("mixed"), None),
            (serde_json::json!(2.0), Some(1.0)),
            (serde_json::json!(-3), Some(-1.0)),
            (serde_json::json!(-0.2), Some(-0.2)),
            (serde_json::json!(null), None),
            (serde_json::json!(true), None),
            (serde_json::json!({"label": "positive"}), None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                RawSentiment::from_json(&value).normalised(),
                expected,
                "{value}"
            );
        }
    }
}
