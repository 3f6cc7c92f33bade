"""The one Bot API call the payments services make themselves: ``refundStarPayment``.

It is synchronous so the web admin and the bot (through its adapter) share it,
and it is always made outside a transaction.
"""

from __future__ import annotations

import httpx
from django.conf import settings

TIMEOUT = 10  # seconds
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


class TelegramRefundError(Exception):
    """Telegram refused the refund (``definitive``) or could not be asked (not definitive)."""

    def __init__(self, description: str, *, definitive: bool) -> None:
        super().__init__(description)
        self.description = description
        self.definitive = definitive


def refund_star_payment(*, user_id: int, charge_id: str) -> None:
    """Ask Telegram to return a Stars payment; return normally once it has been returned.

    Telegram's ``CHARGE_ALREADY_REFUNDED`` counts as success: the money is back
    with the customer, which is what the caller wants to know.
    """
    url = f"{settings.TELEGRAM_API_URL}/bot{settings.TOKEN}/refundStarPayment"
    try:
        response = httpx.post(
            url, json={"user_id": user_id, "telegram_payment_charge_id": charge_id}, timeout=TIMEOUT
        )
        answer = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise TelegramRefundError(type(error).__name__, definitive=False) from error
    if answer.get("ok"):
        return
    description = str(answer.get("description") or response.status_code)
    if ALREADY_REFUNDED in description:
        return
    # 4xx is Telegram's decision about this charge; 429 and 5xx say nothing about it.
    definitive = 400 <= response.status_code < 500 and response.status_code != 429
    raise TelegramRefundError(description, definitive=definitive)
