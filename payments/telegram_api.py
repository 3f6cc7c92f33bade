"""The one Bot API call payments need: ``refundStarPayment``, through python-telegram-bot's own ``Bot``.

It is async and made by the face between two services (``begin_stars_refund``
and ``settle_stars_refund``): the bot awaits it with its own bot, the web admin
with ``web_bot()`` under ``async_to_sync`` in its view. Never inside a service,
a transaction or on the ORM thread, where a slow Telegram would hold up every
other customer's database work.
"""

from __future__ import annotations

from django.conf import settings
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.request import HTTPXRequest

from payments.services.refunds import RefundAnswer

TIMEOUT = 10  # seconds
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


async def refund_star_payment(bot: Bot, *, user_id: int, charge_id: str) -> RefundAnswer:
    """Ask Telegram to return a Stars payment and say what it answered; never raises for Telegram's answer.

    Telegram's ``CHARGE_ALREADY_REFUNDED`` counts as done: the money is back
    with the customer, which is what the caller wants to know.
    """
    try:
        await bot.refund_star_payment(
            user_id=user_id, telegram_payment_charge_id=charge_id, read_timeout=TIMEOUT
        )
    except (BadRequest, Forbidden) as error:
        # 400 and 403 are Telegram's decision about this charge.
        if ALREADY_REFUNDED in error.message.upper():  # PTB capitalizes it
            return RefundAnswer(done=True)
        return RefundAnswer(done=False, problem=error.message, definitive=True)
    except TelegramError as error:
        # Timeouts, 429, 5xx, a rejected token: nothing was decided about the charge.
        return RefundAnswer(done=False, problem=f"{type(error).__name__}: {error.message}"[:200])
    return RefundAnswer(done=True)


def web_bot() -> tuple[Bot, HTTPXRequest]:
    """Return a bot for the web process (on ``TELEGRAM_API_URL``) and the HTTP client to shut down after use.

    The bot is never initialized: that would cost a ``getMe`` before every refund.
    """
    request = HTTPXRequest(connection_pool_size=1)
    bot = Bot(
        settings.TOKEN,
        base_url=f"{settings.TELEGRAM_API_URL}/bot",
        base_file_url=f"{settings.TELEGRAM_API_URL}/file/bot",
        request=request,
        get_updates_request=request,
    )
    return bot, request


async def refund_from_web(*, user_id: int, charge_id: str) -> RefundAnswer:
    """``refund_star_payment`` with a bot of its own, for the web admin and commands (under ``async_to_sync``)."""
    try:
        bot, request = web_bot()
    except TelegramError as error:  # no usable TOKEN in this process: Telegram cannot be asked
        return RefundAnswer(done=False, problem=f"{type(error).__name__}: {error.message}"[:200])
    try:
        return await refund_star_payment(bot, user_id=user_id, charge_id=charge_id)
    finally:
        await request.shutdown()
