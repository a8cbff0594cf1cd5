from django.urls import path

from .views import agreements, boards, manage, photos, reports, task

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
    path(f"{AGREEMENT}tasks/new/", manage.task_new, name="agreement_task_new"),
    # Residents' problem reports.
    path("report/<slug:slug>/", reports.report_new, name="report"),
    path("reports/", reports.reports_mine, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
]
