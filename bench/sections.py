"""The benchmark sections, in the order ``make bench`` runs them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from bench import data
from bench.browse import Run, Target
from bench.stats import Figure, Report, figures_table, fmt, percentile, table

CUSTOMERS = 50
OPEN_LOOP_RATE = 30.0


@dataclass(frozen=True)
class Options:
    runs: int
    quick: bool
    show_sql: bool = False
    latency_ms: float | None = None  # the fake Bot API's answer delay; None: 0, or the section's own

    @property
    def latency(self) -> float:
        """Seconds every Bot API call waits, in the sections without a default of their own."""
        return (self.latency_ms or 0) / 1000

    @property
    def seconds(self) -> float:
        return 4.0 if self.quick else 10.0


async def run(chosen: list[str], report: Report, options: Options) -> None:
    data.ensure_database()
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        await ALL[name](report, options)


# --- queries per update -------------------------------------------------------------------
async def queries(report: Report, options: Options) -> None:
    from django.conf import settings

    from bench.queries import run_queries

    data.seed(data.Scale(1))
    results = await asyncio.to_thread(run_queries, settings.OWNER_ID)
    rows = []
    for item in results:
        cells = []
        for cost in (item.cold, item.warm):
            cells += ["error", "error"] if cost is None else [str(cost.queries), str(cost.cache)]
        rows.append([item.screen, *cells, item.note])
        if options.show_sql and item.warm is not None:
            print(f"-- {item.screen} (warm):\n   " + "\n   ".join(sql[:160] for sql in item.warm.sql))
            print("   cache: " + ", ".join(call[:80] for call in item.warm.cache_calls))
    report.add(
        "Queries per update (SQL queries and cache round trips; cold = empty cache, warm = the same update a third time, once its reads learned their keys)",
        table(["screen", "cold SQL", "cold cache", "warm SQL", "warm cache", "note"], rows),
        "Targets: warm browse screens ≤ 2 SQL queries, a purchase ≤ 8. Health checks of reused connections count as queries.",
    )


# --- browse ------------------------------------------------------------------------------
def latency_figures(prefix: str, runs: list[Run], target_p95: str = "") -> list[Figure]:
    figures = []
    for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        figure = Figure(f"{prefix} latency {label}", "ms", target=target_p95 if label == "p95" else "")
        for item in runs:
            figure.add(item.ms(fraction))
        figures.append(figure)
    return figures


async def browse(report: Report, options: Options) -> None:
    scale = data.Scale(1)
    print(f"seeding {scale.describe()}", flush=True)
    data.seed(scale)
    ids = data.customer_ids(CUSTOMERS)
    shop = await Target.start("runbot", ids, latency=options.latency)
    trivial = await Target.start("trivial", ids, latency=options.latency)
    try:
        await shop.warm_up(2)
        await trivial.warm_up(2)
        shop_runs, trivial_runs = [], []
        for number in range(options.runs):
            for target, runs in ((shop, shop_runs), (trivial, trivial_runs)):
                runs.append(await target.closed_loop(options.seconds))
                target.check()
                last = runs[-1]
                print(
                    f"  run {number + 1}: {target.name} {last.rate:.0f} updates/s, bot CPU {last.cpu / last.seconds:.0%}, "
                    f"driver CPU {last.driver_cpu / last.seconds:.0%}",
                    flush=True,
                )
        open_runs = []
        for number in range(options.runs):
            open_runs.append(await shop.open_loop(OPEN_LOOP_RATE, options.seconds))
            shop.check()
            print(f"  open loop {number + 1}: p95 {open_runs[-1].ms(0.95):.1f} ms", flush=True)
        rss = shop.bot.rss_mb()
    finally:
        await shop.stop()
        await trivial.stop()

    throughput = Figure("runbot throughput", "updates/s")
    ceiling = Figure("trivial bot throughput", "updates/s")
    ratio = Figure("runbot / trivial bot", "ratio", target="≥ 0.85")
    cpu = Figure("runbot CPU per update", "ms")
    cpu_trivial = Figure("trivial bot CPU per update", "ms")
    for mine, theirs in zip(shop_runs, trivial_runs, strict=True):
        throughput.add(mine.rate)
        ceiling.add(theirs.rate)
        ratio.add(mine.rate / theirs.rate)
        cpu.add(mine.cpu_per_update * 1000)
        cpu_trivial.add(theirs.cpu_per_update * 1000)
    closed = [
        throughput,
        ceiling,
        ratio,
        *latency_figures("runbot", shop_runs),
        *latency_figures("trivial bot", trivial_runs),
        cpu,
        cpu_trivial,
    ]
    report.add(
        f"Browse, closed loop: {CUSTOMERS} customers, {options.runs} runs of {options.seconds:.0f} s ({scale.describe()})",
        figures_table(closed),
        "Latency: update handed to the fake Bot API until the bot's send or edit arrives.",
    )
    open_figures = latency_figures("runbot", open_runs, target_p95="< 50 ms")
    achieved = Figure("achieved rate", "updates/s")
    late = Figure("ticks with no idle customer", "count")
    for item in open_runs:
        achieved.add(item.rate)
        late.add(item.late)
    report.add(
        f"Browse, open loop at {OPEN_LOOP_RATE:.0f} updates/s ({options.runs} runs of {options.seconds:.0f} s)",
        figures_table([*open_figures, achieved, late])
        + f"\n\nrunbot resident memory after browsing: {fmt(rss)} MB",
    )


# --- purchases ------------------------------------------------------------------------------
async def purchases(report: Report, options: Options) -> None:
    from bench.purchases import contention_rounds, make_hot_product, press_pay_at_once
    from catalog.models import Purchase

    data.seed(data.Scale(1))
    threads, seconds = 20, (3.0 if options.quick else 5.0)
    service, raw, doubles = await asyncio.to_thread(
        contention_rounds, threads=threads, seconds=seconds, runs=options.runs
    )
    figures = [
        Figure("service layer (Django ORM)", "purchases/s", service),
        Figure("raw SQL (psycopg)", "purchases/s", raw),
        Figure("service / raw SQL", "ratio", [a / b for a, b in zip(service, raw, strict=True)], "≥ 0.30"),
    ]
    report.add(
        f"Purchase contention: {threads} threads, one product with {100_000:,} units, {options.runs} rounds of {seconds:.0f} s each",
        figures_table(figures),
        f"Units sold twice: {doubles} (must be 0).",
    )

    buyers = 20 if options.quick else 200
    ids = data.customer_ids(buyers, offset=200)
    data.fund(ids, Decimal("1000"))
    product = make_hot_product(1_000)
    shop = await Target.start("runbot", ids, latency=options.latency)
    try:
        await asyncio.gather(*(customer.send("/start") for customer in shop.customers))
        latencies, elapsed = await press_pay_at_once(shop.customers, product.pk)
        shop.check()
    finally:
        await shop.stop()
    sold = await asyncio.to_thread(lambda: Purchase.objects.filter(product=product).count())
    rows = [
        ["customers pressing Pay at once", buyers],
        ["all answered in", f"{elapsed:.2f} s"],
        ["purchases per second", fmt(buyers / elapsed)],
        [
            "latency p50 / p95 / max",
            f"{fmt(percentile(latencies, 0.5) * 1000)} / {fmt(percentile(latencies, 0.95) * 1000)} / {fmt(max(latencies) * 1000)} ms",
        ],
        ["purchases recorded", sold],
    ]
    report.add("Purchases through the bot: customers pressing Pay at once", table(["", ""], rows))


# --- broadcast ------------------------------------------------------------------------------
async def broadcast(report: Report, options: Options) -> None:
    from django.conf import settings

    from bench.broadcast import FLOOD_RATE, prepare_broadcast, seed_recipients
    from bench.fake import start_server, wait_for_polling
    from bench.processes import BotProcess

    count = 300 if options.quick else 2_000
    runs = 1 if options.quick else max(1, options.runs // 2)
    rates, floods, wrong = (
        Figure("achieved", "messages/s", target=f"≥ {0.95 * FLOOD_RATE:.1f}"),
        Figure("429 answers", "count"),
        0,
    )
    for _ in range(runs):
        recipients = seed_recipients(count)
        server = await start_server(options.latency)
        telegram = server.telegram
        telegram.flood_rate = FLOOD_RATE
        prepare_broadcast(telegram, settings.OWNER_ID, recipients)
        bot = BotProcess.runbot(f"http://{server.host}:{server.port}")
        try:
            await wait_for_polling(server)
            expected = count + 1  # the owner is a customer too
            deadline = asyncio.get_running_loop().time() + count / 5
            while sum(telegram.delivered.values()) < expected:
                bot.check_alive()
                if asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.2)
        finally:
            bot.stop()
            await server.stop()
        sent = telegram.sent_at
        rates.add((len(sent) - 1) / (sent[-1] - sent[0]) if len(sent) > 1 else 0.0)
        floods.add(telegram.floods)
        wrong += sum(1 for chat in [settings.OWNER_ID, *recipients] if telegram.delivered.get(chat, 0) != 1)
    report.add(
        f"Broadcast: {count:,} recipients, the fake Bot API answers 429 above {FLOOD_RATE} messages/s ({runs} runs)",
        figures_table([rates, floods]),
        f"Recipients not reached exactly once: {wrong} (must be 0). Target: 95% of the configured {FLOOD_RATE} messages/s.",
    )


# --- scale and memory --------------------------------------------------------------------
async def scale(report: Report, options: Options) -> None:
    factors = (1, 10) if options.quick else (1, 10, 100)
    rows, p50s, p95s, rss_by_factor = [], {}, {}, {}
    for factor in factors:
        size = data.Scale(factor)
        print(f"seeding {size.describe()}", flush=True)
        seconds = data.seed(size)
        shop = await Target.start("runbot", data.customer_ids(CUSTOMERS), latency=options.latency)
        try:
            await shop.warm_up(2)
            closed, opened = [], []
            for _ in range(options.runs):
                closed.append(await shop.closed_loop(options.seconds))
                opened.append(await shop.open_loop(OPEN_LOOP_RATE, options.seconds))
                shop.check()
            rss_by_factor[factor] = shop.bot.rss_mb()
        finally:
            await shop.stop()
        p50s[factor] = Figure(f"{factor}× closed-loop p50", "ms", [item.ms(0.5) for item in closed])
        p95s[factor] = Figure(f"{factor}× open-loop p95", "ms", [item.ms(0.95) for item in opened])
        rate = Figure("", "", [item.rate for item in closed])
        rows.append(
            [
                size.describe(),
                f"{seconds:.0f} s",
                fmt(rate.median),
                fmt(p50s[factor].median),
                fmt(p95s[factor].median),
                fmt(rss_by_factor[factor]),
            ]
        )
    body = table(["data", "seeded in", "updates/s", "closed p50 ms", "open p95 ms", "runbot RSS MB"], rows)
    largest = factors[-1]
    growth = [
        Figure(
            f"open-loop p95 at {largest}× / 1×",
            "ratio",
            [a / b for a, b in zip(p95s[largest].runs, p95s[1].runs, strict=True)],
            "≤ 1.5",
        ),
        Figure(
            f"closed-loop p50 at {largest}× / 1×",
            "ratio",
            [a / b for a, b in zip(p50s[largest].runs, p50s[1].runs, strict=True)],
        ),
    ]
    memory = f"runbot resident memory after browsing at {largest}×: {fmt(rss_by_factor[largest])} MB (target < 150 MB)"
    report.add("Scale: the browse benchmark with more data", body + "\n\n" + figures_table(growth), memory)


# --- webhook workers ------------------------------------------------------------------------
async def workers(report: Report, options: Options) -> None:
    from bench.workers import section

    await section(report, options)


ALL = {
    "queries": queries,
    "browse": browse,
    "purchases": purchases,
    "broadcast": broadcast,
    "scale": scale,
    "workers": workers,
}
