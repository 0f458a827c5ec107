{% macro tier_spine(sources=[]) -%}
    {#- The rows of every tier table as a derived table: one per spine customer
        (int_customers_filtered: customer_id, as_of_date), with a flag
        <source>_present per optional landing source in `sources` (macro
        source_present), so a tier can say UNRATED when its source is absent.
        Use: `from {{ tier_spine(['balances']) }} as spine`. -#}
    (
        select
            customers.customer_id,
            customers.as_of_date
            {%- for source_name in sources %},
            {{ source_present(source_name) }} as {{ source_name }}_present
            {%- endfor %}
        from {{ ref('int_customers_filtered') }} as customers
    )
{%- endmacro %}
