"""Browsing: 50 customers clicking /start -> shop -> category -> product -> back.

Closed loop (each customer sends its next update when the last is answered)
against ``runbot`` and against the trivial bot, alternating runs so both see
the same noise; an open loop at a fixed rate for latency without queueing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bench.fake import Customer, start_server, wait_for_polling
from bench.processes import BotProcess
from bench.stats import percentile
from telegrambot.testing.server import FakeTelegramServer


@dataclass
class Run:
    """What one timed run saw."""

    updates: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    driver_cpu: float = 0.0  # this process: the fake Bot API and the customers
    latencies: list[float] = field(default_factory=list)
    late: int = 0  # open loop: ticks with no idle customer to send

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_update(self) -> float:
        return self.cpu / self.updates if self.updates else float("nan")

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


class Target:
    """A bot process with its own fake Bot API and its customers."""

    def __init__(
        self, name: str, server: FakeTelegramServer, bot: BotProcess, customers: list[Customer]
    ) -> None:
        self.name, self.server, self.bot, self.customers = name, server, bot, customers

    @classmethod
    async def start(cls, name: str, telegram_ids: list[int], *, latency: float = 0.0, **env: str) -> Target:
        server = await start_server(latency)
        url = f"http://{server.host}:{server.port}"
        bot = BotProcess.runbot(url, **env) if name == "runbot" else BotProcess.trivial(url)
        try:
            await wait_for_polling(server)
        except RuntimeError:
            bot.check_alive()
            raise
        return cls(name, server, bot, [Customer(server, telegram_id) for telegram_id in telegram_ids])

    async def stop(self) -> None:
        self.bot.stop()
        await self.server.stop()

    async def warm_up(self, rounds: int = 1) -> None:
        for _ in range(rounds):
            await asyncio.gather(*(customer.browse() for customer in self.customers))

    async def closed_loop(self, seconds: float) -> Run:
        """Every customer browses round after round until ``seconds`` have passed."""
        run = Run()
        deadline = time.perf_counter() + seconds

        async def loop(customer: Customer) -> None:
            while time.perf_counter() < deadline:
                latencies = await customer.browse()
                run.latencies.extend(latencies)

        cpu, driver_cpu = self.bot.cpu_seconds(), time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(loop(customer) for customer in self.customers))
        run.seconds = time.perf_counter() - started
        run.cpu = self.bot.cpu_seconds() - cpu
        run.driver_cpu = time.process_time() - driver_cpu
        run.updates = len(run.latencies)
        return run

    async def open_loop(self, rate: float, seconds: float) -> Run:
        """Send ``rate`` updates per second, each from an idle customer, for ``seconds``."""
        run = Run()
        idle = list(self.customers)
        steps = {customer.id: 0 for customer in self.customers}
        tasks: set[asyncio.Task[None]] = set()

        async def step(customer: Customer) -> None:
            try:
                run.latencies.append(await customer.steps()[steps[customer.id] % 5]())
                steps[customer.id] += 1
            finally:
                idle.append(customer)

        cpu = self.bot.cpu_seconds()
        started = time.perf_counter()
        for tick in range(int(rate * seconds)):
            delay = started + tick / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if not idle:
                run.late += 1
                continue
            task = asyncio.create_task(step(idle.pop(0)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        run.seconds = time.perf_counter() - started
        run.cpu = self.bot.cpu_seconds() - cpu
        run.updates = len(run.latencies)
        return run

    def check(self) -> None:
        self.bot.check_alive()
        rejections = self.server.telegram.rejections
        if rejections:
            raise RuntimeError(
                f"{self.name}: Telegram refused {len(rejections)} calls, first: {rejections[0].method} {rejections[0].description}"
            )
