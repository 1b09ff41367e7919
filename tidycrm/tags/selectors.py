from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from tidycrm.tags.models import Tag, TaggedItem


def tag_names_for(objects: Sequence[Model]) -> dict[int, list[str]]:
    """Tag names per object id, for a page of records of one model, in one query."""
    if not objects:
        return {}
    content_type = ContentType.objects.get_for_model(objects[0])
    names: dict[int, list[str]] = defaultdict(list)
    rows = TaggedItem.objects.filter(
        content_type=content_type, object_id__in=[o.pk for o in objects]
    ).values_list("object_id", "tag__name")
    for object_id, name in rows.order_by("tag__key"):
        names[object_id].append(name)
    return dict(names)


def all_tags() -> list[Tag]:
    return list(Tag.objects.all())
