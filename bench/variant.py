"""``manage.py runbot`` with one setting changed, to measure a change before making it.

    python -m bench.variant [--concurrency N] [--thread-pool] -- runbot --polling

``--concurrency`` handles N updates at once (PTB's ``concurrent_updates``);
``--thread-pool`` runs the service layer on a pool of threads, each with its
own database connection, instead of Django's one ORM thread. What the shop
ships is measured by running ``manage.py runbot`` itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.variant")
    parser.add_argument("--concurrency", type=int, default=0)
    parser.add_argument("--thread-pool", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopbot.settings")
    import django

    django.setup()
    if args.concurrency:
        from telegram.ext import ApplicationBuilder

        build = ApplicationBuilder.build

        def build_concurrent(self: Any) -> Any:
            self.concurrent_updates(args.concurrency)
            return build(self)

        ApplicationBuilder.build = build_concurrent  # type: ignore[method-assign]
    if args.thread_pool:
        from asgiref.sync import sync_to_async

        from telegrambot import adapter

        async def call(func: Any, *call_args: Any, **kwargs: Any) -> Any:
            return await sync_to_async(adapter._run, thread_sensitive=False)(func, *call_args, **kwargs)

        adapter.call = call  # type: ignore[assignment]
    from django.core.management import execute_from_command_line

    command = [item for item in args.command if item != "--"]
    execute_from_command_line([sys.argv[0], *command])


if __name__ == "__main__":
    main()
