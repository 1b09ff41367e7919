"""The filter language: one JSON shape for segments, bulk actions, campaigns and automation.

A filter is a condition or a group:

    {"field": "lifecycle_stage", "op": "eq", "value": "customer"}
    {"all": [<filter>, ...]}      every one holds (AND)
    {"any": [<filter>, ...]}      at least one holds (OR)

Related records take a nested filter over their own fields in `where`:

    {"field": "deals", "op": "exists", "where": {"all": [
        {"field": "status", "op": "eq", "value": "open"},
        {"field": "amount", "op": "gt", "value": 10000}]}}

`compile_filter` turns a filter into a Django Q over contacts; `registry` holds what can be
filtered on (standard fields, custom fields, tags, lists, related records), so another app's
conditions are added by registering them, not by changing the compiler.
"""

from tidycrm.segments.language.compiler import compile_filter, validate_filter
from tidycrm.segments.language.registry import FieldSpec, Kind, fields_for, register

__all__ = ["FieldSpec", "Kind", "compile_filter", "fields_for", "register", "validate_filter"]
