"""A chat in the fake Bot API: messages as the user sees them, and Telegram's rules for what a bot sends.

``ChatRules`` is the part of ``FakeTelegram`` that checks a message (text
length after entity parsing, HTML, buttons, uploads), keeps it in its chat
and answers with the Bot API's ``Message`` object. It works on the
``FakeTelegram``'s ``users``, ``chats``, ``blocked_by``, ``ids`` and ``bot``.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegrambot.html import HtmlError, render, utf16_length

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_UPLOAD = 50 * 1024 * 1024  # what the Bot API takes in one multipart upload


class Rejected(Exception):
    """Telegram would answer this call with an error."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


@dataclass
class ChatMessage:
    """A message as the user sees it in the chat, kept up to date by edits."""

    chat_id: int
    message_id: int
    from_bot: bool
    kind: str  # text, photo, document, invoice, user (anything the user sent)
    text: str = ""  # what the user sees: HTML rendered to plain text
    html: str = ""  # what the bot sent, before rendering
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    media: Any = None  # photo id/URL, {"filename", "content"} of a document, invoice fields
    date: int = field(default_factory=lambda: int(time.time()))
    edits: int = 0
    deleted: bool = False

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])


class ChatRules:
    """Checking, keeping and presenting the messages a bot sends, for ``FakeTelegram``."""

    users: dict[int, dict[str, Any]]
    chats: dict[int, list[ChatMessage]]
    blocked_by: set[int]
    ids: itertools.count[int]
    bot: dict[str, Any]

    def api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self.chat_of(params)
        text, html = self.check_text(params, "text", MAX_TEXT)
        return self.post(
            ChatMessage(
                chat_id, 0, True, "text", text, html, params.get("parse_mode"), self.check_markup(params)
            )
        )

    def api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self.send_media(params, "photo")

    def api_sendDocument(self, params: dict[str, Any]) -> Any:
        return self.send_media(params, "document")

    def api_editMessageText(self, params: dict[str, Any]) -> Any:
        message = self.find(params, "edit")
        if message.kind != "text":
            raise Rejected("Bad Request: there is no text in the message to edit")
        text, html = self.check_text(params, "text", MAX_TEXT)
        markup = self.check_markup(params)
        if (text, markup) == (message.text, message.reply_markup):
            raise Rejected(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        message.text, message.html, message.parse_mode, message.reply_markup = (
            text,
            html,
            params.get("parse_mode"),
            markup,
        )
        return self.edited(message)

    def api_editMessageCaption(self, params: dict[str, Any]) -> Any:
        message = self.find(params, "edit")
        if message.kind not in ("photo", "document"):
            raise Rejected("Bad Request: there is no caption in the message to edit")
        text, html = self.check_text(params, "caption", MAX_CAPTION, required=False)
        markup = self.check_markup(params)
        if (text, markup) == (message.text, message.reply_markup):
            raise Rejected("Bad Request: message is not modified")
        message.text, message.html, message.parse_mode, message.reply_markup = (
            text,
            html,
            params.get("parse_mode"),
            markup,
        )
        return self.edited(message)

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self.find(params, "edit")
        markup = self.check_markup(params)
        if markup == message.reply_markup:
            raise Rejected("Bad Request: message is not modified")
        message.reply_markup = markup
        return self.edited(message)

    def api_deleteMessage(self, params: dict[str, Any]) -> Any:
        self.find(params, "delete").deleted = True
        return True

    # --- helpers --------------------------------------------------------------
    def chat_of(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise Rejected("Bad Request: chat not found") from None
        if chat_id not in self.users:
            raise Rejected("Bad Request: chat not found")
        if chat_id in self.blocked_by:
            raise Rejected("Forbidden: bot was blocked by the user", 403)
        return chat_id

    def find(self, params: dict[str, Any], action: str) -> ChatMessage:
        chat_id = self.chat_of(params)
        message_id = params.get("message_id")
        for message in self.chats[chat_id]:
            if message.message_id == message_id and not message.deleted:
                if action == "edit" and not message.from_bot:
                    raise Rejected("Bad Request: message can't be edited")
                return message
        raise Rejected(f"Bad Request: message to {action} not found")

    def check_text(
        self, params: dict[str, Any], key: str, limit: int, *, required: bool = True
    ) -> tuple[str, str]:
        raw = params.get(key) or ""
        if params.get("parse_mode") not in (None, "HTML"):
            raise Rejected("Bad Request: only parse_mode HTML is expected from this bot")
        try:
            text = render(raw) if params.get("parse_mode") == "HTML" else raw
        except HtmlError as error:
            raise Rejected(str(error)) from None
        text = text.strip()
        if required and not text:
            raise Rejected(f"Bad Request: {key} must be non-empty")
        if utf16_length(text) > limit:
            raise Rejected(f"Bad Request: {'message' if key == 'text' else key} is too long")
        return text, raw

    def check_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise Rejected("Bad Request: BUTTON_TEXT_EMPTY")
                data, url = button.get("callback_data"), button.get("url")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise Rejected("Bad Request: BUTTON_DATA_INVALID")
                if url is not None and not url.startswith(("http://", "https://", "tg://")):
                    raise Rejected("Bad Request: BUTTON_URL_INVALID")
                if "web_app" in button:
                    # Telegram opens Mini Apps over HTTPS only.
                    if not str((button["web_app"] or {}).get("url", "")).startswith("https://"):
                        raise Rejected("Bad Request: BUTTON_URL_INVALID")
                    url = button["web_app"]["url"]
                if (data is None) == (url is None) and not button.get("pay"):
                    raise Rejected("Bad Request: a button needs exactly one of callback_data and url")
        return markup

    def send_media(self, params: dict[str, Any], kind: str) -> Any:
        chat_id = self.chat_of(params)
        media = params.get(kind)
        if not media:
            raise Rejected(f"Bad Request: there is no {kind} in the request")
        if isinstance(media, dict) and "content" in media:  # an uploaded file
            if not media["content"]:
                raise Rejected("Bad Request: file must be non-empty")
            if len(media["content"]) > MAX_UPLOAD:
                raise Rejected("Request Entity Too Large")
        text, html = self.check_text(params, "caption", MAX_CAPTION, required=False)
        message = ChatMessage(
            chat_id, 0, True, kind, text, html, params.get("parse_mode"), self.check_markup(params), media
        )
        return self.post(message)

    def post(self, message: ChatMessage) -> dict[str, Any]:
        message.message_id = next(self.ids)
        self.chats[message.chat_id].append(message)
        return self.as_telegram(message)

    def edited(self, message: ChatMessage) -> dict[str, Any]:
        message.edits += 1
        return {**self.as_telegram(message), "edit_date": int(time.time())}

    def as_telegram(self, message: ChatMessage) -> dict[str, Any]:
        """Return the message as a Bot API ``Message`` object."""
        user = self.users.get(message.chat_id, {"id": message.chat_id, "first_name": "?"})
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": {"id": message.chat_id, "type": "private", "first_name": user.get("first_name", "?")},
            "from": self.bot if message.from_bot else user,
        }
        if message.kind in ("text", "user"):
            data["text"] = message.text
        elif message.kind == "photo":
            data["photo"] = [
                {
                    "file_id": "photo-%s" % message.message_id,
                    "file_unique_id": "p%s" % message.message_id,
                    "width": 640,
                    "height": 480,
                }
            ]
        elif message.kind == "document":
            name = message.media.get("filename", "file") if isinstance(message.media, dict) else "file"
            # A document sent by its file_id keeps it, as Telegram's does; an upload gets a new one.
            sent_id = message.media if isinstance(message.media, str) else "doc-%s" % message.message_id
            data["document"] = {
                "file_id": sent_id,
                "file_unique_id": "d%s" % message.message_id,
                "file_name": name,
            }
        elif message.kind == "invoice":
            invoice = message.media
            total = sum(price["amount"] for price in invoice["prices"])
            data["invoice"] = {
                "title": invoice["title"],
                "description": invoice["description"],
                "start_parameter": "",
                "currency": invoice["currency"],
                "total_amount": total,
            }
        if message.kind in ("photo", "document") and message.text:
            data["caption"] = message.text
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data
