from django.urls import path

from .views import agreements, boards, photos, task

app_name = "tasks"

STEPS = ("propose", "confirm", "start", "complete", "accept", "dispute", "cancel")

urlpatterns: list = [
    path("", boards.board_index, name="boards"),
    path("board/<slug:slug>/", boards.board, name="board"),
    path("board/<slug:slug>/steps.json", boards.board_steps, name="board_steps"),
    path("task/<int:pk>/", task.task_detail, name="task"),
    *(
        path(f"task/<int:pk>/{step}/", task.task_step, {"step": step}, name=step)
        for step in STEPS
    ),
    path("task/<int:pk>/photo/<int:photo>.jpg", photos.task_photo, name="task_photo"),
    path("agreement/<int:pk>/", agreements.agreement_detail, name="agreement"),
]
