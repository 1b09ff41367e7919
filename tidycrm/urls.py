"""Assembles the apps: the web UI, the REST API and the operators' admin."""

from django.contrib import admin
from django.urls import include, path

from tidycrm.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("tidycrm.accounts.urls")),
    path("companies/", include("tidycrm.companies.urls")),
    path("export/", include("tidycrm.intake.export_urls")),
    path("imports/", include("tidycrm.intake.urls")),
    path("duplicates/", include("tidycrm.dedupe.urls")),
    path("lists/", include("tidycrm.lists.urls")),
    path("deals/", include("tidycrm.deals.urls")),
    path("activities/", include("tidycrm.activities.urls")),
    path("segments/", include("tidycrm.segments.urls")),
    path("reports/", include("tidycrm.reports.urls")),
    path("", include("tidycrm.contacts.urls")),
]

handler400 = "tidycrm.core.error_views.bad_request"
handler403 = "tidycrm.core.error_views.permission_denied"
handler404 = "tidycrm.core.error_views.page_not_found"
handler500 = "tidycrm.core.error_views.server_error"
