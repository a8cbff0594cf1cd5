"""What the benchmarks need before they start, so each runs on a fresh clone."""

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sqlite_file(path: str | Path) -> str:
    """The absolute path of a SQLite file, its folder created."""
    full = Path(path).resolve()
    full.parent.mkdir(parents=True, exist_ok=True)
    return str(full)


def postgres_database(url: str) -> None:
    """Create the database ``url`` names when the server has none by that name.

    Raises psycopg's error when the server cannot be reached."""
    import psycopg

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as c:
        exists = c.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            c.execute(f'CREATE DATABASE "{name}"')


def child_env(
    *,
    database_url: str | None = None,
    sqlite_path: str | Path | None = None,
    create_database: bool = True,
    keep_settings: bool = True,
) -> dict[str, str]:
    """The environment of a child that measures one database, without REDIS_URL.

    On SQLite when ``sqlite_path`` is given, else on PostgreSQL at ``database_url``,
    whose database is first created when missing (``create_database``): the
    script stops when the server cannot be reached. The child reads
    hub.settings.test unless ``keep_settings`` and DJANGO_SETTINGS_MODULE is set."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if keep_settings:
        env.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    else:
        env["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    if sqlite_path:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = sqlite_file(sqlite_path)
        return env
    if create_database:
        try:
            postgres_database(database_url)
        except Exception as exc:  # noqa: BLE001 (any failure means: nothing to measure)
            name = exc.__class__.__name__
            sys.exit(f"PostgreSQL not reachable at {database_url} ({name})")
    env["DATABASE_URL"] = database_url
    return env


def run_child(script: str | Path, args: Sequence[str], env: dict, name: str) -> dict:
    """``script`` with ``args`` in a child process: its lines pass through, the
    JSON of its ``RESULT`` line returns; stops when the child fails."""
    command = [sys.executable, str(script), *args]
    result = None
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as child:
        for line in child.stdout:
            if line.startswith("RESULT "):
                result = json.loads(line.removeprefix("RESULT "))
            else:
                print(line, end="", flush=True)
    if child.returncode != 0 or result is None:
        sys.exit(f"the {name} benchmark failed")
    return result


def require(module: str) -> None:
    """Stop with the command that installs the benchmarks' own packages."""
    try:
        __import__(module)
    except ImportError:
        sys.exit(f"{module} is missing: run `make bench-deps` first.")


def timings_ms(fn, runs: int, *, warm_up: int = 3) -> list[float]:
    """``fn``'s duration in milliseconds over ``runs`` calls, after
    ``warm_up`` calls that are not counted."""
    import time

    for _ in range(warm_up):
        fn()
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        found.append((time.perf_counter() - began) * 1000)
    return found


def p95(values: list[float]) -> float:
    import statistics

    return statistics.quantiles(values, n=20)[-1]


def analyze(tables: tuple[str, ...]) -> None:
    """Fresh planner statistics after seeding: ``tables`` on PostgreSQL, the
    whole file on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
