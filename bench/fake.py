"""The fake Bot API over HTTP with a stopwatch, and the simulated customers who use it.

``TimedTelegram`` is the test suite's ``FakeTelegram`` (same checks, same
answers) that also notes when the bot's answer to an update arrives and
forgets what a long run would pile up. ``Customer`` pushes updates and
waits for the screen that answers them: the reaction latency is the time
from handing the update to the fake to the bot's send or edit arriving.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.server import FakeTelegramServer

SCREEN_METHODS = {"sendmessage", "editmessagetext", "sendphoto", "senddocument", "sendinvoice"}
KEEP_MESSAGES = 4  # per chat: enough for the screen in use, bounded for long runs


class TimedTelegram(FakeTelegram):
    """A FakeTelegram that wakes the customer whose chat the bot just answered."""

    def __init__(self) -> None:
        super().__init__()
        self.waiters: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.method_counts: dict[str, int] = defaultdict(int)
        self.polls = 0
        # A flood limit as Telegram's: over ``flood_rate`` messages in a second, 429 with retry_after.
        self.flood_rate: float | None = None
        self.recent_sends: deque[float] = deque()
        self.floods = 0
        self.delivered: dict[int, int] = defaultdict(int)  # chat id -> messages accepted
        self.sent_at: list[float] = []
        self.screens: dict[int, int] = defaultdict(int)  # chat id -> screens accepted (answers)

    def flooded(self, name: str) -> bool:
        if self.flood_rate is None or name != "sendmessage":
            return False
        now = time.monotonic()
        while self.recent_sends and now - self.recent_sends[0] > 1.0:
            self.recent_sends.popleft()
        if len(self.recent_sends) >= self.flood_rate:
            self.floods += 1
            return True
        self.recent_sends.append(now)
        return False

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        arrived = time.perf_counter()
        name = method.lower()
        if self.flooded(name):
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        status, body = super().handle(method, params)
        if name == "sendmessage" and status == 200:
            self.delivered[int(params.get("chat_id") or 0)] += 1
            self.sent_at.append(arrived)
        self.method_counts[name] += 1
        self.calls.clear()  # the tests' call log would grow without bound here
        if name == "getupdates":
            self.polls += 1
        elif name in SCREEN_METHODS:
            chat_id = int(params.get("chat_id") or 0)
            if status == 200:
                self.screens[chat_id] += 1
            chat = self.chats.get(chat_id)
            if chat is not None and len(chat) > KEEP_MESSAGES:
                del chat[: len(chat) - KEEP_MESSAGES]
            if status != 200 and "not modified" in str(body.get("description", "")):
                # An edit to what the screen already shows (a press handled again after its
                # worker died): nothing changes for the user, and it answers nothing they sent.
                return status, body
            waiter = self.waiters.pop(chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result({"at": arrived, "ok": status == 200, "body": body})
        return status, body


class Customer:
    """One Telegram user clicking through the shop, one update at a time."""

    def __init__(
        self,
        server: FakeTelegramServer,
        telegram_id: int,
        *,
        seed: int = 0,
        deliver: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        self.server = server
        # How an update reaches the bot: queued for getUpdates (polling), or ``deliver`` (a webhook post).
        self.deliver = deliver
        self.telegram: TimedTelegram = server.telegram  # type: ignore[assignment]
        self.id = telegram_id
        self.user = {
            "id": telegram_id,
            "is_bot": False,
            "first_name": f"Bench {telegram_id}",
            "language_code": "en",
        }
        self.telegram.add_user(self.user)
        self.random = random.Random(seed or telegram_id)
        self.screen: dict[str, Any] | None = None  # the latest bot message, as Telegram returns it

    async def send(self, text: str, *, timeout: float = 30.0) -> float:
        """Send a text message and wait for the answer; return the reaction latency in seconds."""
        message = self.telegram.add_user_message(self.id, text)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "from": self.user,
            "text": text,
            "chat": {"id": self.id, "type": "private", "first_name": self.user["first_name"]},
        }
        if text.startswith("/"):
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self.push({"message": data}, timeout=timeout)

    async def press(self, data: str, *, timeout: float = 30.0) -> float:
        """Press a button with ``data`` on the current screen; return the reaction latency."""
        query = {
            "id": self.telegram.open_callback_query(),
            "from": self.user,
            "chat_instance": f"ci-{self.id}",
            "data": data,
        }
        if self.screen is not None:
            query["message"] = self.screen
        return await self.push({"callback_query": query}, timeout=timeout)

    async def push(self, update: dict[str, Any], *, timeout: float) -> float:
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.telegram.waiters[self.id] = waiter
        started = time.perf_counter()
        if self.deliver is None:
            self.server.push_update(update)
        else:
            await self.deliver({"update_id": next(self.server.update_ids), **update})
        answer = await asyncio.wait_for(waiter, timeout)
        result = answer["body"].get("result")
        if isinstance(result, dict):
            self.screen = result
        return answer["at"] - started

    def buttons(self, prefix: str) -> list[str]:
        """The callback data on the current screen that starts with ``prefix:``."""
        keyboard = (self.screen or {}).get("reply_markup", {}).get("inline_keyboard", [])
        return [
            button["callback_data"]
            for row in keyboard
            for button in row
            if button.get("callback_data", "").split(":")[0] == prefix
        ]

    def choose(self, prefix: str) -> str:
        found = self.buttons(prefix)
        if not found:
            text = (self.screen or {}).get("text", "")[:200]
            raise RuntimeError(f"no {prefix!r} button on the screen of {self.id}: {text!r}")
        return self.random.choice(found)

    async def browse(self) -> list[float]:
        """/start -> shop -> a category -> a product -> back: five updates; return their latencies."""
        latencies = [await self.send("/start")]
        latencies.append(await self.press(self.choose("shop")))
        latencies.append(await self.press(self.choose("cat")))
        latencies.append(await self.press(self.choose("prod")))
        latencies.append(await self.press(self.choose("cat")))
        return latencies

    def steps(self) -> list[Any]:
        """The same five updates as coroutine factories, for the open-loop run."""
        return [
            lambda: self.send("/start"),
            lambda: self.press(self.choose("shop")),
            lambda: self.press(self.choose("cat")),
            lambda: self.press(self.choose("prod")),
            lambda: self.press(self.choose("cat")),
        ]


async def start_server(latency: float = 0.0, telegram: TimedTelegram | None = None) -> FakeTelegramServer:
    """Start the fake Bot API; it answers every call ``latency`` seconds later, as a real network."""
    server = FakeTelegramServer(telegram or TimedTelegram())
    server.latency = latency
    await server.start()
    return server


async def wait_for_polling(server: FakeTelegramServer, *, timeout: float = 60.0) -> None:
    """Wait until the bot has started long polling (its first getUpdates)."""
    telegram: TimedTelegram = server.telegram  # type: ignore[assignment]
    deadline = time.monotonic() + timeout
    while telegram.polls == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the bot did not start polling")
        await asyncio.sleep(0.05)
