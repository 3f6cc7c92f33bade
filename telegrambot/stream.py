"""The web process's half of webhook mode: each new update goes onto the Redis Stream.

    Telegram ──> web: POST /telegram/webhook/ ──XADD──> stream ──XREADGROUP──> runbot --webhook (N)

One Redis script drops a repeat (by ``update_id``, remembered for a day),
notes the update under its sender for the workers' per-customer order
(``telegrambot/fleet.py``) and adds it to the stream, capped near
``WEBHOOK_STREAM_MAXLEN`` entries. Being one script, a crash cannot leave an
update marked as seen but never queued. When Redis is away the view fails, so
Telegram keeps the update and posts it again.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from telegram import Update

from monitoring.metrics import WEBHOOK_UPDATES
from monitoring.stream import GROUP, STREAM, redis, stream_key, uses_redis

__all__ = ["GROUP", "STREAM", "enqueue_update", "redis", "stream_key", "uses_redis"]

DAY = 24 * 60 * 60  # Telegram gives up redelivering an update well before this

# KEYS: seen, stream[, the sender's queue]; ARGV: ttl, maxlen, update json, update id
ENQUEUE = """
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then return 0 end
if KEYS[3] then
    redis.call('ZADD', KEYS[3], ARGV[4], ARGV[4])
    redis.call('EXPIRE', KEYS[3], ARGV[1])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'update', ARGV[3])
return 1
"""


def seen_key(update_id: int) -> str:
    return str(cache.make_key(f"telegram:seen:{update_id}"))


def customer_queue_key(sender: int) -> str:
    """The sorted set of a customer's update ids queued and not yet handled."""
    return str(cache.make_key(f"telegram:customer:{sender}:queue"))


def sender_id(update: dict[str, Any]) -> int | None:
    """Return who sent an update as the workers will see it (PTB's ``effective_user``), or None."""
    try:
        user = Update.de_json(update, None).effective_user
    except Exception:  # noqa: BLE001 - a shape PTB cannot read has no sender to order by
        return None
    return None if user is None else user.id


def enqueue_update(update: dict[str, Any]) -> bool:
    """Queue an update for the workers; return False for one queued before (Telegram redelivers)."""
    update_id = int(update["update_id"])
    keys = [seen_key(update_id), stream_key()]
    sender = sender_id(update)
    if sender is not None:
        keys.append(customer_queue_key(sender))
    args = [DAY, settings.WEBHOOK_STREAM_MAXLEN, json.dumps(update), update_id]
    client = redis()
    if not client.register_script(ENQUEUE)(keys=keys, args=args, client=client):
        return False
    WEBHOOK_UPDATES.labels(event="queued").inc()
    return True


def queued_updates() -> int:
    """Return how many entries the stream holds (handled ones too, until trimmed)."""
    return int(redis().xlen(stream_key()))
