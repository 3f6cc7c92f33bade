"""A fake Telegram Bot API, in process: it records calls, keeps chats, and refuses what Telegram refuses.

``FakeTelegram`` holds the state (the chats with their visible messages,
answered callback and pre-checkout queries, channel members, Stars charges)
and answers one method call at a time with ``handle(method, params)``; what
a bot may send into a chat, and how it is kept and shown, is
``telegrambot.simulator.fake_chat``, and the Stars ledger ``fake_stars``.
``FakeRequest`` plugs it into python-telegram-bot as its HTTP client, so a
real ``Application`` talks to it with no network; ``telegrambot.testing.server``
serves the same object over HTTP for a ``runbot`` subprocess.

Refusals mirror Telegram's 400 answers: text over 4096 characters (captions
over 1024) after entity parsing, callback data over 64 bytes, malformed HTML
with ``parse_mode=HTML``, edits and deletes of unknown messages, "message is
not modified", a callback query answered twice. Every refused call is kept in
``rejections``, so a test can fail on any of them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

from telegrambot.simulator.fake_chat import ChatMessage, ChatRules, Rejected
from telegrambot.simulator.fake_stars import StarLedger

BOT_ID = 777000111
BOT_USERNAME = "shop_test_bot"
MAX_ALERT = 200
HOLD_MAX = 5.0  # seconds a held method waits at most: a slow Telegram, never a hung test
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
MEMBER_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


@dataclass
class Call:
    """One method call, with what the fake answered."""

    method: str
    params: dict[str, Any]
    ok: bool
    result: Any = None
    description: str = ""


class FakeTelegram(StarLedger, ChatRules):
    """The state of a fake Bot API and its answers to method calls."""

    def __init__(self, *, bot_id: int = BOT_ID, bot_username: str = BOT_USERNAME) -> None:
        self.bot = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Shop",
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.rejections: list[Call] = []
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, list[ChatMessage]] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, dict[str, Any] | None] = {}  # id -> the answer, None while open
        self.pre_checkout_queries: dict[str, dict[str, Any] | None] = {}
        self.charges: dict[str, dict[str, Any]] = {}  # Stars charge id -> {"user_id", "refunded", ...}
        self.channel_members: dict[tuple[str, int], str] = {}
        self.invoice_links: dict[str, dict[str, Any]] = {}  # createInvoiceLink: link -> invoice
        self.menu_buttons: dict[Any, dict[str, Any]] = {}  # setChatMenuButton: chat id (None: default)
        self.blocked_by: set[int] = set()
        self.updates: list[dict[str, Any]] = []  # served by getUpdates (over HTTP)
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (file path, content), for getFile
        self.failures: dict[str, int] = {}  # method -> how many more calls fail (fail_next)
        self.ids = itertools.count(1)
        # Methods whose calls wait for their event (set from any thread) before they are answered.
        self.held: dict[str, threading.Event] = {}
        self.waiting: list[str] = []  # held calls that arrived, in order
        self.methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            name.removeprefix("api_").lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("api_")
        }

    # --- what tests set up ----------------------------------------------------
    def add_user(self, user: dict[str, Any]) -> None:
        self.users[user["id"]] = user
        self.chats.setdefault(user["id"], [])

    def set_channel_member(self, channel: str, user_id: int, status: str = "member") -> None:
        self.channel_members[(str(channel), user_id)] = status

    def add_user_message(self, chat_id: int, text: str = "") -> ChatMessage:
        """Put a message from the user into the chat, with the next message id."""
        message = ChatMessage(
            chat_id=chat_id, message_id=next(self.ids), from_bot=False, kind="user", text=text
        )
        self.chats.setdefault(chat_id, []).append(message)
        return message

    def add_file(self, content: bytes, *, suffix: str = "") -> tuple[str, str]:
        """Store a file a user sends, as Telegram's servers would; return (file_id, file_unique_id)."""
        number = next(self.ids)
        file_id = f"BQACAgIAAxkBAAI{number:08d}file"
        self.files[file_id] = (f"documents/file_{number}{suffix}", bytes(content))
        return file_id, f"u{number}"

    def download(self, url: str) -> tuple[int, bytes]:
        """Serve ``<base_file_url><token>/<file_path>`` as Telegram's file server does."""
        for path, content in self.files.values():
            if url.endswith("/" + path):
                return 200, content
        return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()

    def open_callback_query(self) -> str:
        query_id = str(next(self.ids))
        self.callback_queries[query_id] = None
        return query_id

    def open_pre_checkout_query(self) -> str:
        query_id = str(next(self.ids))
        self.pre_checkout_queries[query_id] = None
        return query_id

    # --- what tests read ------------------------------------------------------
    def visible(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.chats.get(chat_id, []) if not message.deleted]

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.visible(chat_id) if message.from_bot]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def hold(self, method: str) -> threading.Event:
        """Make calls of ``method`` wait until the returned event is set, or ``HOLD_MAX`` seconds."""
        self.held[method.lower()] = threading.Event()
        return self.held[method.lower()]

    async def wait_if_held(self, method: str) -> None:
        """Wait, without blocking the event loop, while ``method`` is held."""
        gate = self.held.get(method.lower())
        if gate is not None:
            self.waiting.append(method)
            await asyncio.to_thread(gate.wait, HOLD_MAX)

    # --- answering ------------------------------------------------------------
    def fail_next(self, method: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail as Telegram does when it is down (500)."""
        self.failures[method.lower()] = self.failures.get(method.lower(), 0) + times

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one call as Telegram would: (HTTP status, JSON body)."""
        handler = self.methods.get(method.lower())
        try:
            if self.failures.get(method.lower()):
                self.failures[method.lower()] -= 1
                raise Rejected("Internal Server Error", 500)
            if handler is None:
                raise Rejected("Not Found", 404)
            result = handler(params)
        except Rejected as error:
            call = Call(method, params, ok=False, description=error.description)
            self.calls.append(call)
            self.rejections.append(call)
            return error.code, {"ok": False, "error_code": error.code, "description": error.description}
        self.calls.append(Call(method, params, ok=True, result=result))
        return 200, {"ok": True, "result": result}

    def api_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot

    def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    def api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        self.updates = [update for update in self.updates if update["update_id"] >= offset]
        return list(self.updates)

    def api_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if not (1 <= len(command.get("command", "")) <= 32) or not (
                1 <= len(command.get("description", "")) <= 256
            ):
                raise Rejected("Bad Request: BOT_COMMAND_INVALID")
        self.commands[params.get("language_code")] = commands
        return True

    def api_getChatMember(self, params: dict[str, Any]) -> Any:
        user_id = int(params["user_id"])
        status = self.channel_members.get((str(params["chat_id"]), user_id), "left")
        member: dict[str, Any] = {
            "status": status,
            "user": self.users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "?"}),
        }
        if status == "administrator":
            member.update(dict.fromkeys(ADMIN_RIGHTS, False), can_be_edited=False, is_anonymous=False)
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "restricted":
            member.update(dict.fromkeys(MEMBER_RIGHTS, True), is_member=True, until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def api_getFile(self, params: dict[str, Any]) -> Any:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise Rejected("Bad Request: invalid file_id")
        path, content = stored
        return {
            "file_id": params["file_id"],
            "file_unique_id": path,
            "file_size": len(content),
            "file_path": path,
        }

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        if query_id not in self.callback_queries or self.callback_queries[query_id] is not None:
            raise Rejected(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.get("text") or "") > MAX_ALERT:
            raise Rejected("Bad Request: MESSAGE_TOO_LONG")
        self.callback_queries[query_id] = {
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert")),
        }
        return True

    def api_answerPreCheckoutQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["pre_checkout_query_id"])
        if query_id not in self.pre_checkout_queries or self.pre_checkout_queries[query_id] is not None:
            raise Rejected("Bad Request: QUERY_ID_INVALID")
        if not params.get("ok") and not params.get("error_message"):
            raise Rejected("Bad Request: error_message is required when ok is False")
        self.pre_checkout_queries[query_id] = {
            "ok": bool(params.get("ok")),
            "error_message": params.get("error_message"),
        }
        return True

    def api_refundStarPayment(self, params: dict[str, Any]) -> Any:
        charge = self.charges.get(str(params.get("telegram_payment_charge_id")))
        if charge is None or charge["user_id"] != int(params["user_id"]):
            raise Rejected("Bad Request: CHARGE_NOT_FOUND")
        if charge["refunded"]:
            raise Rejected("Bad Request: CHARGE_ALREADY_REFUNDED")
        charge["refunded"] = True
        charge["refunded_date"] = int(time.time())
        return True

    def api_sendInvoice(self, params: dict[str, Any]) -> Any:
        chat_id = self.chat_of(params)
        invoice = self.check_invoice(params)
        message = ChatMessage(
            chat_id,
            0,
            True,
            "invoice",
            invoice["title"],
            reply_markup=self.check_markup(params),
            media=invoice,
        )
        return self.post(message)

    def api_createInvoiceLink(self, params: dict[str, Any]) -> Any:
        """The Mini App's invoice: a link ``openInvoice`` opens; kept in ``invoice_links``."""
        invoice = self.check_invoice(params)
        link = f"https://t.me/$invoice-{next(self.ids)}"
        self.invoice_links[link] = invoice
        return link

    def api_setChatMenuButton(self, params: dict[str, Any]) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            app = button.get("web_app") or {}
            if not button.get("text") or not str(app.get("url", "")).startswith("https://"):
                raise Rejected("Bad Request: BUTTON_URL_INVALID")
        self.menu_buttons[params.get("chat_id")] = button
        return True

    def check_invoice(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the invoice's fields, refusing what Telegram refuses."""
        invoice = {
            key: params.get(key)
            for key in ("title", "description", "payload", "currency", "prices", "provider_token")
        }
        if not 1 <= len(invoice["title"] or "") <= 32 or not 1 <= len(invoice["description"] or "") <= 255:
            raise Rejected("Bad Request: invoice title must be 1-32 and description 1-255 characters")
        if not 1 <= len((invoice["payload"] or "").encode()) <= 128:
            raise Rejected("Bad Request: INVOICE_PAYLOAD_INVALID")
        prices = invoice["prices"] or []
        if not prices or any(
            not isinstance(price.get("amount"), int) or price["amount"] <= 0 for price in prices
        ):
            raise Rejected("Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        if invoice["currency"] == "XTR" and (len(prices) != 1 or invoice["provider_token"]):
            raise Rejected("Bad Request: Stars invoices take one price and no provider token")
        if invoice["currency"] != "XTR" and not invoice["provider_token"]:
            raise Rejected("Bad Request: PAYMENT_PROVIDER_INVALID")
        return invoice


class FakeRequest(BaseRequest):
    """python-telegram-bot's HTTP client replaced by a ``FakeTelegram``."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            return self.telegram.download(url)
        params = dict(request_data.parameters) if request_data else {}
        if request_data and request_data.contains_files:
            for name, (filename, content, *_rest) in request_data.multipart_data.items():
                data = content.read() if hasattr(content, "read") else content
                params[name] = {"filename": filename, "content": data}
        method = url.rsplit("/", 1)[-1]
        await self.telegram.wait_if_held(method)
        status, body = self.telegram.handle(method, params)
        return status, json.dumps(body).encode()
