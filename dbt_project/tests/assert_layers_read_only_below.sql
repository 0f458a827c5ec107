-- The folders of models/ are layers: staging -> intermediate -> tiers -> history ->
-- marts. A model reads (ref) models of its own layer or of the layers it is built
-- on, never of a later one (seeds and sources anywhere): tiers read intermediate,
-- history reads tiers, marts read tiers and history - no tier reads staging, no
-- mart reads intermediate. Checked on the dbt graph when the test compiles; returns
-- one row per offending ref.
{%- set may_read = {
    'staging': ['staging'],
    'intermediate': ['staging', 'intermediate'],
    'tiers': ['intermediate', 'tiers'],
    'history': ['tiers', 'history'],
    'marts': ['tiers', 'history', 'marts'],
} %}
{%- set offending = [] %}
{%- if execute %}
{%- for node in graph.nodes.values() if node.resource_type == 'model' %}
{%- for parent_id in node.depends_on.nodes if parent_id.startswith('model.') %}
{%- set parent = graph.nodes[parent_id] %}
{%- if parent.fqn[1] not in may_read.get(node.fqn[1], []) %}
                {%- do offending.append((node.name, node.fqn[1], parent.name, parent.fqn[1])) %}
            {%- endif %}
{%- endfor %}
{%- endfor %}
{%- endif %}
{%- if offending %}
select
    offending.model_name,
    offending.layer,
    offending.reads_model,
    offending.reads_layer
from (
    values
    {%- for model_name, layer, parent_name, parent_layer in offending %}
    ('{{ model_name }}', '{{ layer }}', '{{ parent_name }}', '{{ parent_layer }}')
    {{- "," if not loop.last }}
    {%- endfor %}
) as offending (model_name, layer, reads_model, reads_layer)
{%- else %}
select
    null as model_name,
    null as layer,
    null as reads_model,
    null as reads_layer
where false
{%- endif %}
