from django.urls import path

from tidycrm.intake import policy_views, views

app_name = "intake"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("entry-policy/", policy_views.entry_policy, name="entry_policy"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/configure/", views.import_configure, name="configure"),
    path("<int:pk>/rejects.csv", views.import_rejects, name="rejects"),
    path("<int:pk>/<str:action>/", views.import_action, name="action"),
]
