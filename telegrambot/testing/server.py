"""The fake Bot API served over HTTP on 127.0.0.1, for a bot in another process.

    server = FakeTelegramServer(FakeTelegram())
    url = await server.start()          # TELEGRAM_API_URL for `manage.py runbot`
    server.push_update({"message": {...}})
    await server.wait_until(lambda: telegram.bot_messages(1001))
    await server.stop()

Calls go to the same ``FakeTelegram.handle`` as in process; ``getUpdates``
long-polls: it waits up to its ``timeout`` for an update pushed by the test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from telegrambot.simulator.fake_telegram import FakeTelegram

# python-telegram-bot sends form fields JSON-encoded, except strings, which are sent as they are;
# a JSON body's values are brought to the same form, so both read alike.
JSON_FIELDS = {
    "reply_markup",
    "menu_button",
    "prices",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "caption_entities",
    "allowed_updates",
    "suggested_tip_amounts",
    "show_alert",
    "ok",
    "drop_pending_updates",
    "disable_notification",
    "protect_content",
    "is_flexible",
    "need_name",
    "need_email",
}
INT_FIELDS = {"message_id", "user_id", "offset", "limit", "timeout", "cache_time", "max_tip_amount"}
MAX_POLL_SECONDS = 5.0


def decode(fields: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, web.FileField):
            params[key] = {"filename": value.filename, "content": value.file.read()}
        elif key in JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in INT_FIELDS or (key == "chat_id" and value.lstrip("-").isdigit()):
            params[key] = int(value)
        else:
            params[key] = value
    return params


class FakeTelegramServer:
    """An aiohttp server in front of a ``FakeTelegram``."""

    def __init__(self, telegram: FakeTelegram, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.telegram = telegram
        self.host, self.port = host, port
        self.update_ids = itertools.count(1)
        self.new_update = asyncio.Event()
        self.runner: web.AppRunner | None = None
        # Seconds to hold the answer to a method, to catch the bot in the middle of a call.
        self.slow_methods: dict[str, float] = {}
        # Calls about these chats wait until their event is set: one customer's Telegram stalls.
        self.held_chats: dict[int, asyncio.Event] = {}
        self.holding: list[web.Request] = []  # the calls waiting for a held chat
        self.calls_started: list[str] = []
        self.content_types: list[tuple[str, str]] = []  # (method, the body's content type) of each call
        # Seconds every answer waits, as a real network's round trip (0 answers at once).
        self.latency = 0.0
        # ``track(method, params)`` names whose call it is (or None); the most calls of one
        # name seen in flight at once are kept in ``most_in_flight``.
        self.track: Callable[[str, dict[str, Any]], Any] | None = None
        self.in_flight: dict[Any, int] = {}
        self.most_in_flight: dict[Any, int] = {}

    async def start(self) -> str:
        """Start serving and return the base URL to use as TELEGRAM_API_URL."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.answer)
        app.router.add_get("/file/bot{token}/{path:.+}", self.serve_file)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot's next getUpdates."""
        update = {"update_id": next(self.update_ids), **update}
        self.telegram.updates.append(update)
        self.new_update.set()
        return update

    async def wait_until(self, condition: Callable[[], object], *, timeout: float = 20.0) -> None:
        """Wait until ``condition()`` is true, or fail after ``timeout`` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the bot did not do what was expected in time")
            await asyncio.sleep(0.05)

    def held_callers_gone(self) -> bool:
        """Whether every bot with a call waiting for a held chat has hung up (it stopped or was killed)."""
        return all(request.transport is None or request.transport.is_closing() for request in self.holding)

    async def serve_file(self, request: web.Request) -> web.Response:
        """Telegram's file server: ``/file/bot<token>/<file_path>`` of a file ``getFile`` described."""
        status, content = self.telegram.download(str(request.url))
        return web.Response(body=content, status=status)

    async def answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.content_types.append((method, request.content_type))
        fields: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            fields.update(
                {
                    key: value if isinstance(value, str) else json.dumps(value)
                    for key, value in (await request.json()).items()
                }
            )
        elif request.can_read_body:
            fields.update(await request.post())
        params = decode(fields)
        self.calls_started.append(method)
        whose = None if self.track is None else self.track(method, params)
        if whose is None:
            return await self.answer_call(request, method, params)
        self.in_flight[whose] = self.in_flight.get(whose, 0) + 1
        self.most_in_flight[whose] = max(self.most_in_flight.get(whose, 0), self.in_flight[whose])
        try:
            return await self.answer_call(request, method, params)
        finally:
            self.in_flight[whose] -= 1

    async def answer_call(self, request: web.Request, method: str, params: dict[str, Any]) -> web.Response:
        if method.lower() == "getupdates":
            await self.wait_for_updates(params)
        held = (
            self.held_chats.get(int(params["chat_id"])) if str(params.get("chat_id", "")).isdigit() else None
        )
        if held is not None:
            self.holding.append(request)
            try:
                await held.wait()
            finally:
                self.holding.remove(request)
        await self.telegram.wait_if_held(method)
        delay = self.slow_methods.get(method, 0) + (self.latency if method.lower() != "getupdates" else 0)
        if delay:
            await asyncio.sleep(delay)
        if (held is not None or method in self.slow_methods) and (
            request.transport is None or request.transport.is_closing()
        ):
            # The bot hung up before the answer (it stopped, or was killed): the call does not count.
            return web.Response(status=499)
        status, body = self.telegram.handle(method, params)
        return web.json_response(body, status=status)

    async def wait_for_updates(self, params: dict[str, Any]) -> None:
        offset = int(params.get("offset") or 0)
        if any(update["update_id"] >= offset for update in self.telegram.updates):
            return
        self.new_update.clear()
        try:
            await asyncio.wait_for(
                self.new_update.wait(), timeout=min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
            )
        except TimeoutError:
            pass
