"""Choices the segment pages offer, grouped as the builder shows them."""

from __future__ import annotations

from collections import defaultdict

from tidycrm.segments.builder import OP_LABELS
from tidycrm.segments.language.registry import FieldSpec
from tidycrm.segments.selectors import field_catalog


def grouped_fields(record_type: str) -> list[tuple[str, list[FieldSpec]]]:
    groups: dict[str, list[FieldSpec]] = defaultdict(list)
    for spec in field_catalog(record_type):
        groups[spec.group].append(spec)
    return list(groups.items())


def catalogue() -> dict[str, object]:
    """Everything the builder template needs to draw any node."""
    from tidycrm.segments.language.registry import record_types

    return {
        "fields_by_type": {t: grouped_fields(t) for t in record_types()},
        "op_labels": OP_LABELS,
    }
