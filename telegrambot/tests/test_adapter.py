"""The adapter's database threads: concurrent ORM calls side by side, each thread with its own connection."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from telegrambot import adapter

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite keeps one database thread")
@pytest.mark.django_db(transaction=True)
async def test_it_runs_concurrent_calls_on_several_threads_each_with_its_own_connection(
    settings: Any,
) -> None:
    settings.BOT_DB_THREADS = 3
    # All three must be inside at once: on one thread the first would wait here for ever.
    together = threading.Barrier(3, timeout=20)

    def backend() -> tuple[str, int]:
        together.wait()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return threading.current_thread().name, int(cursor.fetchone()[0])

    try:
        results = await asyncio.gather(*(adapter.call(backend) for _ in range(3)))
    finally:
        await asyncio.to_thread(adapter.close_pool)

    assert len({name for name, _pid in results}) == 3
    assert len({pid for _name, pid in results}) == 3  # three connections


@pytest.mark.django_db
async def test_it_keeps_one_thread_sensitive_thread_with_one_database_thread(settings: Any) -> None:
    settings.BOT_DB_THREADS = 1

    names = {await adapter.call(lambda: threading.current_thread().name) for _ in range(3)}

    assert len(names) == 1
    assert adapter._pool is None
