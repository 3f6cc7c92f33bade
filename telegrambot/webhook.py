"""Webhook mode: Telegram posts updates to the web process, which streams them to the bot workers.

    Telegram ──HTTPS──> reverse proxy ──> web (gunicorn): POST /telegram/webhook/
                                            │ checks X-Telegram-Bot-Api-Secret-Token,
                                            │ drops repeats, XADDs the update (telegrambot/stream.py)
                                            v
                Redis Stream, group "runbot" <── runbot --webhook (N workers, any machine)
                                                  (telegrambot/consumer.py, telegrambot/fleet.py)

The web process answers at once (Telegram then sends the next update), and any
number of ``runbot --webhook`` workers read the stream in one consumer group,
each handling several updates at once. An update is acknowledged in the stream
only when handled, so one a worker held when it died is claimed and handled by
another; a record of handled updates keeps a redelivered one from being
answered twice, and a customer's updates run one at a time, in order, across
all workers. The stream and everything else the handlers keep (dialog state,
rate-limit counters, the job lock) are in Redis and PostgreSQL, so workers can
come and go.
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from telegram import Bot, Update

from monitoring.metrics import RATE_LIMITED
from shopbot.security import client_address, too_many_failures
from telegrambot.stream import enqueue_update, uses_redis

logger = logging.getLogger("shopbot.bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


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
