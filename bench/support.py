"""What the benchmarks need before they start, so each runs on a fresh clone."""

import sys
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


def require(module: str) -> None:
    """Stop with the command that installs the benchmarks' own packages."""
    try:
        __import__(module)
    except ImportError:
        sys.exit(f"{module} is missing: run `make bench-deps` first.")
