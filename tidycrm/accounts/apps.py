from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tidycrm.accounts"
    label = "accounts"
