from django.db import models


class Channel(models.TextChoices):
    UI = "ui", "Web UI"
    API = "api", "API"
    IMPORT = "import", "Import"
    FORM = "form", "Web form"
    AUTOMATION = "automation", "Automation"
    SYSTEM = "system", "System"


class Action(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
