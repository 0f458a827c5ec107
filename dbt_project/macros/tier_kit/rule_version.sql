{#-
    Rule versions that mean something: the version of the rules a model rates with is
    a fingerprint of every seed it reads, directly or through the models it is built
    on (their name and content checksum, from dbt's graph). Editing one of those seeds
    changes the version of exactly the models that use it; anything else leaves it.

        rule_version_seeds(node_id=none)  {seed name: dbt checksum of the seed}
        rule_version(node_id=none)        SQL literal 'r-<10 hex digits>'

    node_id defaults to the model being compiled. The published table
    tier_rule_versions lists, per tier model and version, the seeds and checksums
    behind it; the history keeps the version of every monthly rating, so a tier change
    that comes with a new version can be told apart from one the customer caused.
-#}

{% macro rule_version_seeds(node_id=none) -%}
    {#- at parse time, and in a dbt unit test (whose graph has no nodes), no seeds -#}
    {%- set nodes = graph.get('nodes') if execute and graph is mapping else none %}
    {%- if not nodes %}{{ return({}) }}{% endif %}
    {%- set ns = namespace(queue=[node_id or model.unique_id], position=0, seeds={}) %}
    {#- breadth-first over the models upstream (Jinja has no while: a bounded loop) #}
    {%- for _ in range(100000) %}
        {%- if ns.position >= ns.queue | length %}{% break %}{% endif %}
        {%- set node = nodes.get(ns.queue[ns.position]) %}
        {%- set ns.position = ns.position + 1 %}
        {%- for dependency in ((node or {}).get('depends_on') or {}).get('nodes', []) %}
            {%- if dependency.startswith('seed.') %}
                {%- set seed = nodes.get(dependency) %}
                {%- if seed %}
                    {%- do ns.seeds.update({seed.name: seed.checksum.checksum}) %}
                {%- endif %}
            {%- elif dependency.startswith('model.') and dependency not in ns.queue %}
                {%- do ns.queue.append(dependency) %}
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
    {{- return(ns.seeds) }}
{%- endmacro %}


{% macro rule_version(node_id=none) -%}
    {{- rule_version_of(rule_version_seeds(node_id)) -}}
{%- endmacro %}


{% macro rule_version_of(seeds) -%}
    {#- the version literal of a {seed name: checksum} mapping -#}
    {%- set parts = [] %}
    {%- for name in seeds | sort %}
        {%- do parts.append(name ~ ':' ~ seeds[name]) %}
    {%- endfor %}
    {{- "'r-" ~ local_md5(parts | join(','))[:10] ~ "'" -}}
{%- endmacro %}


{% macro tier_rule_version_rows() -%}
    {#- (table, version, seed, checksum) SQL tuples of every model that rates with the
        tier kit or macro rule_version (not the history tables, whose rule_version is
        that of each stored rating), for the table tier_rule_versions. -#}
    {%- set rows = [] %}
    {%- set nodes = graph.get('nodes') if execute and graph is mapping else none %}
    {%- for node in (nodes or {}).values() | sort(attribute='name') %}
        {%- set code = node.raw_code or '' %}
        {%- if node.resource_type == 'model' and 'rule_version' in node.columns
            and ('tier_model(' in code or 'tier_select(' in code or 'rule_version()' in code) %}
            {%- set seeds = rule_version_seeds(node.unique_id) %}
            {%- set version = rule_version_of(seeds) %}
            {%- for seed in seeds | sort %}
                {%- do rows.append(
                    "('" ~ node.name ~ "', " ~ version ~ ", '"
                    ~ seed ~ "', '" ~ seeds[seed] ~ "')"
                ) %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
    {{- return(rows) }}
{%- endmacro %}
