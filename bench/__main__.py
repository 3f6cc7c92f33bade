"""``python -m bench [--quick] [--only NAME,...]``: run the benchmarks and append the figures.

Run through ``make bench`` (it starts PostgreSQL and Redis first). Sections:
queries, browse, purchases, broadcast, scale (which also measures memory), workers
(webhook mode with 1, 2 and 4 workers against polling, a killed worker, one customer's order).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="fewer and shorter runs (a smoke test of the machinery)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated sections: queries,browse,purchases,broadcast,scale,workers",
    )
    parser.add_argument("--runs", type=int, default=0, help="runs per figure (default 5, or 3 with --quick)")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=None,
        help="the fake Bot API answers every call this much later, as a real network (default 0; workers: 60)",
    )
    parser.add_argument("--sql", action="store_true", help="print the SQL of each warm screen")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopbot.settings")
    os.environ.setdefault("LOG_TO_STDOUT", "false")
    # The owner, for the admin screens of the in-process bot (runbot gets the same in its environment).
    os.environ.setdefault("OWNER_ID", "9000")
    os.environ.setdefault("TOKEN", "123456:BENCH-TOKEN")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # seeding and counting run beside the event loop
    import django

    django.setup()
    from bench import sections
    from bench.stats import Report

    chosen = [name for name in args.only.split(",") if name] or list(sections.ALL)
    unknown = [name for name in chosen if name not in sections.ALL]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    options = sections.Options(
        runs=args.runs or (3 if args.quick else 5),
        quick=args.quick,
        show_sql=args.sql,
        latency_ms=args.latency_ms,
    )
    report = Report("quick" if args.quick else "full")
    try:
        asyncio.run(sections.run(chosen, report, options))
    finally:
        if report.sections:
            report.write()
    sys.exit(0)


if __name__ == "__main__":
    main()
