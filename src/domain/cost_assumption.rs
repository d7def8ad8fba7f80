use serde::{Deserialize, Serialize};

/// The organization's own estimate of what a human conversation costs (docs/metrics.md §1),
/// and, optionally, what it pays for the AI each month (§4.4). There is no default:
/// without a saved assumption no money figure exists, and without a price no return
/// on the AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostAssumption {
    agent_hour_rate: i64,
    minutes_per_conversation: i64,
    #[serde(default)]
    ai_price_per_month: Option<i64>,
}

/// The field a validation error is about, named as in the API and the import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostField {
    AgentHourRate,
    MinutesPerConversation,
    AiPricePerMonth,
}

impl CostField {
    pub fn name(self) -> &'static str {
        match self {
            CostField::AgentHourRate => "agent_hour_rate",
            CostField::MinutesPerConversation => "minutes_per_conversation",
            CostField::AiPricePerMonth => "ai_price_per_month",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", field.name())]
pub struct CostAssumptionError {
    pub field: CostField,
    pub message: String,
}

impl CostAssumption {
    pub const MIN_AGENT_HOUR_RATE: i64 = 1_000;
    pub const MAX_AGENT_HOUR_RATE: i64 = 10_000_000;
    pub const MIN_MINUTES_PER_CONVERSATION: i64 = 1;
    pub const MAX_MINUTES_PER_CONVERSATION: i64 = 480;
    pub const MIN_AI_PRICE_PER_MONTH: i64 = 1_000;
    pub const MAX_AI_PRICE_PER_MONTH: i64 = 1_000_000_000;

    /// An assumption without the AI's price; see `with_ai_price`.
    pub fn new(
        agent_hour_rate: i64,
        minutes_per_conversation: i64,
    ) -> Result<Self, Vec<CostAssumptionError>> {
        Self::with_ai_price(agent_hour_rate, minutes_per_conversation, None)
    }

    /// Checks every field and returns every problem found, so a form can show them
    /// all at once. `ai_price_per_month` is optional: `None` is no price.
    pub fn with_ai_price(
        agent_hour_rate: i64,
        minutes_per_conversation: i64,
        ai_price_per_month: Option<i64>,
    ) -> Result<Self, Vec<CostAssumptionError>> {
        let mut problems = Vec::new();
        if !(Self::MIN_AGENT_HOUR_RATE..=Self::MAX_AGENT_HOUR_RATE).contains(&agent_hour_rate) {
            problems.push(CostAssumptionError {
                field: CostField::AgentHourRate,
                message: format!(
                    "must be a whole number of rupiah from {} to {}",
                    Self::MIN_AGENT_HOUR_RATE,
                    Self::MAX_AGENT_HOUR_RATE
                ),
            });
        }
        if !(Self::MIN_MINUTES_PER_CONVERSATION..=Self::MAX_MINUTES_PER_CONVERSATION)
            .contains(&minutes_per_conversation)
        {
            problems.push(CostAssumptionError {
                field: CostField::MinutesPerConversation,
                message: format!(
                    "must be a whole number of minutes from {} to {}",
                    Self::MIN_MINUTES_PER_CONVERSATION,
                    Self::MAX_MINUTES_PER_CONVERSATION
                ),
            });
        }
        if let Some(price) = ai_price_per_month.filter(|price| {
            !(Self::MIN_AI_PRICE_PER_MONTH..=Self::MAX_AI_PRICE_PER_MONTH).contains(price)
        }) {
            problems.push(CostAssumptionError {
                field: CostField::AiPricePerMonth,
                message: format!(
                    "must be empty or a whole number of rupiah from {} to {} (it is {price})",
                    Self::MIN_AI_PRICE_PER_MONTH,
                    Self::MAX_AI_PRICE_PER_MONTH
                ),
            });
        }
        if problems.is_empty() {
            Ok(Self {
                agent_hour_rate,
                minutes_per_conversation,
                ai_price_per_month,
            })
        } else {
            Err(problems)
        }
    }

    pub fn agent_hour_rate(&self) -> i64 {
        self.agent_hour_rate
    }

    pub fn minutes_per_conversation(&self) -> i64 {
        self.minutes_per_conversation
    }

    /// What the organization pays for the AI each month, whole rupiah, if it said.
    pub fn ai_price_per_month(&self) -> Option<i64> {
        self.ai_price_per_month
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_bounds_themselves() {
        assert!(CostAssumption::new(1_000, 1).is_ok());
        assert!(CostAssumption::new(10_000_000, 480).is_ok());
    }

    #[test]
    fn names_every_field_out_of_bounds() {
        let problems = CostAssumption::new(999, 481).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![CostField::AgentHourRate, CostField::MinutesPerConversation]
        );
        assert!(CostAssumption::new(-5, 10).is_err());
        assert!(CostAssumption::new(50_000, 0).is_err());
    }

    #[test]
    fn the_ai_price_is_optional_and_bounded() {
        let priced = CostAssumption::with_ai_price(50_000, 5, Some(1_000)).unwrap();
        assert_eq!(priced.ai_price_per_month(), Some(1_000));
        assert!(CostAssumption::with_ai_price(50_000, 5, Some(1_000_000_000)).is_ok());
        assert_eq!(
            CostAssumption::new(50_000, 5).unwrap().ai_price_per_month(),
            None
        );
        for price in [999, 1_000_000_001, 0, -1] {
            let problems = CostAssumption::with_ai_price(50_000, 5, Some(price)).unwrap_err();
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].field, CostField::AiPricePerMonth);
        }
        let all = CostAssumption::with_ai_price(1, 0, Some(1)).unwrap_err();
        assert_eq!(all.len(), 3);
    }
}
