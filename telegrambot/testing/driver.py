"""Drive the real bot like a Telegram user: send text, press buttons by label, read the screen.

    shop = Shop()
    await shop.start()                      # build_application() over a FakeTelegram
    user = await shop.user(1001, language_code="en")
    await user.send("/start")
    await user.press("🛍 Shop")
    assert "Choose a category" in user.screen.text
    await shop.stop()

Every action runs the update through ``Application.process_update`` and then
checks, unless told otherwise, that Telegram refused no call, that no handler
raised anything but a ``ShopError``, and that a press was answered once.
``shop.restart()`` builds a new Application over the same fake and database,
as a restart of ``runbot`` would.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from shopbot.errors import ShopError
from telegrambot.application import build_application
from telegrambot.simulator.fake_telegram import ChatMessage, FakeRequest, FakeTelegram

TOKEN = "123456:TEST-TOKEN"


class BotMisbehaved(AssertionError):
    """The bot made Telegram refuse a call, raised an unexpected error or left a press unanswered."""


@dataclass(frozen=True)
class Screen:
    """What the user sees in the latest bot message."""

    text: str
    html: str
    buttons: list[list[str]]
    message: ChatMessage | None

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def __contains__(self, fragment: str) -> bool:
        return fragment in self.text


class Shop:
    """The real Application over a fake Bot API, and the users talking to it."""

    def __init__(self, telegram: FakeTelegram | None = None) -> None:
        self.telegram = telegram or FakeTelegram()
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.errors: list[BaseException] = []
        self.check_rejections = True
        self.update_ids = itertools.count(1)

    async def start(self) -> None:
        """Build and initialize the application, then run its post_init as runbot would."""
        application = build_application(token=TOKEN, request=FakeRequest(self.telegram))
        # First, because the shop's error handler stops the chain once it has answered.
        existing = dict(application.error_handlers)
        application.error_handlers.clear()
        application.add_error_handler(self.record_error)
        for callback, block in existing.items():
            application.add_error_handler(callback, block=block)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        self.application = application

    async def stop(self) -> None:
        if self.application is not None:
            await self.application.shutdown()
            self.application = None

    async def restart(self) -> None:
        """Throw the application away and build a new one, keeping the chats and the database."""
        await self.stop()
        await self.start()

    async def record_error(self, update: object, context: Any) -> None:
        if isinstance(context.error, ShopError):
            return
        if isinstance(context.error, TelegramError) and not self.check_rejections:
            return  # caused by a refusal the test allowed
        self.errors.append(context.error)

    async def user(
        self,
        telegram_id: int,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
        username: str | None = None,
    ) -> ChatUser:
        """Return a user who can talk to the bot (nothing is sent yet)."""
        data = {"id": telegram_id, "is_bot": False, "first_name": first_name}
        if language_code:
            data["language_code"] = language_code
        if username:
            data["username"] = username
        self.telegram.add_user(data)
        return ChatUser(self, data)

    async def process(self, update: dict[str, Any], *, strict: bool = True) -> None:
        """Run one update through the application; in strict mode, fail on any misbehaviour."""
        assert self.application is not None, "call await shop.start() first"
        rejections, errors = len(self.telegram.rejections), len(self.errors)
        update = {"update_id": next(self.update_ids), **update}
        await self.application.process_update(Update.de_json(update, self.application.bot))
        if not strict:
            return
        if self.check_rejections and len(self.telegram.rejections) > rejections:
            refused = self.telegram.rejections[rejections:]
            raise BotMisbehaved(
                "Telegram refused: " + "; ".join(f"{call.method}: {call.description}" for call in refused)
            )
        if len(self.errors) > errors:
            raise BotMisbehaved(f"a handler raised {self.errors[errors]!r}") from self.errors[errors]


class ChatUser:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, shop: Shop, data: dict[str, Any]) -> None:
        self.shop = shop
        self.data = data
        self.id: int = data["id"]
        self.last_answer: dict[str, Any] | None = None

    @property
    def telegram(self) -> FakeTelegram:
        return self.shop.telegram

    # --- acting ---------------------------------------------------------------
    async def send(self, text: str, *, strict: bool = True) -> None:
        """Send a text message (a command when it starts with "/")."""
        message = self.telegram.add_user_message(self.id, text)
        data = {**self.message_base(message), "text": text}
        if text.startswith("/"):
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self.shop.process({"message": data}, strict=strict)

    async def edit_last_message(self, text: str, *, strict: bool = True) -> None:
        """Edit the user's latest message to ``text``, as Telegram reports an edit."""
        message = [m for m in self.telegram.chats.get(self.id, []) if not m.from_bot][-1]
        data = {**self.message_base(message), "text": text, "edit_date": int(time.time())}
        await self.shop.process({"edited_message": data}, strict=strict)

    async def send_sticker(self, *, strict: bool = True) -> None:
        message = self.telegram.add_user_message(self.id)
        sticker = {
            "file_id": "sticker",
            "file_unique_id": "s",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        await self.shop.process(
            {"message": {**self.message_base(message), "sticker": sticker}}, strict=strict
        )

    async def send_in_group(self, text: str, *, chat_id: int = -100123) -> None:
        """Send a message in a group the bot is in (the bot must ignore it)."""
        data = {
            "message_id": 1,
            "date": int(time.time()),
            "from": self.data,
            "text": text,
            "chat": {"id": chat_id, "type": "supergroup", "title": "Group"},
        }
        if text.startswith("/"):
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self.shop.process({"message": data})

    async def press(self, label: str, *, strict: bool = True) -> dict[str, Any] | None:
        """Press the button called ``label`` on the latest bot message with a keyboard; return the answer."""
        message = self.keyboard_message()
        button = find_button(message, label)
        if "callback_data" not in button:
            raise AssertionError(f"{label!r} is a link to {button.get('url')}, not a button to press")
        return await self.press_data(button["callback_data"], message=message, strict=strict)

    async def press_data(
        self, data: str, *, message: ChatMessage | None = None, strict: bool = True
    ) -> dict[str, Any] | None:
        """Send a callback query with any ``data``, as a forged client could; return the answer."""
        message = message or self.keyboard_message(required=False) or self.latest_bot_message()
        query_id = self.telegram.open_callback_query()
        query: dict[str, Any] = {
            "id": query_id,
            "from": self.data,
            "chat_instance": f"ci-{self.id}",
            "data": data,
        }
        if message is not None:
            query["message"] = self.telegram.as_telegram(message)
        await self.shop.process({"callback_query": query}, strict=strict)
        self.last_answer = self.telegram.callback_queries[query_id]
        if strict and self.last_answer is None:
            raise BotMisbehaved(f"the press of {data!r} was not answered")
        return self.last_answer

    async def block_bot(self) -> None:
        """Block the bot in Telegram: later messages to this user are refused with 403."""
        self.telegram.blocked_by.add(self.id)
        member = {
            "chat": {"id": self.id, "type": "private", "first_name": self.data["first_name"]},
            "from": self.data,
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": self.telegram.bot},
            "new_chat_member": {"status": "kicked", "user": self.telegram.bot, "until_date": 0},
        }
        await self.shop.process({"my_chat_member": member})

    async def pre_checkout(self, *, payload: str, currency: str, total_amount: int) -> dict[str, Any] | None:
        """Send the pre-checkout query Telegram sends before charging; return the bot's answer."""
        query_id = self.telegram.open_pre_checkout_query()
        query = {
            "id": query_id,
            "from": self.data,
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
        await self.shop.process({"pre_checkout_query": query})
        return self.telegram.pre_checkout_queries[query_id]

    async def successful_payment(
        self, *, payload: str, currency: str, total_amount: int, charge_id: str | None = None
    ) -> str:
        """Send the service message of a completed payment; return its Telegram charge id."""
        charge_id = charge_id or f"charge-{next(self.telegram.ids)}"
        charge = self.telegram.charges.setdefault(charge_id, {"user_id": self.id, "refunded": False})
        charge.setdefault("amount", total_amount)
        charge.setdefault("payload", payload)
        charge.setdefault("date", int(time.time()))
        message = self.telegram.add_user_message(self.id)
        payment = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": f"provider-{charge_id}",
        }
        await self.shop.process({"message": {**self.message_base(message), "successful_payment": payment}})
        return charge_id

    async def refunded_payment(
        self, *, payload: str, currency: str, total_amount: int, charge_id: str
    ) -> None:
        """Send the service message of a payment Telegram refunded outside the bot (Bot API 7.10)."""
        message = self.telegram.add_user_message(self.id)
        refunded = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
        }
        await self.shop.process({"message": {**self.message_base(message), "refunded_payment": refunded}})

    @contextmanager
    def allowing_rejections(self) -> Iterator[None]:
        """Let a block of actions make Telegram refuse calls (a user who blocked the bot, say)."""
        before = len(self.telegram.rejections)
        self.shop.check_rejections = False
        try:
            yield
        finally:
            self.shop.check_rejections = True
            del self.telegram.rejections[before:]

    # --- seeing ---------------------------------------------------------------
    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's visible messages in this chat, oldest first."""
        return self.telegram.bot_messages(self.id)

    def latest_bot_message(self) -> ChatMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    def keyboard_message(self, *, required: bool = True) -> ChatMessage | None:
        for message in reversed(self.messages):
            if message.buttons:
                return message
        if required:
            raise AssertionError("no bot message with buttons in the chat")
        return None

    @property
    def screen(self) -> Screen:
        """The latest bot message: its text and its buttons' labels."""
        message = self.latest_bot_message()
        if message is None:
            return Screen("", "", [], None)
        return Screen(
            message.text,
            message.html,
            [[button["text"] for button in row] for row in message.buttons],
            message,
        )

    @property
    def alert(self) -> str | None:
        """The text of the answer to the last press (a toast or an alert), if any."""
        return (self.last_answer or {}).get("text")

    def message_base(self, message: ChatMessage) -> dict[str, Any]:
        return {
            "message_id": message.message_id,
            "date": message.date,
            "from": self.data,
            "chat": {"id": self.id, "type": "private", "first_name": self.data["first_name"]},
        }

    # --- exploring ------------------------------------------------------------
    async def crawl(
        self, *, start: str = "/start", limit: int = 300, skip: tuple[str, ...] = ()
    ) -> list[str]:
        """Press every button reachable from ``start``, breadth first; return the callback data pressed.

        Each button is reached as a user would: ``start`` is sent again, then
        the presses that led to the button are replayed. Every press runs in
        strict mode, so a refused call, an unexpected error or an unanswered
        press fails the crawl. Callback data starting with a prefix in
        ``skip`` is not pressed.
        """
        pressed: list[str] = []
        seen: set[str] = set()
        queue: list[list[str]] = [[]]
        while queue and len(pressed) < limit:
            path = queue.pop(0)
            await self.send(start)
            for data in path:
                await self.press_data(data)
            if path:
                pressed.append(path[-1])
            for data in self.keyboard_data():
                if data not in seen and not data.startswith(skip):
                    seen.add(data)
                    queue.append([*path, data])
        return pressed

    def keyboard_data(self) -> list[str]:
        """The callback data of the buttons on the latest bot message with a keyboard."""
        message = self.keyboard_message(required=False)
        return [
            button["callback_data"]
            for row in (message.buttons if message else [])
            for button in row
            if "callback_data" in button
        ]


def find_button(message: ChatMessage | None, label: str) -> dict[str, Any]:
    """Return the button labelled exactly ``label``, or the only one starting with it."""
    buttons = [button for row in (message.buttons if message else []) for button in row]
    exact = [button for button in buttons if button["text"] == label]
    if exact:
        return exact[0]
    starting = [button for button in buttons if button["text"].startswith(label)]
    if len(starting) == 1:
        return starting[0]
    labels = [button["text"] for button in buttons]
    raise AssertionError(f"no single button {label!r} on the screen; buttons: {labels}")
