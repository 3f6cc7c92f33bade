"""Sending staff notifications after commit: each with its button, or one digest for a burst.

The services write a ``StaffNotice`` per recipient in the transaction of what
happened (``accounts.services.staff_notices``); ``deliver`` claims and sends
them, at once for what a handler just caused (low stock after a sale) and
from the ``staff_notices`` job for everything else. A recipient owed more than
20 in the last minute gets one digest for all their claimed notices. A notice
is marked sent once Telegram accepted it (or its digest); one who blocked the
bot is done with.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from django.utils import translation
from telegram.error import BadRequest, Forbidden, TelegramError

from accounts.services import mark_bot_blocked
from accounts.services import staff_notices as services
from telegrambot.adapter import call
from telegrambot.keyboards import admin_notifications as keyboards
from telegrambot.texts import admin_notifications as texts

logger = logging.getLogger(__name__)


async def deliver(bot: Any, notice_ids: list[int] | None = None) -> int:
    """Claim the staff notices owed (these, or all) and send them; return how many were claimed."""
    inboxes = await call(services.claim_staff_notices, notice_ids=notice_ids)
    sent: list[int] = []
    for inbox in inboxes:
        sent += await send_inbox(bot, inbox)
    await call(services.mark_staff_notices_sent, notice_ids=sent)
    return sum(len(inbox.notices) for inbox in inboxes)


async def send_inbox(bot: Any, inbox: services.StaffInbox) -> list[int]:
    """Send one recipient's notices (or their digest); return the ids Telegram took."""
    with translation.override(inbox.language):
        if inbox.digest:
            counts = Counter(notice.event for notice in inbox.notices)
            messages = [(texts.digest(dict(counts)), keyboards.digest(list(counts)), inbox.notices)]
        else:
            messages = [
                (
                    texts.notice(notice.event, notice.params),
                    keyboards.notice(notice.event, notice.params),
                    [notice],
                )
                for notice in inbox.notices
            ]
    sent: list[int] = []
    for text, keyboard, notices in messages:
        try:
            await bot.send_message(inbox.telegram_id, text, reply_markup=keyboard)
        except Forbidden:
            await call(mark_bot_blocked, telegram_id=inbox.telegram_id)
            return [notice.pk for notice in inbox.notices]  # done with: they cannot be told
        except TelegramError as error:
            if isinstance(error, BadRequest) and "chat not found" in error.message.lower():
                return [notice.pk for notice in inbox.notices]
            logger.warning("staff notice to %s was not sent: %s", inbox.telegram_id, error)
            continue
        sent += [notice.pk for notice in notices]
    return sent
