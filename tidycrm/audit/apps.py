from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tidycrm.audit"
    label = "audit"
