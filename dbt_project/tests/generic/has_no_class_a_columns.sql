{#-
    Class A customer information (name, national ID, phone) never leaves staging in
    clear text; a published model does not even carry its tokens. Returns the
    offending columns of the model's relation.
-#}
{% test has_no_class_a_columns(model) %}

select column_name
from information_schema.columns
where table_catalog = '{{ model.database }}'
    and table_schema = '{{ model.schema }}'
    and table_name = '{{ model.identifier }}'
    and (
        lower(column_name) in ('full_name', 'national_id', 'phone')
        or lower(column_name) like '%\_token' escape '\'
    )

{% endtest %}
