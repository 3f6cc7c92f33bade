"""Relaying ticket messages, after the message committed: staff replies to the customer, the customer's to staff.

A ticket closed by staff owes the customer one "closed" message, worded in their language.

The services write a ``TicketNotice`` per recipient in the message's
transaction; ``relay`` claims and sends them, at once for the message a
handler just wrote and from the job for everything else (a web admin reply).
A notice is marked sent only once Telegram accepted it; a blocked recipient
is done with.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import translation
from telegram.error import BadRequest, Forbidden, TelegramError

from accounts.services import mark_bot_blocked
from catalog.services import tickets as services
from telegrambot.adapter import call
from telegrambot.keyboards import tickets as keyboards
from telegrambot.texts import tickets as texts
from telegrambot.texts.common import MAX_MESSAGE

logger = logging.getLogger(__name__)


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut text into parts Telegram takes, at line ends where possible, never inside an HTML entity."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
            amp = text.rfind("&", cut - 8, cut)
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp  # an escaped "<" is one entity: keep it whole
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts


async def relay(bot: Any, message_ids: list[int] | None) -> int:
    """Claim the ticket notices owed (for these messages, or all) and send each; return how many."""
    notices = await call(services.claim_ticket_notices, message_ids=message_ids)
    sent = [notice.id for notice in notices if await send_notice(bot, notice)]
    await call(services.mark_ticket_notices_sent, notice_ids=sent)
    return len(notices)


async def send_notice(bot: Any, notice: services.TicketNoticeToSend) -> bool:
    message = notice.message
    to_staff = not message.from_staff
    with translation.override(notice.language):
        parts = split(texts.relayed(message, to_staff=to_staff)) if message.text else []
        if message.closes:
            parts, keyboard = [texts.closed_for_customer(message)], keyboards.write_again()
        elif to_staff:
            keyboard = keyboards.to_staff_ticket(message.ticket_id)
        else:
            keyboard = keyboards.reply_to_support(message.ticket_id)
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1 and not message.attachment_id
            await bot.send_message(notice.telegram_id, part, reply_markup=keyboard if last else None)
        if message.attachment_kind == "photo":
            await bot.send_photo(notice.telegram_id, message.attachment_id, reply_markup=keyboard)
        elif message.attachment_id:
            await bot.send_document(notice.telegram_id, message.attachment_id, reply_markup=keyboard)
    except Forbidden:
        await call(mark_bot_blocked, telegram_id=notice.telegram_id)
    except TelegramError as error:
        if isinstance(error, BadRequest) and "chat not found" in error.message.lower():
            return True  # never opened the bot: sending again cannot help
        logger.warning("ticket message %s was not relayed: %s", message.pk, error)
        return False
    return True
