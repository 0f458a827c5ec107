{{ config(meta={'dagster': {'ref': {'name': 'factor_weights'}}}) }}
-- The weights of each weighted score (seed factor_weights, and the corporate credit
-- rule's seed corporate_credit_factors) sum to 1, so a score with every factor known
-- is a plain weighted mean on the 0-100 scale.
select
    scheme,
    sum(weight) as total_weight
from {{ ref('factor_weights') }}
group by scheme
having abs(sum(weight) - 1) > 0.0001
union all
select
    'corporate_credit' as scheme,
    sum(weight) as total_weight
from {{ ref('corporate_credit_factors') }}
having abs(sum(weight) - 1) > 0.0001
