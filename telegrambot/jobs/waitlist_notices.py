"""The back-in-stock job: queues the notices a restock released and hands them to the broadcast sender.

Stock can be added anywhere (the bot, the web admin, an import), so the
restock only marks the waiting entries; this job, a few seconds later, turns
them into one broadcast per product (``telegrambot.services.waitlist_notices``)
and schedules its sending job on this worker. A broadcast queued just before a
crash is resumed by the next start, as every broadcast is.
"""

from __future__ import annotations

from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.jobs import broadcast
from telegrambot.services import waitlist_notices

EVERY = 15.0  # seconds between looks at the released entries


async def queue_notices(context: ShopContext) -> None:
    """Queues the released waitlist entries and starts sending them."""
    for broadcast_id in await call(waitlist_notices.queue_released):
        broadcast.schedule(context.application, broadcast_id)
