from django.urls import path

from .views import agreements, boards, crews, manage, photos, reports, shared, task

app_name = "tasks"

STEPS = ("propose", "confirm", "start", "complete", "accept", "dispute", "cancel")

AGREEMENT = "agreement/<int:pk>/"

urlpatterns: list = [
    path("", boards.board_index, name="boards"),
    path("board/<slug:slug>/", boards.board, name="board"),
    path("board/<slug:slug>/steps.json", boards.board_steps, name="board_steps"),
    path("task/<int:pk>/", task.task_detail, name="task"),
    *(
        path(f"task/<int:pk>/{step}/", task.task_step, {"step": step}, name=step)
        for step in STEPS
    ),
    path("task/<int:pk>/thread/", task.task_thread, name="task_thread"),
    path("task/<int:pk>/crew/", task.task_crew, name="task_crew"),
    path("task/<int:pk>/photo/<int:photo>.jpg", photos.task_photo, name="task_photo"),
    # A contractor's crews and each crew's calendar feed (tasks/views/crews.py).
    path("crews/<slug:slug>/", crews.crew_list, name="crews"),
    path("crew/<int:pk>/edit/", crews.crew_edit, name="crew_edit"),
    path("crew/<int:pk>/remove/", crews.crew_remove, name="crew_remove"),
    path("crew/<int:pk>/feed/renew/", crews.crew_feed_renew, name="crew_feed_renew"),
    path("feed/crew/<str:token>.ics", crews.crew_feed, name="crew_feed"),
    # An agreement: its page, the changes made on it, and its form pages.
    path("agreements/new/<slug:slug>/", manage.agreement_new, name="agreement_new"),
    path(AGREEMENT, agreements.agreement_detail, name="agreement"),
    path(f"{AGREEMENT}answer/", agreements.agreement_answer, name="agreement_answer"),
    path(f"{AGREEMENT}share/", agreements.agreement_share, name="agreement_share"),
    path(
        f"{AGREEMENT}people/<str:side>/add/",
        agreements.actor_add,
        name="agreement_actor_add",
    ),
    path(
        f"{AGREEMENT}people/<int:user>/remove/",
        agreements.actor_remove,
        name="agreement_actor_remove",
    ),
    path(f"{AGREEMENT}times/add/", agreements.window_add, name="agreement_window_add"),
    path(
        f"{AGREEMENT}times/<int:window>/remove/",
        agreements.window_remove,
        name="agreement_window_remove",
    ),
    path(f"{AGREEMENT}edit/", manage.agreement_edit, name="agreement_edit"),
    path(f"{AGREEMENT}end/", manage.agreement_end, name="agreement_end"),
    path(f"{AGREEMENT}jobs/new/", manage.template_new, name="agreement_template_new"),
    path(f"{AGREEMENT}series/new/", manage.series_new, name="agreement_series_new"),
    path(
        f"{AGREEMENT}jobs/<int:template>/edit/",
        manage.template_edit,
        name="agreement_template_edit",
    ),
    path(
        f"{AGREEMENT}jobs/<int:template>/remove/",
        manage.template_remove,
        name="agreement_template_remove",
    ),
    path(
        f"{AGREEMENT}series/<int:series>/edit/",
        manage.series_edit,
        name="agreement_series_edit",
    ),
    path(
        f"{AGREEMENT}series/<int:series>/stop/",
        manage.series_stop,
        name="agreement_series_stop",
    ),
    path(f"{AGREEMENT}tasks/new/", manage.task_new, name="agreement_task_new"),
    # Residents' problem reports.
    path("report/<slug:slug>/", reports.report_new, name="report"),
    path("reports/", reports.reports_mine, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    # The reports at the sites one looks after, answered or passed on there.
    path("reports/sites/", reports.site_reports, name="site_reports"),
    path("reports/sites/<int:pk>/", reports.site_report, name="site_report"),
    path(
        "reports/sites/<int:pk>/answer/",
        reports.site_report_answer,
        name="site_report_answer",
    ),
    path(
        "reports/sites/<int:pk>/pass-on/",
        reports.site_report_pass_on,
        name="site_report_pass_on",
    ),
    # The municipal moderators' list of the agreements shared with them.
    path("shared/", shared.shared_list, name="shared"),
]
