-- Seed credit_rules names exactly one default rule (the rule of a customer whose
-- customer_type is missing or not listed: none would leave such a customer without a
-- rule, two would rate them twice), and the corporate rule, which re-normalises over
-- the known factors, has the share of the weight they must carry, in [0, 1] (0: any
-- known factor is enough; a customer with none stays UNRATED).
select 'default rules: ' || count(*) as problem
from {{ ref('credit_rules') }}
where is_default
having count(*) <> 1
union all
select 'corporate rule without a min_known_weight in [0, 1]' as problem
from {{ ref('credit_rules') }}
where credit_rule = 'corporate'
    and (min_known_weight is null or min_known_weight < 0 or min_known_weight > 1)
