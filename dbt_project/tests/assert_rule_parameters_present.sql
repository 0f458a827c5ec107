-- Every parameter the models read with rule_parameter() exists with a positive
-- value; a missing one would silently turn a window into NULL.
with

required as (

    select parameters_read.parameter_name
    from (
        values
        ('trailing_window_months'),
        ('star_window_months'),
        ('repurchase_min_distinct_months'),
        ('rfm_score_buckets'),
        ('lead_call_window_months'),
        ('potential_window_months'),
        ('lead_close_grace_days')
    ) as parameters_read (parameter_name)

)

select required.parameter_name
from required
left join {{ ref('rule_parameters') }} as p
    on required.parameter_name = p.parameter_name
where p.parameter_value is null
    or p.parameter_value <= 0
