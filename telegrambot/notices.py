"""Sending the notices the payment services wrote: a credited top-up, a delivered order, a refund, a receipt, a file.

The services write each notice in the transaction that moved the payment;
``deliver_notices`` claims and sends them after commit, at once for the
payment a handler just moved and from the payments job for everything else.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import translation
from telegram.error import BadRequest, Forbidden, TelegramError

from accounts.services import mark_bot_blocked
from catalog import selectors
from catalog.services import orders
from payments.models import PaymentNotice
from payments.services import Notice, claim_notices, mark_notices_sent
from telegrambot import delivery
from telegrambot.adapter import call
from telegrambot.texts import cart as cart_texts
from telegrambot.texts import catalog as catalog_texts
from telegrambot.texts import payments as texts

logger = logging.getLogger(__name__)


async def deliver_notices(bot: Any, *, payment_id: int | None = None, skip: set[str] = frozenset()) -> int:
    """Claim the notices owed (for one payment, or all) and send each in its recipient's language.

    ``skip`` names kinds the caller has just shown on screen. A claim holds a
    notice so several workers never send it twice; it is marked sent only once
    Telegram accepted it, so one that failed is sent again after its claim
    runs out (and logged meanwhile).
    """
    notices = await call(claim_notices, payment_id=payment_id)
    sent = [notice.id for notice in notices if notice.kind in skip or await send_notice(bot, notice)]
    await call(mark_notices_sent, notice_ids=sent)
    return len(notices)


async def send_notice(bot: Any, notice: Notice) -> bool:
    """Send one notice; return whether it is done with (accepted, or the bot is blocked)."""
    receipt: delivery.Receipt | None
    if notice.kind == PaymentNotice.Kind.PURCHASE_RECEIPT:
        receipt = await purchase_receipt(notice)
    elif notice.kind == PaymentNotice.Kind.PURCHASE_FILE:
        receipt = await purchase_file(notice)
    else:
        receipt = await payment_notice(notice)
    if receipt is None:
        return True  # nothing left to tell: the purchases are gone
    try:
        await delivery.send(bot, notice.telegram_id, receipt)
    except Forbidden:
        # Blocked: nothing reaches them; the order stays in their purchase history.
        await call(mark_bot_blocked, telegram_id=notice.telegram_id)
    except TelegramError as error:
        if isinstance(error, BadRequest) and "chat not found" in error.message.lower():
            return True  # the recipient never opened the bot: sending again cannot help
        logger.warning(
            "Could not send the %s notice of payment %s: %s", notice.kind, notice.payment_id, error
        )
        return False
    return True


async def payment_notice(notice: Notice) -> delivery.Receipt:
    purchases = []
    if notice.kind == PaymentNotice.Kind.ORDER_DELIVERED:
        purchases = await call(
            orders.list_order_purchases, telegram_id=notice.telegram_id, payment_id=notice.payment_id
        )
    with translation.override(notice.language):
        text = texts.notice(notice.kind, notice.params, payment_id=notice.payment_id, purchases=purchases)
        if purchases:
            return delivery.receipt(purchases, full=text, short=texts.short_receipt(purchases))
        return delivery.Receipt(text)


async def purchase_receipt(notice: Notice) -> delivery.Receipt | None:
    """The chat's own receipt of a sale made in the Mini App: the texts the chat shows after Buy or Checkout."""
    purchases = await call(
        selectors.list_receipt_purchases,
        telegram_id=notice.telegram_id,
        purchase_ids=notice.params.get("purchases"),
    )
    if not purchases:
        return None
    with translation.override(notice.language):
        if len(purchases) == 1:
            [purchase] = purchases
            full, short = catalog_texts.receipt(purchase), catalog_texts.receipt(purchase, with_value=False)
        else:
            full, short = cart_texts.receipt(purchases), cart_texts.short_receipt(purchases)
        return delivery.receipt(purchases, full=full, short=short)


async def purchase_file(notice: Notice) -> delivery.Receipt | None:
    """A purchased file again, asked for in the Mini App: a line naming the order, then the document."""
    purchases = await call(
        selectors.list_receipt_purchases,
        telegram_id=notice.telegram_id,
        purchase_ids=[notice.params.get("purchase")],
    )
    if not purchases or purchases[0].file is None:
        return None
    with translation.override(notice.language):
        return delivery.Receipt(catalog_texts.purchase_file(purchases[0]), documents=(purchases[0].file,))
