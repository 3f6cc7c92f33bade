"""Telling customers the decision on their claims, after the decision committed.

The face that decided (the admin menu, a restock) calls ``tell_customers``
with the claims it decided; a claim is marked told only once Telegram
accepted the message, so one that failed stays owed (``customer_told_at``
empty) for a later sweep.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import translation
from telegram.error import Forbidden, TelegramError

from accounts.services import mark_bot_blocked
from catalog.selectors import claims as claim_selectors
from catalog.services import claims as claim_services
from telegrambot import delivery
from telegrambot.adapter import call
from telegrambot.texts import claims as texts

logger = logging.getLogger(__name__)


async def tell_customers(bot: Any, claim_ids: list[int] | None) -> int:
    """Send each claim's customer its outcome in their language; return how many were told.

    ``None`` sends what is owed for any claim (decided in the web admin, or
    whose message failed before).
    """
    if claim_ids is not None and not claim_ids:
        return 0
    outcomes = await call(claim_selectors.list_untold_claims, claim_ids=claim_ids)
    return await delivery.tell_each(
        outcomes,
        lambda outcome: tell(bot, outcome),
        lambda outcome: claim_services.mark_claim_told(claim_id=outcome.claim.pk),
    )


async def tell(bot: Any, outcome: claim_selectors.ClaimOutcome) -> bool:
    """Send one outcome; return whether it is done with (accepted, or the bot is blocked)."""
    telegram_id = outcome.claim.customer.telegram_id
    with translation.override(outcome.language):
        text = texts.outcome(outcome.claim, outcome.replacement)
        if outcome.replacement is not None:
            short = texts.outcome(outcome.claim, outcome.replacement, with_value=False)
            receipt = delivery.receipt([outcome.replacement], full=text, short=short)
        else:
            receipt = delivery.Receipt(text)
    try:
        await delivery.send(bot, telegram_id, receipt)
    except Forbidden:
        # Blocked: the replacement stays in their purchase history.
        await call(mark_bot_blocked, telegram_id=telegram_id)
    except TelegramError as error:
        logger.warning("claim %s: the customer was not told: %s", outcome.claim.pk, error)
        return False
    return True
