from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "tidycrm.companies"
    label = "companies"
