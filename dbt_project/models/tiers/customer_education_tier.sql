-- Insurer education tier (客户教育程度 高/中/低) per spine customer from the
-- education score (int_customer_education_scored: degree, occupational background,
-- insurance-knowledge proxy), banded by seed education_tier_bands. The tier tells
-- which insurance knowledge and education service fits the customer. UNRATED
-- without a known education level (e.g. companies); an education level the seed
-- education_levels does not know is UNRATED too, flagged education_level_unmapped,
-- with a reason that names the value instead of "no education level on file".
{%- set unmapped_zh -%}
    case when features.education_level_unmapped
        then '未评级：学历"' || features.education_level
            || '"不在学历映射中（种子 education_levels），无法评分'
    end
{%- endset %}
{%- set unmapped_en -%}
    case when features.education_level_unmapped
        then 'Unrated: education level "' || features.education_level
            || '" is not in the education level mapping (seed education_levels), so it has no score'
    end
{%- endset %}
{{ tier_model(
    [{'scheme': 'education_tier', 'value': 'features.education_score',
      'reason_zh': 'coalesce(' ~ band_reason(
          'zh', '教育程度得分', 'features.education_score', 'education_tier'
      ) ~ ', ' ~ unmapped_zh ~ ')',
      'reason_en': 'coalesce(' ~ band_reason(
          'en', 'Education score', 'features.education_score', 'education_tier'
      ) ~ ', ' ~ unmapped_en ~ ')'}],
    inputs={'scored': 'int_customer_education_scored'},
) }}
