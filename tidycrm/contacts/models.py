"""Contacts: people, with identity, descriptive, qualitative and quantitative data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.core.models import AddressBase, Label, PhoneBase, SearchTokenBase, TimeStampedModel


class Contact(TimeStampedModel):
    # Identity
    honorific = models.CharField(max_length=32, blank=True)
    given_name = models.CharField(max_length=120, blank=True)
    middle_name = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    display_name = models.CharField(max_length=255)
    sort_key = models.CharField(max_length=255)
    social_profiles = models.JSONField(default=list, blank=True)
    # Descriptive
    job_title = models.CharField(max_length=160, blank=True)
    department = models.CharField(max_length=120, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=16, blank=True)
    birthday = models.DateField(null=True, blank=True)
    interests = models.JSONField(default=list, blank=True)
    # Lifecycle and ownership
    lifecycle_stage = models.CharField(
        max_length=24, choices=LifecycleStage.choices, default=LifecycleStage.LEAD
    )
    lead_status = models.CharField(max_length=16, choices=LeadStatus.choices, blank=True)
    lead_source = models.CharField(max_length=16, choices=LeadSource.choices, blank=True)
    # Indexed by the composite indexes below, which begin with each of them.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Qualitative
    notes = models.TextField(blank=True)
    # Quantitative: fed by purchases, tickets, web and e-mail engagement.
    purchase_count = models.PositiveIntegerField(default=0)
    total_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    support_contact_count = models.PositiveIntegerField(default=0)
    site_visit_count = models.PositiveIntegerField(default=0)
    email_click_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Provenance and extension
    custom_fields = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=128, blank=True)
    raw_input = models.JSONField(default=dict, blank=True)
    # Field path -> problems the entry policy accepted and flagged ("emails.0.address": [...]).
    data_flags = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sort_key", "id"]
        indexes = [
            models.Index(fields=["sort_key", "id"], name="contact_sort"),
            models.Index(fields=["updated_at", "id"], name="contact_updated"),
            models.Index(fields=["created_at", "id"], name="contact_created"),
            models.Index(fields=["owner", "sort_key", "id"], name="contact_owner_sort"),
            models.Index(fields=["team", "sort_key", "id"], name="contact_team_sort"),
            # The new contacts of a period that a sales user or a team may see (speed-to-lead).
            models.Index(fields=["owner", "created_at", "id"], name="contact_owner_created"),
            models.Index(fields=["team", "created_at", "id"], name="contact_team_created"),
            models.Index(fields=["lifecycle_stage", "sort_key", "id"], name="contact_stage_sort"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="contact_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or f"Contact {self.pk}"


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    label = models.CharField(max_length=16, choices=Label.choices, default=Label.WORK)
    raw = models.CharField(max_length=320)
    address = models.CharField(max_length=320)
    # Case-folded address: the exact-match key for look-ups and duplicate checks.
    key = models.CharField(max_length=320, db_index=True)
    # One mailbox's key across spellings (plus-tags, Gmail dots): what duplicate checks compare.
    match_key = models.CharField(max_length=320, blank=True, db_index=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.address


class ContactPhone(PhoneBase):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")

    class Meta:
        ordering = ["-is_primary", "id"]


class ContactAddress(AddressBase):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name_plural = "contact addresses"


class Affiliation(models.Model):
    """A person's role at a company; a person can have several, one current primary."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="affiliations")
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="affiliations"
    )
    job_title = models.CharField(max_length=160, blank=True)
    is_current = models.BooleanField(default=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "-is_current", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "company"], name="affiliation_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} @ {self.company_id}"


class ContactSearchToken(SearchTokenBase):
    # (contact, token) checks a candidate's own words index-only, and serves the foreign key.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [
            models.Index(fields=["token", "contact"], name="contact_token"),
            models.Index(fields=["contact", "token"], name="contact_token_by_contact"),
        ]


class ContactMatchKey(models.Model):
    """A blocking key of a contact (tidycrm.matching): contacts sharing a key are the only
    candidates a duplicate check scores, so a check reads a few index entries, never the table."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["key", "contact"], name="contact_match_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.contact_id}"


class AliasKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    EXTERNAL_ID = "external_id", "External id"


class ContactAlias(models.Model):
    """An identifier of a contact that was merged into this one: a later import, API call or
    form carrying it finds this contact instead of re-creating the duplicate."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(max_length=16, choices=AliasKind.choices)
    # The look-up form: external id as stored, e-mail key (case-folded), phone E.164.
    value = models.CharField(max_length=320)
    # The merge that made the alias (dedupe.Merge); unmerge removes it again.
    merge_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="contact_alias_value")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value} -> {self.contact_id}"
