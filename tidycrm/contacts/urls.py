from django.urls import path

from tidycrm.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("contacts/new/", views.contact_create, name="create"),
    path("contacts/preview/", views.contact_preview, name="preview"),
    path("contacts/<int:pk>/", views.contact_detail, name="detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="delete"),
    path("contacts/<int:pk>/history/", views.contact_history, name="history"),
]
