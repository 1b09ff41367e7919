from django.db import models


class FieldType(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    INTEGER = "integer", "Integer"
    DECIMAL = "decimal", "Decimal"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes/no"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    URL = "url", "URL"
    EMAIL = "email", "E-mail"


class RecordType(models.TextChoices):
    CONTACT = "contact", "Contact"
    COMPANY = "company", "Company"
