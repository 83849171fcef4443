{#- Dutch surname prefixes ("tussenvoegsels") from the seed name_infixes (the list Python's
    ml/linkage/standardise.py reads too), longest first so 'van der' wins over 'van'.
    Quotes are doubled: the pattern is always spliced into a SQL string literal. -#}
{% macro infix_pattern() -%}
    {%- set seed = ref('name_infixes') -%}
    {%- if execute -%}
        {%- set rows = run_query("select infix from " ~ seed ~ " order by length(infix) desc, infix") -%}
        (?:{{ rows.columns[0].values() | map('replace', "'", "''") | join('|') }})
    {%- else -%}
        (?:)
    {%- endif -%}
{%- endmacro %}

{#- Name parsing. Dutch exports write one person as 'Adrianus de Boer', 'Boer, de Adrianus',
    'Boer, Adrianus de', 'Boer de, A.', 'A. de Boer', 'de Boer, A.' or 'A. v.d. Boer': sort-order forms put
    the surname first and a comma after it, the prefix before or after either part. Every form splits into
    the same given name(s), prefix and surname. Few distinct regexes on purpose: PostgreSQL caches 32
    compiled regexes per session, and a staging model using more recompiles them on every row. -#}

{#- The name with abbreviated prefixes written out ('v.d.', 'v/d', 'vd' -> 'van der', 'v.' -> 'van'), a
    prefix typed onto the surname split off ('deJong', 'vanDam' -> 'de Jong', 'van Dam'; only a lower-case
    prefix before a capital) and salutations dropped ('Dhr.', 'Mevr.', 'Fam.'); source spelling kept. Only a
    lower-case 'v.' is a prefix: 'V.' is an initial. -#}
{% macro name_expanded(expression) -%}
    case
        when
            {{ expression }} ~* '(^|[\s,])v[./d]|^(dhr|mevr|mw|mr|fam|de heer)'
            or {{ expression }} ~ '(^|[\s,])(van|de|den|der|ter|ten|op|in)[[:upper:]]'
            then nullif(btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                {{ expression }},
                '(^|[\s,])(v\.\s?d\.?|v/d|vd)(?=[\s,]|$)', '\1van der ', 'gi'),
                '(^|[\s,])v\.(?=\s)', '\1van', 'g'),
                '(^|[\s,])(van|de|den|der|ter|ten|op|in)([[:upper:]][[:lower:]])', '\1\2 \3', 'g'),
                '^(dhr|mevr|mw|mr|mrs|fam|familie|de heer|mevrouw)(\.|\s)\s*', '', 'i'),
                '\s+', ' ', 'g')), '')
        else {{ expression }}
    end
{%- endmacro %}

