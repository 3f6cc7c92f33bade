"""The chat as the page shows it: each fake Telegram message as JSON with safe HTML.

Only presentation: the text's HTML through ``to_safe_html``, buttons by kind,
photos (an https URL, bytes the bot uploaded, or a placeholder for a file id),
documents with a download link, invoices with their total, and the service
line Telegram shows after a payment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from payments.money import STARS, format_money, from_minor_units
from telegrambot.simulator.fake_telegram import ChatMessage
from telegrambot.simulator.html import to_safe_html
from telegrambot.simulator.images import image_type
from telegrambot.simulator.telegram import SimulatedTelegram

MAX_MESSAGES = 200  # the page shows the latest ones


def money(total: int, currency: str) -> str:
    if currency == STARS:
        return f"⭐ {total}"
    return format_money(from_minor_units(total, currency), currency)


def chat_json(
    telegram: SimulatedTelegram, messages: list[ChatMessage], file_url: Callable[[ChatMessage], str]
) -> list[dict[str, Any]]:
    return [message_json(telegram, message, file_url) for message in messages[-MAX_MESSAGES:]]


def message_json(
    telegram: SimulatedTelegram, message: ChatMessage, file_url: Callable[[ChatMessage], str]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "kind": message.kind,
        "html": to_safe_html(message.html, message.parse_mode)
        if message.from_bot
        else to_safe_html(message.text, None),
        "date": message.date,
        "edited": message.edits > 0,
        "buttons": buttons_json(message),
    }
    if message.kind == "photo" or is_picture_from_user(message):
        data["photo"] = photo_json(telegram, message, file_url)
    elif message.kind == "document" or (message.kind == "user" and has_bytes(message)):
        data["document"] = document_json(message, file_url)
    elif message.kind == "invoice":
        data["invoice"] = invoice_json(telegram, message)
    elif message.kind == "user" and isinstance(message.media, dict) and "successful_payment" in message.media:
        payment = message.media["successful_payment"]
        data["service"] = (
            f"You paid {money(payment['total_amount'], payment['currency'])} to {telegram.bot['first_name']}"
        )
    return data


def buttons_json(message: ChatMessage) -> list[list[dict[str, Any]]]:
    rows = []
    for row in message.buttons:
        cells = []
        for button in row:
            cell: dict[str, Any] = {"text": button.get("text", "")}
            if "url" in button:
                cell.update(kind="url", url=button["url"])
            elif button.get("pay"):
                cell["kind"] = "pay"
            else:
                cell["kind"] = "callback"
            cells.append(cell)
        rows.append(cells)
    return rows


def is_picture_from_user(message: ChatMessage) -> bool:
    return message.kind == "user" and has_bytes(message) and image_type(message.media["content"]) is not None


def has_bytes(message: ChatMessage) -> bool:
    return isinstance(message.media, dict) and isinstance(message.media.get("content"), bytes)


def photo_json(
    telegram: SimulatedTelegram, message: ChatMessage, file_url: Callable[[ChatMessage], str]
) -> dict[str, Any]:
    media = message.media
    if isinstance(media, str) and media.lower().startswith("https://"):
        return {"src": media}
    if has_bytes(message) and image_type(media["content"]):
        return {"src": file_url(message)}
    if isinstance(media, str) and image_type(telegram.file_content(media) or b""):
        return {"src": file_url(message)}  # a photo sent in this chat, sent again by its file id
    # A Telegram file id (say, from the demo catalog) has no picture outside Telegram.
    return {"src": None}


def document_json(message: ChatMessage, file_url: Callable[[ChatMessage], str]) -> dict[str, Any]:
    media = message.media
    if has_bytes(message):
        return {
            "name": media.get("filename") or "file",
            "size": len(media["content"]),
            "url": file_url(message),
        }
    if isinstance(media, str) and media.lower().startswith(("https://", "http://")):
        return {"name": media.rsplit("/", 1)[-1] or "file", "size": None, "url": media}
    return {"name": "file", "size": None, "url": None}


def invoice_json(telegram: SimulatedTelegram, message: ChatMessage) -> dict[str, Any]:
    invoice = message.media
    total = sum(price["amount"] for price in invoice["prices"])
    return {
        "title": invoice["title"],
        "description": invoice["description"],
        "currency": invoice["currency"],
        "total": money(total, invoice["currency"]),
        "prices": [
            {"label": price["label"], "amount": money(price["amount"], invoice["currency"])}
            for price in invoice["prices"]
        ],
        "paid": message.message_id in telegram.paid_invoices,
    }
