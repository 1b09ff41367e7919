from django.urls import path

from tidycrm.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:chart>/", views.chart_csv, name="csv"),
]
