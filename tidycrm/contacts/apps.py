from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "tidycrm.contacts"
    label = "contacts"
