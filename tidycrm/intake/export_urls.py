from django.urls import path

from tidycrm.intake import export_views

app_name = "export"

urlpatterns = [
    path("contacts.csv", export_views.contacts_export, {"fmt": "csv"}, name="contacts_csv"),
    path("contacts.xlsx", export_views.contacts_export, {"fmt": "xlsx"}, name="contacts_xlsx"),
    path("contacts.vcf", export_views.contacts_export, {"fmt": "vcf"}, name="contacts_vcf"),
    path("companies.csv", export_views.companies_export, {"fmt": "csv"}, name="companies_csv"),
    path("companies.xlsx", export_views.companies_export, {"fmt": "xlsx"}, name="companies_xlsx"),
    path("jobs/<int:pk>/", export_views.export_job, name="job"),
    path("jobs/<int:pk>/file", export_views.export_job_file, name="job_file"),
    path("jobs/<int:pk>/cancel", export_views.export_job_cancel, name="job_cancel"),
]