{#- A lateral subquery over one name column: parsed_first_name (given names or initials), parsed_infix and
    parsed_last_name folded (the form record linkage compares) and parsed_last_name_display in the source
    spelling. mode 'full': the column holds a whole name ('Jan de Jong', 'Jong, Jan de'); the surname is
    before the comma, else the whole name when it starts with a prefix, else what follows the given names (up
    to the first prefix, else after the first word or the leading initials); a prefix written after the surname
    without a comma ('Jong de', 'C.P. Noordermaker in 't', 'Berg van den J.') belongs to the word before it.
    mode 'last': the column holds a surname ('Jong, de', 'Jong de', 'de Jong'); a given name after its comma
    is ignored. Regexes that capture are slow in PostgreSQL, so they run only on names with a prefix word; the
    rest is split with string functions.
    Each step ends in `offset 0` (with `limit all` for sqlfluff): without it PostgreSQL pulls the
    subqueries up and repeats every expression in each column that uses it (10x slower on 13k subscribers).
    Use: `cross join lateral {{ name_parts(...) }} as parsed_name`. -#}
{% macro name_parts(column, mode='full') -%}
    {%- set iw = infix_pattern() -%}
    {%- set has_infix = "' (?:" ~ iw ~ ") '" -%}
    (
        select
            {{ fold_text('nullif(btrim(given.core), \'\')') if mode == 'full' else 'null::text' }} as parsed_first_name,
            {{ fold_text("coalesce(nullif(surname.lead, ''), nullif(surname.trail, ''), nullif(given.lead, ''), nullif(given.trail, ''))") }}
                as parsed_infix,
            {{ fold_text('nullif(btrim(surname.core), \'\')') }} as parsed_last_name,
            {{ display_case("nullif(btrim(surname.core), '')") }} as parsed_last_name_display
        from (
            select
                expanded_name.n,
                (' ' || expanded_name.n || ' ') ~* {{ has_infix }} as with_infix,
                -- without a prefix the given name is the first word, or the leading initials ('J. P. Jansen',
                -- 'J P Jansen'); the rest is the surname ('Jan El Amrani' -> 'el amrani')
                coalesce(
                    substring(expanded_name.n || ' ' from '^(?:[[:alpha:]](?:\. ?| ))+'),
                    split_part(expanded_name.n, ' ', 1) || ' '
                ) as given_words,
                {%- if mode == 'full' %}
                -- sort order without a comma, as ledgers write it: the prefix after the surname, given names
                -- before it or initials after it ('Jong de', 'C.P. Noordermaker in 't', 'Berg van den J.'):
                -- given names, surname, trailing prefixes, trailing initials
                case
                    when expanded_name.n not like '%,%' and (' ' || expanded_name.n || ' ') ~* {{ has_infix }}
                        then regexp_match(
                            expanded_name.n || ' ',
                            '^((?:\S+ )*?)(\S+) ((?:{{ iw }} )+)((?:[[:alpha:]]\. ?)*)$', 'i'
                        )
                end as sort_order
                {%- else %}
                null::text [] as sort_order
                {%- endif %}
            from (select {{ name_expanded(clean_text(column)) }} as n limit all offset 0) as expanded_name
            limit all offset 0
        ) as expanded
        cross join lateral (
            select
                case
                    when expanded.n like '%,%' then btrim(split_part(expanded.n, ',', 1))
                    {%- if mode == 'full' %}
                    when expanded.with_infix and (expanded.n || ' ') ~* '^(?:{{ iw }} )+\S' then expanded.n
                    when expanded.sort_order is not null then expanded.sort_order[2] || ' ' || expanded.sort_order[3]
                    when expanded.with_infix and (' ' || expanded.n || ' ') ~* '^ \S.* (?:{{ iw }}) +\S'
                        then (regexp_match(expanded.n || ' ', '^((?:\S+ )+?)((?:{{ iw }} )+\S.*)$', 'i'))[2]
                    when expanded.n like '% %' then substr(expanded.n, length(expanded.given_words) + 1)
                    {%- endif %}
                    else expanded.n
                end as surname_part,
                case
                    when expanded.n like '%,%' then btrim(substr(expanded.n, strpos(expanded.n, ',') + 1))
                    {%- if mode == 'full' %}
                    when expanded.with_infix and (expanded.n || ' ') ~* '^(?:{{ iw }} )+\S' then ''
                    when expanded.sort_order is not null then expanded.sort_order[1] || expanded.sort_order[4]
                    when expanded.with_infix and (' ' || expanded.n || ' ') ~* '^ \S.* (?:{{ iw }}) +\S'
                        then (regexp_match(expanded.n || ' ', '^((?:\S+ )+?)((?:{{ iw }} )+\S.*)$', 'i'))[1]
                    when expanded.n like '% %' then expanded.given_words
                    {%- endif %}
                    else ''
                end as given_part
            limit all offset 0
        ) as parts
        {%- for part in ('surname', 'given') %}
        cross join lateral (
            -- leading prefixes, the words between, trailing prefixes ('dammer van der' -> '', 'dammer', 'van der')
            select m[1] as lead, m[2] as core, m[3] as trail
            from (
                select
                    case
                        when (' ' || parts.{{ part }}_part || ' ') ~* {{ has_infix }}
                            then regexp_match(
                                btrim(parts.{{ part }}_part) || ' ',
                                '^((?:{{ iw }} )*)((?:\S+ )*?)((?:{{ iw }} )*)$', 'i'
                            )
                        else array['', parts.{{ part }}_part, '']
                    end as m
                limit all offset 0
            ) as matched
        ) as {{ part }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Capitalised only when the source shouted or whispered ('JAN', 'jan' -> 'Jan'); a name typed with
    care keeps its spelling ('McKenzie', 'Loïs'). -#}
{% macro display_case(expression) -%}
    case
        when {{ expression }} = lower({{ expression }}) or {{ expression }} = upper({{ expression }})
            then initcap({{ expression }})
        else {{ expression }}
    end
{%- endmacro %}
