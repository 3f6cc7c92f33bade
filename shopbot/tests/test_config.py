"""A wrong setting stops the process with one line that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopbot.config import sqlite_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MIN_AMOUNT", "ten"),
        ("MAX_AMOUNT", "NaN"),
        ("OWNER_ID", "12ab"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://user@host/db"),
        ("REDIS_URL", "http://cache"),
        ("PAY_CURRENCY", "rubles"),
        ("DEBUG", "maybe"),
        ("BOT_LOCALE", "de"),
        ("CRYPTO_PAY_API_URL", "ftp://pay"),
    ],
)
def test_it_stops_with_one_line_naming_the_variable(variable, value):
    result = run_manage("check", **{variable: value})

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable} ")


def test_it_runs_with_no_configuration_at_all():
    result = run_manage("check")

    assert result.returncode == 0, result.stderr


def test_it_keeps_sqlite_writers_queueing_in_wal_mode():
    options = sqlite_database("shop.sqlite3")["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_it_switches_to_postgres_and_redis_by_url(monkeypatch):
    import environ

    from shopbot.config import Config

    config = Config(environ.Env())
    monkeypatch.setenv("DATABASE_URL", "postgres://shop:secret@db.internal:5433/shop")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")

    database = config.database(Path("unused.sqlite3"))
    cache = config.cache()

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "shop")
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"


def test_it_reads_the_seed_bots_postgres_and_redis_names(monkeypatch):
    import environ

    from shopbot.config import Config

    config = Config(environ.Env())
    for name in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTGRES_DB", "legacy")
    monkeypatch.setenv("POSTGRES_PASSWORD", "p@ss/word")
    monkeypatch.setenv("REDIS_HOST", "redis.internal")

    database = config.database(Path("unused.sqlite3"))

    assert (database["NAME"], database["PASSWORD"]) == ("legacy", "p@ss/word")
    assert config.cache()["LOCATION"] == "redis://redis.internal:6379/0"
