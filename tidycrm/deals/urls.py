from django.urls import path

from tidycrm.deals.views import board, pages, pick, settings

app_name = "deals"

urlpatterns = [
    path("", board.board_default, name="board_default"),
    path("pipelines/<int:pk>/board/", board.board_view, name="board"),
    path("stages/<int:pk>/cards/", board.stage_more, name="stage_more"),
    path("list/", pages.deal_list, name="list"),
    path("new/", pages.deal_create, name="create"),
    path("pick/<str:kind>/", pick.record_choices, name="pick"),
    path("<int:pk>/", pages.deal_detail, name="detail"),
    path("<int:pk>/edit/", pages.deal_edit, name="edit"),
    path("<int:pk>/delete/", pages.deal_delete, name="delete"),
    path("<int:pk>/move/", board.deal_move, name="move"),
    path("panels/contact/<int:pk>/", pages.contact_panel, name="contact_panel"),
    path("panels/company/<int:pk>/", pages.company_panel, name="company_panel"),
    path("settings/", settings.settings_home, name="settings"),
    path("settings/pipelines/<int:pk>/", settings.pipeline_edit, name="pipeline_edit"),
    path("settings/stages/<int:pk>/", settings.stage_edit, name="stage_edit"),
    path("settings/loss-reasons/<int:pk>/", settings.reason_edit, name="reason_edit"),
    path(
        "settings/<str:kind>/<int:pk>/delete/",
        settings.settings_delete,
        name="settings_delete",
    ),
]
