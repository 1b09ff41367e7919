from django.db import models


class Mode(models.TextChoices):
    CREATE = "create", "Create new contacts only"
    UPDATE = "update", "Update existing contacts only"
    UPSERT = "upsert", "Create or update"


class RecordAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    COMPANY = "company", "Company created"


class Stage(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWING = "previewing", "Dry run running"
    PREVIEWED = "previewed", "Dry run done"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    REVERTING = "reverting", "Reverting"
    REVERTED = "reverted", "Reverted"
