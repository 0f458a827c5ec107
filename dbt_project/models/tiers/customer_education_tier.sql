-- Insurer education tier (客户教育程度 高/中/低) per spine customer from the
-- education score (int_customer_education_scored: degree, occupational background,
-- insurance-knowledge proxy), banded by seed education_tier_bands. The tier tells
-- which insurance knowledge and education service fits the customer. UNRATED
-- without a known education level (e.g. companies).
{{ tier_model(
    [{'scheme': 'education_tier', 'value': 'features.education_score',
      'measure_zh': '教育程度得分', 'measure_en': 'Education score'}],
    inputs={'scored': 'int_customer_education_scored'},
) }}
