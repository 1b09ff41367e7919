from django.urls import path

from tidycrm.lists import views

app_name = "lists"

urlpatterns = [
    path("", views.list_index, name="index"),
    path("new/", views.list_create, name="create"),
    path("<int:pk>/", views.list_detail, name="detail"),
    path("<int:pk>/import/", views.list_import, name="import"),
    path("<int:pk>/remove/", views.list_remove, name="remove"),
    path("<int:pk>/delete/", views.list_delete, name="delete"),
]
