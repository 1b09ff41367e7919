from django.urls import path

from tidycrm.dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/merge/", views.group_merge, name="group_merge"),
    path("groups/<int:pk>/not-duplicates/", views.group_dismiss, name="group_dismiss"),
    path("accept/", views.accept, name="accept"),
    path("scan/", views.scan, name="scan"),
    path("settings/", views.policy, name="policy"),
    path("merges/<int:pk>/unmerge/", views.unmerge_view, name="unmerge"),
    path("panels/contact/<int:pk>/", views.contact_panel, name="contact_panel"),
    path("panels/company/<int:pk>/", views.company_panel, name="company_panel"),
]
