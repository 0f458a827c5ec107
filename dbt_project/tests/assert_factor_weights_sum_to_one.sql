-- The weights of each weighted score (seed factor_weights) sum to 1, so a score
-- with every factor known is a plain weighted mean on the 0-100 scale.
select
    scheme,
    sum(weight) as total_weight
from {{ ref('factor_weights') }}
group by scheme
having abs(sum(weight) - 1) > 0.0001
