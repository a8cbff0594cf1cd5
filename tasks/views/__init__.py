"""The task board's pages (tasks/urls.py): the boards, a task's page with its
steps, an agreement's page and the forms that manage it, residents' problem
reports, and the steps a board missed."""
