"""Writes for tags. Callers (the record services) audit the change on the tagged record."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from tidycrm.core.exceptions import ValidationFailed
from tidycrm.hygiene.text import clean, fold
from tidycrm.tags.models import Tag, TaggedItem

MAX_TAG_LENGTH = 64


def clean_tag_names(names: list[str]) -> list[str]:
    """Cleaned, de-duplicated (by folded key) names, in the order given."""
    seen: dict[str, str] = {}
    for raw in names:
        name = clean(raw)
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                {"tags": [f"'{name[:20]}…' is longer than {MAX_TAG_LENGTH} characters."]}
            )
        seen.setdefault(fold(name), name)
    return list(seen.values())


def get_or_create_tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in clean_tag_names(names):
        tag, _ = Tag.objects.get_or_create(key=fold(name), defaults={"name": name})
        tags.append(tag)
    return tags


def set_tags(obj: Model, names: list[str]) -> tuple[list[str], list[str]]:
    """Make the record's tags exactly `names`; return (before, after) tag names."""
    content_type = ContentType.objects.get_for_model(obj)
    current = TaggedItem.objects.filter(content_type=content_type, object_id=obj.pk)
    before = sorted(current.values_list("tag__name", flat=True))
    wanted = get_or_create_tags(names)
    current.exclude(tag__in=wanted).delete()
    have = set(current.values_list("tag_id", flat=True))
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=t, content_type=content_type, object_id=obj.pk)
            for t in wanted
            if t.pk not in have
        ]
    )
    return before, sorted(t.name for t in wanted)
