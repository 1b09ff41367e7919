"""Static lists of contacts: broad groups people add to and remove from on purpose."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tidycrm.core.models import TimeStampedModel


class ContactList(TimeStampedModel):
    name = models.CharField(max_length=120)
    # Folded name: "Customers" and "customers" are one list.
    key = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class ListMembership(models.Model):
    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="list_memberships"
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # (list, contact) also serves "members of a list" and "in list X" filters.
            models.UniqueConstraint(fields=["contact_list", "contact"], name="list_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.contact_list_id}"
