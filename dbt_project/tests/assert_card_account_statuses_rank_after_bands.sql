{{ config(meta={'dagster': {'ref': {'name': 'card_account_statuses'}}}) }}
-- A card tier forced by the accounts (seed card_account_statuses, NO_ACCOUNT) is no
-- band: its code is not a code of card_tier_bands and it ranks after the worst band
-- (NO_ACCOUNT after ORDINARY; UNRATED, computed, comes after it). A band added at the
-- bottom of card_tier_bands must renumber it.
with

bands as (

    select * from {{ ref('card_tier_bands') }}

),

worst as (

    select max(tier_rank) as tier_rank from bands

)

select
    statuses.tier_code,
    statuses.tier_rank
from {{ ref('card_account_statuses') }} as statuses
cross join worst
left join bands
    on statuses.tier_code = bands.tier_code
where statuses.tier_rank <= worst.tier_rank
    or bands.tier_code is not null
