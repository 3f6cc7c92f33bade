"""Webhook mode: Telegram posts updates to the web process, which queues them for the bot workers.

    Telegram ──HTTPS──> reverse proxy ──> web (gunicorn): POST /telegram/webhook/
                                            │ checks X-Telegram-Bot-Api-Secret-Token,
                                            │ drops repeats, pushes the update to Redis
                                            v
                          Redis list <── runbot --webhook (N workers, any machine) pop one at a time

The web process answers at once (Telegram then sends the next update), and any
number of ``runbot --webhook`` workers take updates from the queue, one at a
time each, so a busy or stopped worker leaves the rest to the others. The
queue and everything else the handlers keep (dialog state, rate-limit
counters, the job lock) are in Redis and PostgreSQL, so workers can come and
go. A worker stopped with SIGTERM finishes what it took; one killed with
SIGKILL loses the one update it was handling (as Telegram's own webhook
delivery would once answered).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from telegram import Bot, Update

from monitoring.metrics import RATE_LIMITED
from shopbot.security import client_address, too_many_failures

logger = logging.getLogger("shopbot.bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
QUEUE = "telegram:updates"
SEEN_SECONDS = 24 * 60 * 60  # Telegram gives up redelivering an update well before this
MAX_BODY = 1024 * 1024


def redis() -> Any:
    """Return the raw Redis client of the default cache; webhook mode needs Redis."""
    from django_redis import get_redis_connection  # only importable usefully with the Redis cache

    return get_redis_connection("default")


def uses_redis() -> bool:
    return settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def queue_key() -> str:
    return cache.make_key(QUEUE)


def enqueue_update(update: dict[str, Any]) -> bool:
    """Queue an update for the workers; return False for one queued before (Telegram redelivers)."""
    client = redis()
    if not client.set(
        cache.make_key(f"telegram:seen:{int(update['update_id'])}"), 1, nx=True, ex=SEEN_SECONDS
    ):
        return False
    client.rpush(queue_key(), json.dumps(update))
    return True


def pop_update(*, timeout: float) -> dict[str, Any] | None:
    """Take the oldest queued update, waiting up to ``timeout`` seconds; None when there is none."""
    popped = redis().blpop([queue_key()], timeout=timeout)
    return None if popped is None else json.loads(popped[1])


def queued_updates() -> int:
    return int(redis().llen(queue_key()))


async def set_webhook(bot: Bot) -> None:
    """Ask Telegram to post updates to WEBHOOK_URL with WEBHOOK_SECRET (every worker may; it is idempotent)."""
    await bot.set_webhook(
        settings.WEBHOOK_URL, secret_token=settings.WEBHOOK_SECRET, allowed_updates=Update.ALL_TYPES
    )


@csrf_exempt
@require_POST
def receive_update(request: HttpRequest) -> HttpResponse:
    """Queue the update Telegram posted, if it carries the secret token.

    A missing or wrong token gets 403, and 429 once one address has sent too
    many of those; a malformed body gets 400; none of them queues anything. A
    repeated update gets 200 and is not queued again. Only failures are limited:
    behind a proxy, junk from anyone must not lock Telegram out.
    """
    if not settings.WEBHOOK_SECRET:
        return HttpResponse(status=404)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), settings.WEBHOOK_SECRET.encode()):
        if too_many_failures(request, group="telegram-webhook", rate=settings.WEBHOOK_RATE_LIMIT):
            RATE_LIMITED.labels(scope="telegram_webhook").inc()
            return HttpResponse(status=429)
        logger.warning(
            "Telegram webhook with a missing or wrong secret token from %s", client_address(request)
        )
        return HttpResponse(status=403)
    try:
        if len(request.body) > MAX_BODY:
            raise ValueError("too large")
        update = json.loads(request.body)
        int(update["update_id"])
    except (ValueError, TypeError, KeyError):
        return HttpResponse("malformed update", status=400, content_type="text/plain")
    if not uses_redis():
        logger.error("A Telegram webhook arrived, but webhook mode needs REDIS_URL to hand updates to runbot")
        return HttpResponse(status=503)
    enqueue_update(update)
    return HttpResponse("ok", content_type="text/plain")
