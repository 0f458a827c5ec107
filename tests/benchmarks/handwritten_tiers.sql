-- The four core tiers, hand-written: what a SQL-literate analyst would write straight
-- from the landing files and the README's rules, without this project. The benchmark
-- (bench_pipeline.py) times it against `tiering run` on the same files and checks that
-- both give every customer the same codes.
--
-- handwritten_tiers.py runs it on a DuckDB file after defining:
--   src_customers, src_transactions, src_balances, src_credit_reports,
--   src_interactions   the landing files (CSV read as text, or Parquet)
--   seed_<name>         the rule seeds (thresholds, weights) of dbt_project/seeds
--   getvariable('as_of')  the as-of date
-- and leaves the table core_tiers: one row per customer known on the as-of date with
-- contribution_tier, loyalty_tier, credit_grade and star_level (codes as in the
-- README) and the figures behind them.
--
-- Sums of money and the weighted credit points are DECIMAL, so a figure on a band
-- edge (a corporate customer's points exactly 70.00) bands the same on every machine.

-- customers known on the as-of date
create or replace table customers as
select
    customer_id,
    customer_type,
    industry,
    market_position,
    cast(registered_capital as decimal(18, 2)) as registered_capital,
    cast(annual_revenue as decimal(18, 2)) as annual_revenue,
    cast(years_in_business as integer) as years_in_business
from src_customers
where onboarded_date is null or cast(onboarded_date as date) <= getvariable('as_of');

-- one pass over the transactions: the sums the contribution, loyalty and star points need
create or replace table tx as
with windowed as (
    select
        customer_id,
        transaction_type,
        cast(amount as decimal(18, 2)) as amount,
        cast(cast(transaction_ts as timestamp) as date) as tx_date
    from src_transactions
)
select
    customer_id,
    sum(case
        when transaction_type in ('purchase', 'premium', 'service_fee', 'fee_business') then amount
        when transaction_type in ('claim', 'refund') then -amount
        else 0
    end) filter (where tx_date > getvariable('as_of') - interval 12 month) as contribution_12m,
    count(*) filter (
        where transaction_type in ('purchase', 'premium')
        and tx_date > getvariable('as_of') - interval 12 month
    ) as purchases_12m,
    count(distinct date_trunc('month', tx_date)) filter (
        where transaction_type in ('purchase', 'premium')
        and tx_date > getvariable('as_of') - interval 12 month
    ) as purchase_months_12m,
    sum(amount) filter (
        where transaction_type = 'card_spend' and tx_date > getvariable('as_of') - interval 6 month
    ) as card_spend_6m,
    sum(amount) filter (
        where transaction_type = 'fee_business' and tx_date > getvariable('as_of') - interval 6 month
    ) as fee_business_6m
from windowed
where tx_date <= getvariable('as_of')
group by customer_id;

-- contribution: 12-month net contribution banded by contribution_tier_bands
create or replace table contribution as
select
    c.customer_id,
    coalesce(tx.contribution_12m, 0) as contribution_12m,
    b.tier_code as contribution_tier
from customers as c
left join tx using (customer_id)
join seed_contribution_tier_bands as b
    on (b.lower_bound is null or coalesce(tx.contribution_12m, 0) >= b.lower_bound)
    and (b.upper_bound is null or coalesce(tx.contribution_12m, 0) < b.upper_bound);

-- loyalty: weighted 0-100 score from the interactions and purchases of 12 months
create or replace table loyalty as
with contacts as (
    select
        customer_id,
        -- the mean satisfaction as the survey report shows it, to 2 decimals
        round(avg(cast(satisfaction_score as integer))
            filter (where interaction_type = 'survey'), 2) as avg_satisfaction,
        count(*) filter (where interaction_type = 'complaint') as complaints,
        count(*) filter (
            where interaction_type = 'complaint' and complaint_resolved is distinct from 'true'
        ) as unresolved,
        count(*) filter (where interaction_type = 'referral') as referrals
    from src_interactions
    where cast(cast(interaction_ts as timestamp) as date) > getvariable('as_of') - interval 12 month
        and cast(cast(interaction_ts as timestamp) as date) <= getvariable('as_of')
    group by customer_id
),
w as (
    select
        max(weight) filter (where component = 'satisfaction') as w_sat,
        max(weight) filter (where component = 'complaints') as w_compl,
        max(weight) filter (where component = 'unresolved_complaints') as w_unres,
        max(weight) filter (where component = 'referrals') as w_ref,
        max(weight) filter (where component = 'repurchase') as w_rep,
        max(weight) filter (where component = 'purchase_frequency') as w_freq
    from seed_loyalty_score_weights
),
scored as (
    select
        c.customer_id,
        -- an unknown component (no contact, no survey) scores neutral 0.5; spelt out
        -- with `case`, as DuckDB's least() and greatest() skip a NULL argument
        round(100 * (
            w.w_sat * case
                when k.avg_satisfaction is null then 0.5
                else least(greatest((k.avg_satisfaction - 1) / 4, 0), 1)
            end
            + w.w_compl * case when k.customer_id is null then 0.5
                else 1 - least(k.complaints / 3, 1) end
            + w.w_unres * case when k.customer_id is null then 0.5
                else 1 - least(k.unresolved / 2, 1) end
            + w.w_ref * case when k.customer_id is null then 0.5
                else least(k.referrals / 3, 1) end
            + w.w_rep * case when coalesce(tx.purchase_months_12m, 0) >= 2 then 1 else 0 end
            + w.w_freq * least(coalesce(tx.purchases_12m, 0) / 12, 1)
        ) / (w.w_sat + w.w_compl + w.w_unres + w.w_ref + w.w_rep + w.w_freq), 2)
            as loyalty_score
    from customers as c
    cross join w
    left join contacts as k using (customer_id)
    left join tx using (customer_id)
)
select
    s.customer_id,
    s.loyalty_score,
    b.tier_code as loyalty_tier
from scored as s
join seed_loyalty_tier_bands as b
    on (b.lower_bound is null or s.loyalty_score >= b.lower_bound)
    and (b.upper_bound is null or s.loyalty_score < b.upper_bound);

-- credit: the latest report on or before the as-of date
create or replace table credit as
with latest as (
    select
        customer_id,
        cast(credit_score as integer) as credit_score,
        cast(annual_income as decimal(18, 2)) as income,
        cast(monthly_debt_payment as decimal(18, 2)) as monthly_payment,
        cast(overdue_count as integer) as overdue_count,
        cast(max_days_past_due as integer) as max_dpd,
        cast(collateral_value as decimal(18, 2)) as collateral_value,
        coalesce(cast(loan_amount as decimal(18, 2)), 0) as loan_amount
    from src_credit_reports
    where cast(report_date as date) <= getvariable('as_of')
    qualify row_number() over (
        partition by customer_id order by cast(report_date as date) desc
    ) = 1
),
weights as (
    select
        cast(max(weight) filter (where dimension = 'credit_status') as decimal(9, 4)) as w_status,
        cast(max(weight) filter (where dimension = 'repayment_capacity') as decimal(9, 4))
            as w_repay,
        cast(max(weight) filter (where dimension = 'collateral') as decimal(9, 4)) as w_coll
    from seed_credit_grade_weights
),
individual as (
    -- credit status from the score, capped by the record; DTI and LTV bands; an unknown
    -- ratio (no payment or income, no collateral) falls in the worst band
    select
        l.customer_id,
        w.w_status * case
            when l.overdue_count >= 3 or l.max_dpd >= 90 then 0
            when l.overdue_count >= 1 or l.max_dpd >= 30 then least(status.score_points, 45)
            else status.score_points
        end
        + w.w_repay * coalesce(repay.score_points, 0)
        + w.w_coll * coalesce(coll.score_points, 0) as points
    from latest as l
    cross join weights as w
    join seed_credit_status_bands as status
        on (status.lower_bound is null or l.credit_score >= status.lower_bound)
        and (status.upper_bound is null or l.credit_score < status.upper_bound)
    -- the ratios are compared as exact products (a / b > x as a > x * b, b > 0): DuckDB
    -- divides decimals into a DOUBLE, and 2000.31 * 12 / 66677 = 0.36000000000000004
    -- would miss the inclusive edge 0.36 that the exact ratio is on
    left join seed_repayment_capacity_bands as repay
        on l.income > 0
        and (repay.lower_bound is null
            or l.monthly_payment * 12 > cast(repay.lower_bound as decimal(9, 4)) * l.income)
        and (repay.upper_bound is null
            or l.monthly_payment * 12 <= cast(repay.upper_bound as decimal(9, 4)) * l.income)
    left join seed_collateral_bands as coll
        on l.collateral_value > 0
        and (coll.lower_bound is null
            or l.loan_amount > cast(coll.lower_bound as decimal(9, 4)) * l.collateral_value)
        and (coll.upper_bound is null
            or l.loan_amount <= cast(coll.upper_bound as decimal(9, 4)) * l.collateral_value)
),
corporate_factors as (
    -- a company's known factors with their points and weights (an unknown one is left out)
    select c.customer_id, 'industry' as factor, i.points
    from customers as c join seed_industry_scores as i on c.industry = i.industry
    where c.customer_type = 'corporate'
    union all
    select c.customer_id, 'market_position', m.points
    from customers as c join seed_market_positions as m on c.market_position = m.market_position
    where c.customer_type = 'corporate'
    union all
    select c.customer_id, b.factor, b.points
    from customers as c
    join seed_corporate_credit_bands as b
        on (b.factor = 'registered_capital' and (b.lower_bound is null
            or c.registered_capital >= b.lower_bound) and (b.upper_bound is null
            or c.registered_capital < b.upper_bound))
        or (b.factor = 'annual_revenue' and (b.lower_bound is null
            or c.annual_revenue >= b.lower_bound) and (b.upper_bound is null
            or c.annual_revenue < b.upper_bound))
        or (b.factor = 'years_in_business' and (b.lower_bound is null
            or c.years_in_business >= b.lower_bound) and (b.upper_bound is null
            or c.years_in_business < b.upper_bound))
    where c.customer_type = 'corporate'
),
corporate as (
    -- weighted mean over the known factors, if they carry at least half the weight;
    -- kept as sum and weight so the grade compares exactly: sum >= bound * weight
    select
        f.customer_id,
        sum(cast(w.weight as decimal(9, 4)) * f.points) as weighted_sum,
        sum(cast(w.weight as decimal(9, 4))) as known_weight
    from corporate_factors as f
    join seed_corporate_credit_factors as w on f.factor = w.factor
    group by f.customer_id
)
select
    c.customer_id,
    case
        when l.customer_id is null then 'UNRATED'
        -- a company the known factors say too little of is not rated
        when c.customer_type = 'corporate' then coalesce((
            select g.tier_code from seed_credit_grade_bands as g
            where k.known_weight >= 0.5
                and (g.lower_bound is null or k.weighted_sum >= g.lower_bound * k.known_weight)
                and (g.upper_bound is null or k.weighted_sum < g.upper_bound * k.known_weight)
        ), 'UNRATED')
        else (
            select g.tier_code from seed_credit_grade_bands as g
            where (g.lower_bound is null or i.points >= g.lower_bound)
                and (g.upper_bound is null or i.points < g.upper_bound)
        )
    end as credit_grade
from customers as c
left join latest as l using (customer_id)
left join individual as i using (customer_id)
left join corporate as k using (customer_id);

-- star points: 100 per 10,000 CNY of 6-month average assets, 200 per 10,000 of card
-- spend and fee business (seed star_point_rates), banded by star_level_bands
create or replace table star as
with assets as (
    select customer_id, sum(cast(avg_daily_balance as decimal(18, 2))) / 6 as avg_assets_6m
    from src_balances
    where month between strftime(getvariable('as_of') - interval 5 month, '%Y-%m')
        and strftime(getvariable('as_of'), '%Y-%m')
    group by customer_id
),
rates as (
    select
        max(points / per_amount) filter (where component = 'avg_assets_6m') as per_asset,
        max(points / per_amount) filter (where component = 'card_spend_6m') as per_spend,
        max(points / per_amount) filter (where component = 'fee_business_6m') as per_fee
    from seed_star_point_rates
),
points as (
    select
        c.customer_id,
        coalesce(a.avg_assets_6m, 0) * r.per_asset
        + coalesce(tx.card_spend_6m, 0) * r.per_spend
        + coalesce(tx.fee_business_6m, 0) * r.per_fee as star_points
    from customers as c
    cross join rates as r
    left join assets as a using (customer_id)
    left join tx using (customer_id)
)
select
    p.customer_id,
    p.star_points,
    b.tier_code as star_level
from points as p
join seed_star_level_bands as b
    on (b.lower_bound is null or p.star_points > b.lower_bound
        or (b.lower_inclusive and p.star_points = b.lower_bound))
    and (b.upper_bound is null or p.star_points < b.upper_bound
        or (b.upper_inclusive and p.star_points = b.upper_bound));

create or replace table core_tiers as
select
    c.customer_id,
    getvariable('as_of') as as_of_date,
    contribution.contribution_tier,
    loyalty.loyalty_tier,
    credit.credit_grade,
    star.star_level,
    contribution.contribution_12m,
    loyalty.loyalty_score,
    star.star_points
from customers as c
join contribution using (customer_id)
join loyalty using (customer_id)
join credit using (customer_id)
join star using (customer_id)
order by c.customer_id;

drop table customers;
drop table tx;
drop table contribution;
drop table loyalty;
drop table credit;
drop table star;
