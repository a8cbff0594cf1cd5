from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("report/confirm/<str:token>/", views.visitor_confirm, name="visitor_confirm"),
    path("report/<slug:kind>/<str:pk>/", views.report, name="report"),
    path("reports/", views.reports_mine, name="reports_mine"),
    path("mine/", views.mine, name="mine"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("decisions/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("queue/", views.queue, name="queue"),
    path("words/", views.words, name="words"),
    path("words/<slug:slug>/", views.words, name="space_words"),
    path("vouch/<slug:slug>/<int:user_id>/", views.vouch, name="vouch"),
    path("transparency/", views.transparency, name="transparency"),
    path(
        "transparency/<int:year>/<int:month>/",
        views.transparency,
        name="transparency_month",
    ),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/escalate/", views.case_escalate, name="escalate"),
]
