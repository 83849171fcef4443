{#- `staging.cvm_input_is_valid(text, type)`: PostgreSQL 16's pg_input_is_valid where the server has it,
    and an equivalent (a cast inside an exception block) on PostgreSQL 12-15, so an external warehouse on an
    older server works too. Created by the on-run-start hook of every dbt invocation. -#}
{% macro create_input_is_valid() -%}
create schema if not exists staging;
do $do$
begin
    if current_setting('server_version_num')::int >= 160000 then
        create or replace function staging.cvm_input_is_valid(value text, type_name text)
        returns boolean language sql stable strict parallel safe
        as 'select pg_input_is_valid(value, type_name)';
    else
        create or replace function staging.cvm_input_is_valid(value text, type_name text)
        returns boolean language plpgsql stable strict parallel safe as $fn$
        begin
            case type_name
                when 'date' then perform value::date;
                when 'timestamp' then perform value::timestamp;
                when 'timestamptz' then perform value::timestamptz;
                else execute format('select %L::%s', value, type_name);
            end case;
            return true;
        exception when others then
            return false;
        end
        $fn$;
    end if;
end
$do$;
{%- endmacro %}

{% macro input_is_valid(expression, type_name) -%}
    staging.cvm_input_is_valid({{ expression }}, '{{ type_name }}')
{%- endmacro %}
