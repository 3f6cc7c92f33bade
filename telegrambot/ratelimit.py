"""Per-user rate limits of the bot, counted in the shared cache.

Two kinds of limit, each a rate setting (``count/period``, ``0`` turns it off):

- the global limit (``RATE_LIMIT_GLOBAL``, 30 updates per 60 s): the gate
  counts every update before it touches the database; a user over it is
  banned for ``RATE_LIMIT_BAN_SECONDS`` (5 minutes) and everything they send
  until then is dropped;
- per action: ``@limited(PURCHASE)`` (and ``PAYMENT``, ``PROMO``,
  ``BROADCAST``) on the handler that triggers the action;
- the Mini App's reads (``RATE_LIMIT_APP_READ``, 120 per minute): a page
  makes several calls at once, so its reads count there and never towards
  the global limit's ban; its writes count as updates, like a chat press.

Counters are django-ratelimit's fixed windows, keyed by the Telegram id, in
the default cache: Redis in production, so every bot worker counts into the
same window and a restart forgets nothing. Admins (any shop permission) and
the owner are exempt, except from the broadcast limit, which exists for
admins. A refused user is told once per ban or window; later refusals are
answered silently. Payments (pre-checkout queries, successful payments) are
never limited: money Telegram took must be credited.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate, get_usage
from telegram import Update

from accounts import roles
from accounts.models import Customer
from monitoring.metrics import RATE_LIMITED
from shopbot import warmcache
from telegrambot import screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.texts import common as common_texts
from telegrambot.texts import operations as texts

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True)
class Limit:
    """A per-user limit whose rate is the setting ``setting``."""

    scope: str  # the metric label and the counter's group
    setting: str
    exempt_admins: bool = True

    @property
    def rate(self) -> str:
        return getattr(settings, self.setting) if settings.RATE_LIMITS else ""


GLOBAL = Limit("global", "RATE_LIMIT_GLOBAL")
PURCHASE = Limit("purchase", "RATE_LIMIT_PURCHASE")
PAYMENT = Limit("payment", "RATE_LIMIT_PAYMENT")
PROMO = Limit("promo", "RATE_LIMIT_PROMO")
BROADCAST = Limit("broadcast", "RATE_LIMIT_BROADCAST", exempt_admins=False)
MYDATA = Limit("mydata", "RATE_LIMIT_MYDATA")
APP_READ = Limit("app_read", "RATE_LIMIT_APP_READ")
APP_FILE = Limit("app_file", "RATE_LIMIT_APP_FILE")


@dataclass(frozen=True)
class Refusal:
    scope: str
    seconds: int  # until the user may go on
    notify: bool  # the first refusal of this ban or window: tell the user
    language: str | None = None


def clock() -> float:
    return time.time()


def ban_key(telegram_id: int) -> str:
    return f"ratelimit:ban:{telegram_id}"


def notice_key(scope: str, telegram_id: int) -> str:
    return f"ratelimit:notice:{scope}:{telegram_id}"


# --- the synchronous core (through the adapter) ---------------------------------------------
def check_update(*, telegram_id: int, usage: dict[str, Any] | None = None) -> Refusal | None:
    """Count one update of a user against the global limit; return a refusal while they are banned.

    ``usage`` is the count already made for this update on the event loop
    (``count_update_on_loop``), so an update is counted once on either path.
    The ban lasts ``RATE_LIMIT_BAN_SECONDS``, and at least until the window that
    tripped it ends, so the first update after a ban starts a fresh count.
    """
    if not GLOBAL.rate:
        return None
    now = clock()
    until = warmcache.get(ban_key(telegram_id))
    if isinstance(until, float) and until > now:
        return refuse(GLOBAL, telegram_id, until - now)
    if usage is None:
        warmcache.needs_orm()
        usage = count(GLOBAL, telegram_id)
    if not usage["should_limit"] or is_exempt(GLOBAL, telegram_id):
        return None
    seconds = max(settings.RATE_LIMIT_BAN_SECONDS, usage["time_left"], 1)
    cache.set(ban_key(telegram_id), now + seconds, timeout=seconds + 5)
    return refuse(GLOBAL, telegram_id, seconds)


def check_read(*, telegram_id: int) -> Refusal | None:
    """Count one Mini App read against ``RATE_LIMIT_APP_READ``; a user the global limit banned stays refused.

    A page of reads never adds to the global counter, so it cannot earn the chat a ban.
    """
    if GLOBAL.rate:
        now = clock()
        until = warmcache.get(ban_key(telegram_id))
        if isinstance(until, float) and until > now:
            return refuse(GLOBAL, telegram_id, until - now)
    return check_action(APP_READ, telegram_id=telegram_id)


def check_action(limit: Limit, *, telegram_id: int) -> Refusal | None:
    """Count one ``limit`` action of a user; return a refusal when it is one too many."""
    if not limit.rate:
        return None
    usage = count(limit, telegram_id)
    if not usage["should_limit"] or is_exempt(limit, telegram_id):
        return None
    return refuse(limit, telegram_id, max(usage["time_left"], 1))


def count(limit: Limit, telegram_id: int) -> dict[str, Any]:
    """Add one to the user's counter of ``limit`` in django-ratelimit's current window."""
    usage = get_usage(
        None,
        group=f"bot:{limit.scope}",
        key=lambda group, request: str(telegram_id),
        rate=limit.rate,
        increment=True,
    )
    assert usage is not None  # only None when django-ratelimit is switched off, which the shop never does
    return usage


async def count_update_on_loop(*, telegram_id: int, also: list[str] | None = None) -> dict[str, Any] | None:
    """Count one update against the global limit on the event loop; None when limits are off.

    The same counter as ``count`` (django-ratelimit's key for the group, rate
    and window, made by its own functions), so the ORM side reads what was counted here.
    The cache keys ``also`` are read in the same round trip, for the update's reads.
    """
    if not GLOBAL.rate:
        return None
    limit, period = _split_rate(GLOBAL.rate)
    value = str(telegram_id)
    window = _get_window(value, period)
    key = _make_cache_key(f"bot:{GLOBAL.scope}", window, GLOBAL.rate, value, ALL)
    counted = await warmcache.acount(key, period + EXPIRATION_FUDGE, also=also)
    return {
        "count": counted,
        "limit": limit,
        "should_limit": counted > limit,
        "time_left": window - int(clock()),
    }


def is_exempt(limit: Limit, telegram_id: int) -> bool:
    # Asked only once a user is over a limit, so admins cost nothing on the usual path.
    warmcache.needs_orm()
    if not limit.exempt_admins:
        return False
    if roles.is_owner_id(telegram_id):
        return True
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    return customer is not None and roles.is_admin(customer)


def refuse(limit: Limit, telegram_id: int, seconds: float) -> Refusal:
    warmcache.needs_orm()
    whole = max(1, int(seconds + 0.999))
    notify = cache.add(notice_key(limit.scope, telegram_id), 1, timeout=whole)
    language = None
    if notify and limit is GLOBAL:
        # The gate has not loaded the customer yet: their chosen language, if they have one.
        language = Customer.objects.filter(telegram_id=telegram_id).values_list("language", flat=True).first()
    return Refusal(scope=limit.scope, seconds=whole, notify=notify, language=language)


# --- the bot side ---------------------------------------------------------------------------
async def turn_away_flood(update: Update, context: ShopContext, refusal: Refusal) -> None:
    """Tell a user over the global limit (once per ban) in their language, before any is active."""
    user = update.effective_user
    language = refusal.language or (user.language_code if user else None) or settings.BOT_LOCALE
    with translation.override(language if language in dict(settings.LANGUAGES) else settings.BOT_LOCALE):
        await turn_away(update, context, refusal, texts.too_many_updates(refusal.seconds))


def limited(limit: Limit) -> Callable[[Handler], Handler]:
    """Refuse the decorated handler to a customer who triggered its action too often."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: ShopContext, *args: Any) -> Any:
            refusal = await call(check_action, limit, telegram_id=context.customer.telegram_id)
            if refusal is not None:
                await turn_away(
                    update, context, refusal, texts.too_many_actions(limit.scope, refusal.seconds)
                )
                return None
            return await handler(update, context, *args)

        return guarded  # type: ignore[return-value]

    return decorate


async def turn_away(update: Update, context: ShopContext, refusal: Refusal, text: str) -> None:
    """Tell the user about the limit the first time; afterwards only answer a press."""
    RATE_LIMITED.labels(scope=refusal.scope).inc()
    if not refusal.notify:
        await screens.answer(update, context)
    elif update.callback_query is not None:
        await screens.answer(update, context, common_texts.alert(text), alert=True)
    elif update.effective_chat is not None:
        await screens.send(update, context, text)
