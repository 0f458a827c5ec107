-- Insurer education score (客户教育程度) 0-100 per spine customer from
--   education level      : seed education_levels (points per degree)
--   occupational background : seed occupation_groups (points per occupation)
--   insurance knowledge  : distinct insurance product lines used in the trailing
--                          12 months, banded by seed factor_bands (scheme education)
-- weighted by seed factor_weights (scheme education) over the factors that are known.
-- The score needs the education level: without one (companies, missing data) it is
-- NULL and the tier UNRATED, so a group never stands on the proxy alone. A level the
-- seed does not know is flagged (education_level_unmapped): also unrated, but the
-- reason names the value and the run summary counts them, so the seed gets fixed.
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

profiles as (

    select * from {{ ref('int_customer_profiles_enriched') }}

),

product_lines as (

    select * from {{ ref('int_customer_product_lines_aggregated') }}

),

weights as (

    select * from {{ ref('factor_weights') }}
    where scheme = 'education'

),

inputs as (

    select
        spine.customer_id,
        profiles.education_level,
        levels.level_code as education_level_code,
        levels.points as education_points,
        profiles.education_level is not null and levels.education_level is null
            as education_level_unmapped,
        profiles.occupation,
        occupations.group_code as occupation_group_code,
        occupations.group_zh as occupation_group_zh,
        occupations.group_en as occupation_group_en,
        occupations.points as occupation_points,
        product_lines.insurance_line_count_12m,
        knowledge.points as insurance_knowledge_points
    from spine
    inner join profiles
        on spine.customer_id = profiles.customer_id
    inner join product_lines
        on spine.customer_id = product_lines.customer_id
    left join {{ ref('education_levels') }} as levels
        on profiles.education_level = levels.education_level
    left join {{ ref('occupation_groups') }} as occupations
        on profiles.occupation = occupations.occupation
    {{ band_join(
        'factor_bands', 'knowledge', 'product_lines.insurance_line_count_12m',
        condition="knowledge.scheme = 'education' and knowledge.factor = 'insurance_knowledge'"
    ) }}

),

factor_points as (

    select
        inputs.customer_id,
        weights.weight,
        inputs.education_points as points
    from inputs
    inner join weights
        on weights.factor = 'education_level'
    where inputs.education_points is not null
    union all
    select
        inputs.customer_id,
        weights.weight,
        inputs.occupation_points
    from inputs
    inner join weights
        on weights.factor = 'occupation'
    where inputs.occupation_points is not null
    union all
    select
        inputs.customer_id,
        weights.weight,
        inputs.insurance_knowledge_points
    from inputs
    inner join weights
        on weights.factor = 'insurance_knowledge'
    where inputs.insurance_knowledge_points is not null

),

scored as (

    select
        customer_id,
        -- exact decimal mean (macro decimal_ratio), never a DOUBLE division
        cast(
            {{ decimal_ratio('sum(weight * points)', 'sum(weight)', input_scale=8) }}
            as decimal(5, 2)
        ) as education_score
    from factor_points
    group by customer_id

),

final as (

    select
        inputs.*,
        case when inputs.education_points is not null then scored.education_score end
            as education_score
    from inputs
    left join scored
        on inputs.customer_id = scored.customer_id

)

select * from final
