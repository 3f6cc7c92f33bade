"""Webhook mode from outside: gunicorn in front, ``runbot --webhook`` workers on the update stream.

The processes are the subprocess test helpers' (``telegrambot.testing.workers``);
the customers are the browse benchmark's, posting their updates to the web
process instead of queueing them for getUpdates. Three measurements: browse
throughput with 1, 2 and 4 workers; a worker killed mid-run (every update
answered once?); one customer's fast presses over three workers (in order?).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench import data
from bench.browse import Run, Target
from bench.fake import Customer, TimedTelegram, start_server
from bench.processes import cpu_seconds
from bench.sections import CUSTOMERS, Options
from bench.stats import Report, fmt, table
from telegrambot.testing.server import FakeTelegramServer
from telegrambot.testing.workers import BotProcess, WebProcess
from telegrambot.tests.webhook_workers import SECRET, WebhookTelegram, worker_env

KILL_CUSTOMERS = 30
ORDER_PRESSES = 20
CLAIMED = 'shopbot_webhook_updates_total{event="claimed"}'
# Update ids never repeat within a bench run: the web process and the workers drop an id they have seen.
UPDATE_IDS = itertools.count(int(time.time()) * 1000)


class TimedWebhookTelegram(TimedTelegram, WebhookTelegram):
    """The bench's timed fake Bot API, which also accepts the workers' setWebhook."""


class Workers:
    """The web process and the workers behind it, measured as one bot (CPU summed over them)."""

    name = "webhook"

    def __init__(self, server: FakeTelegramServer, env: dict[str, str]) -> None:
        self.server, self.env = server, env
        self.web: WebProcess | None = None
        self.workers: list[BotProcess] = []

    def cpu_seconds(self) -> float:
        """CPU time of the live workers (gunicorn's is left out: it only queues)."""
        live = [worker for worker in self.workers if worker.process.returncode is None]
        return sum(cpu_seconds(worker.pid) for worker in live)

    def check_alive(self) -> None:
        for worker in self.workers:
            if worker.process.returncode not in (None, -9):
                raise RuntimeError(
                    f"a worker exited with {worker.process.returncode}:\n{worker.output[-3000:]}"
                )

    async def add_worker(self) -> BotProcess:
        telegram: WebhookTelegram = self.server.telegram  # type: ignore[assignment]
        worker = await BotProcess.start(self.env, "--webhook")
        self.workers.append(worker)
        await self.server.wait_until(lambda: len(telegram.webhooks) >= len(self.workers), timeout=120)
        return worker

    async def stop(self) -> None:
        for worker in self.workers:
            await worker.stop()
        if self.web is not None:
            await self.web.stop()


class Fleet(Target):
    """A browse target in webhook mode: its customers post to gunicorn, the workers answer."""

    bot: Workers  # type: ignore[assignment]
    session: aiohttp.ClientSession

    @classmethod
    async def open(cls, telegram_ids: list[int], *, latency: float = 0.0, **env: str) -> Fleet:
        server = await start_server(latency, TimedWebhookTelegram())
        server.update_ids = UPDATE_IDS
        environment = worker_env(
            f"http://{server.host}:{server.port}",
            RATE_LIMITS="false",  # 50 customers clicking as fast as the bot answers would be banned at once
            DEBUG="false",
            **env,
        )
        workers = Workers(server, environment)
        workers.web = await WebProcess.start(environment)
        session = aiohttp.ClientSession()
        url = f"http://127.0.0.1:{workers.web.port}/telegram/webhook/"

        async def post(update: dict[str, Any]) -> None:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with session.post(url, json=update, headers=headers) as response:
                if response.status != 200:
                    raise RuntimeError(f"the web process answered {response.status} to an update")

        customers = [Customer(server, telegram_id, deliver=post) for telegram_id in telegram_ids]
        fleet = cls("webhook", server, workers, customers)  # type: ignore[arg-type]
        fleet.session = session
        return fleet

    async def stop(self) -> None:
        await self.bot.stop()
        await self.session.close()
        await self.server.stop()


# --- a worker killed mid-run --------------------------------------------------------------
@dataclass
class KillRun:
    sent: int = 0
    answered: int = 0
    twice: int = 0  # a second screen for one update
    refused_twice: int = 0  # a second answerCallbackQuery for one press, which Telegram refuses
    lost: int = 0
    claimed_after: float | None = None  # seconds from the kill to the survivor's first claim
    refused: dict[str, int] = field(default_factory=dict)  # "method: description" -> calls the fake refused
    unanswered: list[str] = field(default_factory=list)  # what each lost update was
    odd_screens: list[str] = field(default_factory=list)  # screens without the next button (an error)
    latencies: list[float] = field(default_factory=list)


async def kill_run(fleet: Fleet, customers: list[Customer], seconds: float, claim_seconds: int) -> KillRun:
    """Customers click for ``seconds``; one of the two workers gets SIGKILL a third of the way in."""
    result = KillRun()
    deadline = time.perf_counter() + seconds
    before = dict(fleet.server.telegram.screens)  # type: ignore[attr-defined]
    refused_before = len(fleet.server.telegram.rejections)
    sent: dict[int, int] = {customer.id: 0 for customer in customers}
    answered: dict[int, int] = {customer.id: 0 for customer in customers}
    # Long enough for the survivor to claim what the dead worker held: a timeout here is a lost update.
    timeout = claim_seconds + 30

    async def loop(customer: Customer) -> None:
        while time.perf_counter() < deadline:
            for step in customer.steps():
                sent[customer.id] += 1
                try:
                    result.latencies.append(await step_with_timeout(step, timeout))
                except TimeoutError:
                    result.lost += 1
                    result.unanswered.append(
                        f"customer {customer.id}, step {sent[customer.id] % 5 or 5} of 5"
                    )
                    return  # its screen is gone; this customer stops clicking
                answered[customer.id] += 1

    async def kill() -> None:
        await asyncio.sleep(seconds / 3)
        victim, survivor = fleet.bot.workers
        claimed = await survivor.metric(CLAIMED)
        victim.process.kill()
        killed = time.perf_counter()
        while time.perf_counter() - killed < timeout:
            if await survivor.metric(CLAIMED) > claimed:
                result.claimed_after = time.perf_counter() - killed
                return
            await asyncio.sleep(0.2)

    await asyncio.gather(kill(), *(loop(customer) for customer in customers))
    await asyncio.sleep(1)  # a late second answer still counts
    screens = fleet.server.telegram.screens  # type: ignore[attr-defined]
    for chat, count in answered.items():
        extra = screens.get(chat, 0) - before.get(chat, 0) - count
        result.twice += max(0, extra)
    # A second answerCallbackQuery for one press is refused by the fake (as by Telegram): counted apart.
    refused = fleet.server.telegram.rejections[refused_before:]
    result.refused_twice = sum(1 for item in refused if item.method.lower() == "answercallbackquery")
    for item in refused:
        key = f"{item.method}: {item.description[:60]}"
        result.refused[key] = result.refused.get(key, 0) + 1
    result.sent, result.answered = sum(sent.values()), sum(answered.values())
    return result


async def step_with_timeout(step: Any, timeout: float) -> float:
    return await asyncio.wait_for(step(), timeout)


# --- one customer's presses over three workers --------------------------------------------
@dataclass
class OrderRun:
    presses: int
    in_order: bool
    most_in_flight: int
    seconds: float
    refused: dict[str, int] = field(default_factory=dict)  # "method: description" -> calls the fake refused


async def order_run(fleet: Fleet, presses: int) -> OrderRun:
    """One customer presses the same button ``presses`` times without waiting for the answers."""
    customer = fleet.customers[0]
    telegram, server = fleet.server.telegram, fleet.server
    await customer.send("/start")
    data = customer.choose("shop")
    pressed: list[str] = []
    answered: list[str] = []

    def track(method: str, params: dict[str, Any]) -> str | None:
        query_id = str(params.get("callback_query_id", ""))
        if method.lower() == "answercallbackquery" and query_id in pressed:
            answered.append(query_id)
        if params.get("chat_id") == customer.id or query_id in pressed:
            return "customer"
        return None

    server.track = track
    refused_before = len(telegram.rejections)
    started = time.perf_counter()
    for _ in range(presses):
        query_id = telegram.open_callback_query()
        pressed.append(query_id)
        query = {
            "id": query_id,
            "from": customer.user,
            "chat_instance": f"ci-{customer.id}",
            "data": data,
            "message": customer.screen,
        }
        assert customer.deliver is not None
        await customer.deliver({"update_id": next(server.update_ids), "callback_query": query})
    await server.wait_until(
        lambda: all(telegram.callback_queries[q] is not None for q in pressed), timeout=120
    )
    seconds = time.perf_counter() - started
    server.track = None
    result = OrderRun(presses, answered == pressed, server.most_in_flight.get("customer", 0), seconds)
    for item in telegram.rejections[refused_before:]:
        key = f"{item.method}: {item.description[:60]}"
        result.refused[key] = result.refused.get(key, 0) + 1
    return result


# --- the section ---------------------------------------------------------------------------
async def section(report: Report, options: Options) -> None:
    delay = 60.0 if options.latency_ms is None else options.latency_ms
    delays = sorted({0.0, delay})
    data.seed(data.Scale(1))
    ids = data.customer_ids(CUSTOMERS)
    results: dict[tuple[str, float], list[Run]] = {}

    async def measure(target: Target, mode: str) -> None:
        for ms in delays:
            target.server.latency = ms / 1000
            await target.warm_up(1)
            runs = results[(mode, ms)] = []
            for _ in range(options.runs):
                runs.append(await target.closed_loop(options.seconds))
                target.check()
            rates = ", ".join(f"{run.rate:.1f}" for run in runs)
            print(f"  {mode} at {ms:.0f} ms: {rates} updates/s", flush=True)

    polling = await Target.start("runbot", ids)
    try:
        await measure(polling, "polling")
    finally:
        await polling.stop()
    claim_seconds = int(os.environ.get("WEBHOOK_CLAIM_SECONDS", "15"))
    fleet = await Fleet.open(ids, WEBHOOK_CLAIM_SECONDS=str(claim_seconds))
    try:
        for count in (1, 2, 4):
            while len(fleet.bot.workers) < count:
                await fleet.bot.add_worker()
            await measure(fleet, f"{count} webhook worker{'s' if count > 1 else ''}")
        report.add(*scaling_table(results, delays, options))
        fleet.server.latency = delay / 1000
        await fleet.bot.workers.pop().stop()
        order = await order_run(fleet, ORDER_PRESSES)
        await fleet.bot.workers.pop().stop()
        # Not the order run's customer: its screen is whatever its twenty presses left.
        kill = await kill_run(
            fleet, fleet.customers[1 : 1 + KILL_CUSTOMERS], 3 * options.seconds, claim_seconds
        )
    finally:
        await fleet.stop()
    claimed = "nothing to claim" if kill.claimed_after is None else f"{kill.claimed_after:.1f} s"
    rows = [
        ["updates sent", kill.sent],
        ["answered", kill.answered],
        ["answered twice (a second screen)", f"{kill.twice} (must be 0)"],
        ["a press answered again, refused by Telegram", kill.refused_twice],
        ["lost (no answer within the claim time + 30 s)", f"{kill.lost} (must be 0)"],
        ["the survivor's first claim, after the kill", f"{claimed} (WEBHOOK_CLAIM_SECONDS {claim_seconds})"],
    ]
    refused = "; ".join(f"{key} ×{count}" for key, count in kill.refused.items()) or "none"
    lost = "; ".join(kill.unanswered) or "none"
    report.add(
        f"Webhook workers: SIGKILL one of two while {KILL_CUSTOMERS} customers click ({delay:.0f} ms latency)",
        table(["", ""], rows),
        f"Calls the fake Bot API refused during the run: {refused}. Lost: {lost}. "
        f"Customers who stopped on a screen without the next button: {'; '.join(kill.odd_screens) or 'none'}.",
    )
    order_refused = "; ".join(f"{key} ×{count}" for key, count in order.refused.items()) or "none"
    rows = [
        ["presses, sent without waiting", order.presses],
        ["answered in the order pressed", "yes" if order.in_order else "NO"],
        ["most of its calls in flight at once", f"{order.most_in_flight} (must be 1)"],
        ["all answered in", f"{order.seconds:.2f} s"],
    ]
    report.add(
        f"Webhook workers: one customer's fast presses over 3 workers ({delay:.0f} ms latency)",
        table(["", ""], rows),
        f"Calls the fake Bot API refused meanwhile: {order_refused}.",
    )


def scaling_table(
    results: dict[tuple[str, float], list[Run]], delays: list[float], options: Options
) -> tuple[str, str, str]:
    def median(mode: str, ms: float, of: Any) -> float:
        return statistics.median(of(run) for run in results[(mode, ms)])

    modes = list(dict.fromkeys(mode for mode, _ in results))
    rows = [
        [
            mode,
            f"{ms:.0f}",
            fmt(median(mode, ms, lambda r: r.rate)),
            fmt(median(mode, ms, lambda r: r.ms(0.5))),
            fmt(median(mode, ms, lambda r: r.ms(0.95))),
        ]
        for mode in modes
        for ms in delays
    ]
    body = table(["mode", "latency ms", "updates/s", "p50 ms", "p95 ms"], rows)

    def rate(mode: str, ms: float) -> float:
        return median(mode, ms, lambda r: r.rate)

    ratio_rows = []
    for ms in delays:
        one = rate("1 webhook worker", ms)
        ratio_rows += [
            [f"1 worker / polling at {ms:.0f} ms", fmt(one / rate("polling", ms)), "≥ 0.8" if ms else ""],
            [
                f"2 workers / 1 worker at {ms:.0f} ms",
                fmt(rate("2 webhook workers", ms) / one),
                "≥ 1.6 given the cores" if ms else "",
            ],
            [f"4 workers / 1 worker at {ms:.0f} ms", fmt(rate("4 webhook workers", ms) / one), ""],
        ]
    body += "\n\n" + table(["ratio", "median", "target"], ratio_rows)
    cores = os.cpu_count() or 1
    note = (
        f"Cores: {cores}. Updates/s and p50/p95 per press are medians of {options.runs} runs of {options.seconds:.0f} s; "
        "the fake Bot API answers each call after the latency shown."
    )
    if cores < 4:
        note += (
            f" With {cores} cores for up to 4 workers, gunicorn, PostgreSQL, Redis and the {CUSTOMERS} simulated customers "
            "(and, on a shared machine, other work), the figures above 1 worker are bounded by CPU, not by the workers: "
            "a worker added beyond the cores only shares them, so 2 and 4 workers cannot scale as they would on their own cores."
        )
    return f"Webhook workers: browse, {CUSTOMERS} customers, polling and 1, 2, 4 workers", body, note
