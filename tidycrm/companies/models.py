"""Companies (accounts): the organisations contacts work for."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tidycrm.companies.choices import CompanySize
from tidycrm.core.models import AddressBase, PhoneBase, SearchTokenBase, TimeStampedModel


class Company(TimeStampedModel):
    name = models.CharField(max_length=255)
    # Folded name for sorting and search.
    sort_key = models.CharField(max_length=255, db_index=False)
    # Folded name without legal form or punctuation: "ACME, Inc." and "Acme Incorporated" agree.
    name_key = models.CharField(max_length=255, blank=True, db_index=True)
    industry = models.CharField(max_length=120, blank=True)
    size = models.CharField(max_length=16, choices=CompanySize.choices, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    website = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=128, blank=True)
    raw_input = models.JSONField(default=dict, blank=True)
    # Field path -> problems the entry policy accepted and flagged.
    data_flags = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name_plural = "companies"
        indexes = [
            models.Index(fields=["sort_key", "id"], name="company_sort"),
            models.Index(fields=["updated_at", "id"], name="company_updated"),
            models.Index(fields=["created_at", "id"], name="company_created"),
            models.Index(fields=["owner", "sort_key", "id"], name="company_owner_sort"),
            models.Index(fields=["team", "sort_key", "id"], name="company_team_sort"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="company_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CompanyDomain(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=255, db_index=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.domain


class CompanyPhone(PhoneBase):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="phones")

    class Meta:
        ordering = ["-is_primary", "id"]


class CompanyAddress(AddressBase):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name_plural = "company addresses"


class CompanySearchToken(SearchTokenBase):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["token", "company"], name="company_token")]


class CompanyMatchKey(models.Model):
    """A blocking key of a company (tidycrm.matching): companies sharing a key are the only
    candidates a duplicate check scores, so a check reads a few index entries, never the table."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["key", "company"], name="company_match_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.company_id}"
