from django.db import models

SCAN_JOB = "dedupe.scan"  # the core Job kind of a duplicate scan


class RecordKind(models.TextChoices):
    CONTACT = "contact", "Contacts"
    COMPANY = "company", "Companies"


class EntryAction(models.TextChoices):
    OFF = "off", "Do nothing"
    WARN = "warn", "Warn"
    LINK = "link", "Save and add to the review queue"
    BLOCK = "block", "Refuse and show the likely duplicate"
    MERGE = "merge", "Merge automatically above the high threshold"


class GroupStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    MERGED = "merged", "Merged"
    DISMISSED = "dismissed", "Not duplicates"


class GroupOrigin(models.TextChoices):
    SCAN = "scan", "Scan"
    ENTRY = "entry", "At entry"


class Survivorship(models.TextChoices):
    MOST_RECENT = "recent", "Most recently updated record"
    MOST_COMPLETE = "complete", "Most complete record"
    MOST_TRUSTED = "trusted", "Most trusted source"
    MANUAL = "manual", "Manual: a person chooses every value"
