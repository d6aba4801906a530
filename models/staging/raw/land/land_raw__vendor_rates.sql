-- Every row of the `vendor_rates*` raw export files, as text, landed once per file: an incremental
-- build reads only the files that earlier builds have not landed (see macro land_raw).
{{ config(materialized='incremental', incremental_strategy='append') }}

{{ land_raw('vendor_rates') }}
