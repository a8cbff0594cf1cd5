"""``manage.py check`` with the database checks (as runserver runs them) is clean on
both databases, in the settings a developer runs."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.helpers import requires_postgres

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
CHECK = ("check", "--database", "default", "--fail-level", "WARNING")
# The test run's own switches must not leak into the developer's process.
REMOVED_ENV = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SQLITE_PATH"}


def _check(**env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if key not in REMOVED_ENV
    }
    environment.update(DJANGO_SETTINGS_MODULE="hub.settings.dev", **env)
    return subprocess.run(  # noqa: S603 (fixed arguments, our own manage.py)
        [sys.executable, MANAGE, *CHECK],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_checks_are_clean_on_sqlite_which_ignores_the_covering_column(tmp_path):
    result = _check(SQLITE_PATH=str(tmp_path / "db.sqlite3"))

    assert result.returncode == 0, result.stderr + result.stdout
    assert "W040" not in result.stderr + result.stdout
    assert "no issues (1 silenced)" in result.stdout


@requires_postgres()
def test_the_checks_are_clean_on_postgresql_with_nothing_silenced():
    result = _check(DATABASE_URL=os.environ["DATABASE_URL"])

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues (0 silenced)" in result.stdout
