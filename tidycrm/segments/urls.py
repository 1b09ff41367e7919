from django.urls import path

from tidycrm.segments import views

app_name = "segments"

urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_new, name="new"),
    path("builder/", views.builder_update, name="builder"),
    path("builder/count/", views.builder_count, name="builder_count"),
    path("<int:pk>/", views.segment_detail, name="detail"),
    path("<int:pk>/edit/", views.segment_edit, name="edit"),
    path("<int:pk>/recompute/", views.segment_recompute, name="recompute"),
    path("<int:pk>/delete/", views.segment_delete, name="delete"),
    path("bulk/", views.bulk_form, name="bulk"),
    path("bulk/<int:pk>/", views.bulk_detail, name="bulk_detail"),
    path("bulk/<int:pk>/export.csv", views.bulk_export, name="bulk_export"),
    path("views/save/", views.view_save, name="view_save"),
    path("views/<int:pk>/delete/", views.view_delete, name="view_delete"),
    # UI extension panels (core.extensions): the contacts list's tools, a list's bulk link.
    path("panels/contact-list/", views.contact_list_tools, name="contact_list_tools"),
    path("panels/list/<int:pk>/", views.list_panel, name="list_panel"),
]
