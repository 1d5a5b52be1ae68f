//! Lead scoring: configurable rules (part of the tenant's settings) that turn a lead and its
//! engagement into a 0–100 score with a breakdown per category, and a HOT / WARM / COLD rating.
//! Pure, so the lead detail can explain a score exactly as the core computed it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::customer::CompanySize;
use crate::lead::{Authority, Lead, Need, Rating, ScoreCategory, Timeline};

/// How a lead earns points. Each category's points are capped by its `max_*`; the caps add up
/// to 100 in the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringRules {
    /// Job-title words (lower case) and their points, e.g. "ceo" → 15.
    pub job_title_points: BTreeMap<String, i64>,
    pub company_size_points: BTreeMap<CompanySize, i64>,
    pub max_demographics: i64,
    pub points_per_communication: i64,
    pub points_per_activity: i64,
    /// Points for a touch within the last 7 days; half within 30 days.
    pub recent_touch_points: i64,
    pub max_engagement: i64,
    /// Points when the budget is at least `budget_threshold` (in currency units).
    pub budget_points: i64,
    pub budget_threshold: f64,
    pub authority_points: i64,
    pub explicit_need_points: i64,
    pub implied_need_points: i64,
    pub timeline_points: BTreeMap<Timeline, i64>,
    pub max_qualification: i64,
    /// Source name (lower case) → points; unknown sources score `default_source_points`.
    pub source_points: BTreeMap<String, i64>,
    pub default_source_points: i64,
    pub max_source: i64,
    /// Score at or above which a lead is HOT.
    pub hot_threshold: i64,
    /// Score at or above which a lead is WARM (below: COLD).
    pub warm_threshold: i64,
}

impl Default for ScoringRules {
    fn default() -> ScoringRules {
        let map = |pairs: &[(&str, i64)]| {
            pairs
                .iter()
                .map(|(key, value)| ((*key).to_owned(), *value))
                .collect()
        };
        ScoringRules {
            job_title_points: map(&[
                ("ceo", 15),
                ("cto", 15),
                ("cfo", 15),
                ("founder", 15),
                ("owner", 12),
                ("vp", 12),
                ("president", 12),
                ("director", 10),
                ("head", 10),
                ("manager", 6),
                ("lead", 4),
            ]),
            company_size_points: [
                (CompanySize::Small, 3),
                (CompanySize::Medium, 6),
                (CompanySize::Large, 9),
                (CompanySize::Enterprise, 10),
            ]
            .into_iter()
            .collect(),
            max_demographics: 25,
            points_per_communication: 4,
            points_per_activity: 3,
            recent_touch_points: 10,
            max_engagement: 30,
            budget_points: 10,
            budget_threshold: 10_000.0,
            authority_points: 8,
            explicit_need_points: 8,
            implied_need_points: 4,
            timeline_points: [
                (Timeline::Immediate, 9),
                (Timeline::OneToThreeMonths, 7),
                (Timeline::ThreeToSixMonths, 4),
                (Timeline::SixToTwelveMonths, 2),
                (Timeline::TwelvePlusMonths, 0),
            ]
            .into_iter()
            .collect(),
            max_qualification: 35,
            source_points: map(&[
                ("referral", 10),
                ("website form", 8),
                ("event", 7),
                ("partner", 8),
                ("cold call", 2),
            ]),
            default_source_points: 4,
            max_source: 10,
            hot_threshold: 70,
            warm_threshold: 40,
        }
    }
}

/// What the lead's communications and activities say about its engagement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Engagement {
    pub communications: i64,
    pub activities: i64,
    /// Days since the last communication or activity, if any.
    pub days_since_last_touch: Option<i64>,
}

/// A computed score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub score: i64,
    pub rating: Rating,
    /// Points per [`ScoreCategory`] (by its stored name).
    pub breakdown: BTreeMap<String, i64>,
}

impl ScoringRules {
    pub fn rating(&self, score: i64) -> Rating {
        if score >= self.hot_threshold {
            Rating::Hot
        } else if score >= self.warm_threshold {
            Rating::Warm
        } else {
            Rating::Cold
        }
    }

