"""Tags on any record."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=64)
    # Folded name: "VIP", "vip" and "Vıp" are one tag.
    key = models.CharField(max_length=64, unique=True)
    color = models.CharField(max_length=7, default="#64748b")

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class TaggedItem(models.Model):
    # Indexed by "tagged_with" below, which leads with the tag.
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="items", db_index=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "tag"], name="tag_once_per_record"
            )
        ]
        # The unique constraint's index serves "tags of this record"; this one serves "records
        # with this tag" (tag filters, segments) without visiting the table.
        indexes = [
            models.Index(fields=["tag", "content_type", "object_id"], name="tagged_with"),
        ]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.content_type_id}:{self.object_id}"
