"""Who calls the Mini App's API, and whether the shop lets them in: the bot's gate, for a web page.

The page sends Telegram's signed ``initData`` once (``POST /app/api/session``)
and gets a session token: ``TimestampSigner`` over the user id and the
initData's hash, valid for ``MINIAPP_AUTH_SECONDS``. Every other call carries
that token in the ``X-Shop-Session`` header, never in a cookie, so a page of
another site cannot make the browser call the API for the user (no CSRF), and
the user id is always Telegram's, never one the client chose.

Replays: an initData whose hash was exchanged once is refused for as long as
it could still be fresh (its hash is remembered in the shared cache, so
every web process refuses it); a copied initData therefore opens no second
session. The page keeps its token for the rest of its life (a reload reuses
it from ``sessionStorage``).

Every call then passes the same checks as a chat update, in the gate's order:
the rate limit (a write counts against the global limit's counters, a read
against ``RATE_LIMIT_APP_READ``), the customer (registered as
``/start`` registers them on the exchange), blocked, the channel gate
(``telegrambot.membership``, shared with the bot) and maintenance mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from telegram.error import TelegramError

from accounts import roles
from accounts.models import Customer
from accounts.selectors import may_shop
from payments.telegram_api import web_bot
from telegrambot import membership
from telegrambot.admission import Admission, admit_customer, admit_sender
from telegrambot.miniapp import initdata, texts

HEADER = "X-Shop-Session"
SALT = "shopbot.miniapp.session"
REPLAY_SKEW = 60  # seconds: initdata.check accepts an auth_date this far in the future


@dataclass
class ApiRefusal(Exception):
    """A call the shop refuses before any service runs; rendered as ``{"error", "code", ...}``."""

    status: int
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


def signing_token() -> str:
    """The bot's token; where the chat simulator is the only bot, the simulator's own secret."""
    if settings.TOKEN:
        return settings.TOKEN
    simulator = simulated()
    return simulator.miniapp_token if simulator is not None else ""


def simulated() -> Any:
    """The running chat simulator of this process, when it is the shop's only bot (no TOKEN)."""
    from telegrambot.simulator import runner  # the simulator is optional: never imported for nothing

    return runner.installed() if not settings.TOKEN else None


def replay_key(init_hash: str) -> str:
    return f"miniapp:initdata:{init_hash}"


def start_session(raw_init_data: object) -> tuple[str, Customer]:
    """Check a signed initData, refuse one exchanged before, register the user; return (token, customer)."""
    try:
        init = initdata.check(raw_init_data, token=signing_token(), max_age=settings.MINIAPP_AUTH_SECONDS)
    except initdata.InitDataRefused as error:
        raise ApiRefusal(401, "sign_in", str(texts.SIGN_IN_FAILED), {"reason": str(error)}) from None
    # Remembered before anything else: of two exchanges of one initData at once, one wins.
    if not cache.add(replay_key(init.hash), 1, timeout=settings.MINIAPP_AUTH_SECONDS + REPLAY_SKEW):
        raise ApiRefusal(401, "sign_in", str(texts.SIGN_IN_FAILED), {"reason": "replayed"})
    admission = admit_sender(
        telegram_id=init.telegram_id,
        username=init.user.get("username"),
        first_name=init.user.get("first_name"),
        last_name=init.user.get("last_name"),
        language_code=init.user.get("language_code"),
        start_payload=init.start_param,
    )
    customer = admit(admission)
    token = signing.TimestampSigner(salt=SALT).sign_object({"id": init.telegram_id, "hash": init.hash})
    return token, customer


def authenticate(token: object, *, read: bool = False) -> Customer:
    """Return the customer a session token names, after the gate's checks; raise ``ApiRefusal`` otherwise.

    A ``read`` (a GET of the API) counts against ``RATE_LIMIT_APP_READ``, a write as a chat update.
    """
    try:
        session = signing.TimestampSigner(salt=SALT).unsign_object(
            token if isinstance(token, str) else "", max_age=settings.MINIAPP_AUTH_SECONDS
        )
        telegram_id = int(session["id"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ApiRefusal(401, "session", str(texts.SESSION_EXPIRED)) from None
    return admit(admit_customer(telegram_id=telegram_id, read=read))


def admit(admission: Admission) -> Customer:
    """Apply the gate's answers in the gate's order; return the customer who may shop."""
    if admission.refusal is not None:
        seconds = admission.refusal.seconds
        raise ApiRefusal(
            429, "rate_limited", str(texts.TOO_MANY) % {"seconds": seconds}, {"seconds": seconds}
        )
    customer = admission.customer
    if customer is None:
        raise ApiRefusal(401, "session", str(texts.SESSION_EXPIRED))
    if not may_shop(customer):
        raise ApiRefusal(403, "blocked", str(texts.BLOCKED))
    if not is_subscribed(customer):
        raise ApiRefusal(403, "join_channel", str(texts.JOIN_CHANNEL), {"channel_url": settings.CHANNEL_URL})
    if admission.closed:
        raise ApiRefusal(503, "maintenance", str(texts.CLOSED))
    return customer


def is_subscribed(customer: Customer) -> bool:
    """The channel gate of the chat (always open without ``CHANNEL_ID``; admins pass)."""
    if not settings.CHANNEL_ID or roles.is_admin(customer):
        return True
    return async_to_sync(ask_membership)(customer.telegram_id)


async def ask_membership(telegram_id: int) -> bool:
    # The Bot API call is made here, at the edge, on the web request's own event loop.
    if await membership.is_remembered_member(telegram_id):
        return True
    try:
        bot, request = web_bot()
    except TelegramError:  # no usable TOKEN (the simulator): nobody to ask, as with a misconfigured channel
        return True
    try:
        member = await membership.is_channel_member(bot, telegram_id)
    finally:
        await request.shutdown()
    if member:
        await membership.remember_member(telegram_id)
    return member