    /// Scores `lead` with its `engagement`. A manual override wins over the computed score (the
    /// breakdown still explains the computed one).
    pub fn score(&self, lead: &Lead, engagement: Engagement) -> Score {
        let title = lead.job_title.as_deref().unwrap_or("").to_lowercase();
        let title_points = title
            .split(|c: char| !c.is_alphanumeric())
            .filter_map(|word| self.job_title_points.get(word))
            .max()
            .copied()
            .unwrap_or(0);
        let size_points = lead
            .company_size
            .and_then(|size| self.company_size_points.get(&size))
            .copied()
            .unwrap_or(0);
        let demographics = (title_points + size_points).min(self.max_demographics);

        let recency = match engagement.days_since_last_touch {
            Some(days) if days <= 7 => self.recent_touch_points,
            Some(days) if days <= 30 => self.recent_touch_points / 2,
            _ => 0,
        };
        let engagement_points = (engagement.communications * self.points_per_communication
            + engagement.activities * self.points_per_activity
            + recency)
            .min(self.max_engagement);

        let budget = match lead.budget {
            Some(amount) if amount.to_decimal() >= self.budget_threshold => self.budget_points,
            Some(_) => self.budget_points / 2,
            None => 0,
        };
        let authority = if lead.authority == Some(Authority::Yes) {
            self.authority_points
        } else {
            0
        };
        let need = match lead.need {
            Some(Need::Explicit) => self.explicit_need_points,
            Some(Need::Implied) => self.implied_need_points,
            None => 0,
        };
        let timeline = lead
            .timeline
            .and_then(|timeline| self.timeline_points.get(&timeline))
            .copied()
            .unwrap_or(0);
        let qualification = (budget + authority + need + timeline).min(self.max_qualification);

        let source = lead
            .source
            .as_deref()
            .map(|source| {
                self.source_points
                    .get(&source.to_lowercase())
                    .copied()
                    .unwrap_or(self.default_source_points)
            })
            .unwrap_or(0)
            .min(self.max_source);

        let computed = (demographics + engagement_points + qualification + source).clamp(0, 100);
        let score = lead.score_override.unwrap_or(computed).clamp(0, 100);
        let breakdown = [
            (ScoreCategory::Demographics, demographics),
            (ScoreCategory::Engagement, engagement_points),
            (ScoreCategory::Qualification, qualification),
            (ScoreCategory::Source, source),
        ]
        .into_iter()
        .map(|(category, points)| (category.as_str().to_owned(), points))
        .collect();
        Score {
            score,
            rating: self.rating(score),
            breakdown,
        }
    }

    /// The most points a category can give, for the breakdown's bars.
    pub fn maximum(&self, category: ScoreCategory) -> i64 {
        match category {
            ScoreCategory::Demographics => self.max_demographics,
            ScoreCategory::Engagement => self.max_engagement,
            ScoreCategory::Qualification => self.max_qualification,
            ScoreCategory::Source => self.max_source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Amount;
    use crate::entity::Entity;
    use crate::ids::{LeadId, UserId};
    use crate::role::{Actor, Role};

    fn lead() -> Lead {
        let actor = Actor {
            user_id: UserId(uuid::Uuid::from_u128(1)),
            role: Role::Admin,
        };
        Lead::draft(LeadId(uuid::Uuid::from_u128(2)), chrono::Utc::now(), &actor)
    }

    fn check(lead: &Lead, engagement: Engagement, score: i64, rating: Rating, breakdown: [i64; 4]) {
        let result = ScoringRules::default().score(lead, engagement);
        let actual: Vec<i64> = ["DEMOGRAPHICS", "ENGAGEMENT", "QUALIFICATION", "SOURCE"]
            .iter()
            .map(|key| result.breakdown.get(*key).copied().unwrap_or(-1))
            .collect();
        assert_eq!(
            (result.score, result.rating, actual),
            (score, rating, breakdown.to_vec())
        );
    }

    #[test]
    fn scores_by_category() {
        check(
            &lead(),
            Engagement::default(),
            0,
            Rating::Cold,
            [0, 0, 0, 0],
        );
        let mut cto = lead();
        cto.job_title = Some("CTO".into());
        cto.company_size = Some(CompanySize::Enterprise);
        cto.source = Some("Website Form".into());
        check(&cto, Engagement::default(), 33, Rating::Cold, [25, 0, 0, 8]);
        let mut qualified = cto.clone();
        qualified.budget = Some(Amount::from_decimal(75_000.0));
        qualified.authority = Some(Authority::Yes);
        qualified.need = Some(Need::Explicit);
        qualified.timeline = Some(Timeline::Immediate);
        let engaged = Engagement {
            communications: 3,
            activities: 2,
            days_since_last_touch: Some(2),
        };
        // 25 + min(12 + 6 + 10, 30) + min(10 + 8 + 8 + 9, 35) + 8 = 96
        check(&qualified, engaged, 96, Rating::Hot, [25, 28, 35, 8]);
        let stale = Engagement {
            communications: 1,
            activities: 0,
            days_since_last_touch: Some(20),
        };
        check(&cto, stale, 42, Rating::Warm, [25, 9, 0, 8]);
        let mut overridden = cto;
        overridden.score_override = Some(90);
        check(
            &overridden,
            Engagement::default(),
            90,
            Rating::Hot,
            [25, 0, 0, 8],
        );
    }
}
