"""Log in and out under the plain names "login" and "logout" (the settings use them); the
user's own pages under the "accounts" namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from tidycrm.accounts import views

own_pages = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((own_pages, "accounts"))),
]
