-- The information class of each customer (客户信息分级), from the domain rule in the
-- seed customer_info_classes: a customer takes the highest class among the rows
-- matching its industry and customer_type ('*' = any type); no match is class C.
-- The publication keeps a customer's rows out of every artefact below its class.
with

customers as (

    select
        customer_id,
        customer_type,
        industry
    from {{ ref('stg_core__customers') }}

),

rules as (

    select * from {{ ref('customer_info_classes') }}

),

matched as (

    select
        customers.customer_id,
        rules.info_class,
        rules.basis_en,
        case rules.info_class when 'A' then 2 when 'B' then 1 else 0 end as class_rank
    from customers
    inner join rules
        on customers.industry = rules.industry
            and (
                rules.customer_type = '*'
                or customers.customer_type = rules.customer_type
            )

),

strictest as (

    select
        customer_id,
        info_class,
        basis_en
    from matched
    qualify row_number() over (
            partition by customer_id
            order by class_rank desc, basis_en asc
        ) = 1

)

select
    customers.customer_id,
    coalesce(strictest.info_class, 'C') as customer_info_class,
    coalesce(strictest.basis_en, 'no listed domain') as basis
from customers
left join strictest on customers.customer_id = strictest.customer_id
