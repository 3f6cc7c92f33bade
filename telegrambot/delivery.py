"""Handing over delivered values: the one way every path that shows them does it.

A balance purchase, a cart checkout, a Stars or card order, the purchase
history and the admin's order look-up all show values from the database, and
a value may be up to 4,000 characters (several of them far more). Telegram
refuses a message over 4096 characters after parsing, so each path builds its
message with the values and a short one without them; the first is sent when
it fits, otherwise the short one and the values as a ``.txt`` document.

Files sold as goods (a file unit, a shared file) follow the message as
documents: by their Telegram ``file_id``, or uploaded from MEDIA_ROOT the
first time, remembering the ``file_id`` Telegram returns. The purchase
history sends the same file again.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from telegram import InputFile

from catalog.models import DeliveryFile, Purchase
from catalog.services.delivery_files import remember_file_id
from payments.money import format_money
from telegrambot.adapter import call
from telegrambot.texts.catalog import fits_message

T = TypeVar("T")


@dataclass(frozen=True)
class Receipt:
    """The message to show and, when the values do not fit it, the document that carries them."""

    text: str
    file_name: str = ""
    file_content: str = ""
    documents: tuple[DeliveryFile, ...] = ()  # the files the purchases delivered

    @property
    def has_file(self) -> bool:
        return bool(self.file_name)


def receipt(purchases: Sequence[Purchase], *, full: str, short: str) -> Receipt:
    """Return ``full`` (the message with the values) if Telegram takes it, else ``short`` and the file."""
    # Readers load ``file`` with the purchases; an unloaded one would query on the event loop.
    documents = tuple(purchase.file for purchase in purchases if purchase.file_id is not None)
    if fits_message(full):
        return Receipt(full, documents=documents)
    return Receipt(short, file_name(purchases), file_content(purchases), documents)


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
    """Send the receipt's documents: the values that did not fit, then the files sold; refusals reach the caller."""
    if found.has_file:
        document = InputFile(io.BytesIO(found.file_content.encode()), filename=found.file_name)
        await bot.send_document(chat_id, document)
    for sold in found.documents:
        await send_delivered_file(bot, chat_id, sold)


async def send_delivered_file(bot: Any, chat_id: int, sold: DeliveryFile) -> None:
    """Send a file sold as goods: by its Telegram id, or uploaded once and its new id remembered."""
    if sold.file_id:
        await bot.send_document(chat_id, sold.file_id)
        return
    content = await sync_to_async(read_upload)(sold)  # up to 50 MB: read off the event loop
    message = await bot.send_document(chat_id, InputFile(content, filename=sold.name))
    if message.document is not None:
        await call(remember_file_id, file_pk=sold.pk, file_id=message.document.file_id)


def read_upload(sold: DeliveryFile) -> bytes:
    with sold.upload.open("rb") as stored:
        return stored.read()


async def send(bot: Any, chat_id: int, found: Receipt, **message: Any) -> None:
    """Send the receipt as a new message (and its document): for notices sent after a payment."""
    await bot.send_message(chat_id, found.text, **message)
    await send_file(bot, chat_id, found)


async def tell_each(
    rows: Iterable[T], tell: Callable[[T], Awaitable[bool]], mark: Callable[[T], object]
) -> int:
    """Send each outbox row with ``tell``; mark those Telegram took (``mark`` runs on the ORM side).

    Returns how many were told. A row ``tell`` could not send stays for the next round.
    """
    told = 0
    for row in rows:
        if await tell(row):
            await call(mark, row)
            told += 1
    return told
