from django.urls import path

from tidycrm.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.my_day_page, name="my_day"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/delete/", views.activity_delete, name="delete"),
    path("<int:pk>/invite.ics", views.meeting_ics, name="ics"),
    path(
        "panel/contact/<int:pk>/",
        views.record_panel,
        {"record_type": "contact"},
        name="contact_panel",
    ),
    path(
        "panel/company/<int:pk>/",
        views.record_panel,
        {"record_type": "company"},
        name="company_panel",
    ),
    path("panel/deal/<int:pk>/", views.record_panel, {"record_type": "deal"}, name="deal_panel"),
    path("log/<str:record_type>/<int:pk>/", views.quick_log, name="quick_log"),
    path("timeline/<str:record_type>/<int:pk>/", views.timeline, name="timeline"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="bell"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/issue/", views.calendar_issue, name="calendar_issue"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"),
    path("stale/<int:pk>/", views.stale_list, name="stale"),
    path("settings/", views.alert_settings_page, name="settings"),
]
