-- Insurer risk tier (客户风险度 高/中/低) per spine customer from the weighted risk
-- score (int_customer_risk_scored: personal, occupational and other risk), banded by
-- seed risk_tier_bands. Risk runs the other way round from the other tiers: a LOW
-- score is the best tier, so tier_rank 1 = LOW risk, 3 = HIGH risk, and
-- distance_to_next_tier is how many points the score must fall to reach the next
-- lower-risk band. UNRATED when no risk factor is known.
{{ tier_model(
    [{'scheme': 'risk_tier', 'value': 'features.risk_score',
      'measure_zh': '风险得分', 'measure_en': 'Risk score'}],
    inputs={'scored': 'int_customer_risk_scored'},
) }}
