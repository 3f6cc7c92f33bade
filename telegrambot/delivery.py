"""Handing over delivered values: the one way every path that shows them does it.

A balance purchase, a cart checkout, a Stars or card order, the purchase
history and the admin's order look-up all show values from the database, and
a value may be up to 4,000 characters (several of them far more). Telegram
refuses a message over 4096 characters after parsing, so each path builds its
message with the values and a short one without them; the first is sent when
it fits, otherwise the short one and the values as a ``.txt`` document.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InputFile

from catalog.models import Purchase
from payments.money import format_money
from telegrambot.texts.catalog import fits_message


@dataclass(frozen=True)
class Receipt:
    """The message to show and, when the values do not fit it, the document that carries them."""

    text: str
    file_name: str = ""
    file_content: str = ""

    @property
    def has_file(self) -> bool:
        return bool(self.file_name)


def receipt(purchases: Sequence[Purchase], *, full: str, short: str) -> Receipt:
    """Return ``full`` (the message with the values) if Telegram takes it, else ``short`` and the file."""
    if fits_message(full):
        return Receipt(full)
    return Receipt(short, file_name(purchases), file_content(purchases))


def file_content(purchases: Sequence[Purchase]) -> str:
    """One value as it is (a key file stays a key file); several, each under its order line."""
    if len(purchases) == 1:
        return purchases[0].value
    return "\n\n".join(
        "#%s · %s · %s\n%s"
        % (purchase.order_number, purchase.product_name, format_money(purchase.price), purchase.value)
        for purchase in purchases
    )


def file_name(purchases: Sequence[Purchase]) -> str:
    prefix = "order" if len(purchases) == 1 else "orders"
    return f"{prefix}-{purchases[0].order_number}.txt"


async def send_file(bot: Any, chat_id: int, found: Receipt) -> None:
    """Send the receipt's document, if it has one; Telegram's refusal reaches the caller."""
    if not found.has_file:
        return
    document = InputFile(io.BytesIO(found.file_content.encode()), filename=found.file_name)
    await bot.send_document(chat_id, document)


async def send(bot: Any, chat_id: int, found: Receipt, **message: Any) -> None:
    """Send the receipt as a new message (and its document): for notices sent after a payment."""
    await bot.send_message(chat_id, found.text, **message)
    await send_file(bot, chat_id, found)
