"""A broadcast to thousands through runbot, against a Bot API that floods past 30 messages a second."""

from __future__ import annotations

from accounts.models import Customer
from bench import data
from bench.fake import TimedTelegram
from telegrambot.services import broadcasts
from telegrambot.simulator.fake_telegram import ChatMessage

FLOOD_RATE = 30


def prepare_broadcast(telegram: TimedTelegram, owner_id: int, recipients: list[int]) -> int:
    """Start a broadcast to every customer, as the owner confirming it would; return its id."""
    owner, _ = Customer.objects.get_or_create(
        telegram_id=owner_id, defaults={"first_name": "Owner", "referral_code": "owner"}
    )
    for telegram_id in [owner_id, *recipients]:
        telegram.add_user({"id": telegram_id, "is_bot": False, "first_name": "R"})
    progress = telegram.post(ChatMessage(owner_id, 0, True, "text", "Sending…", "Sending…"))
    draft = broadcasts.create_draft(actor=owner, text="🔥 <b>New drop</b> in the shop!")
    broadcasts.set_audience(actor=owner, broadcast_id=draft.pk, audience="all")
    started = broadcasts.start_broadcast(
        actor=owner, broadcast_id=draft.pk, chat_id=owner_id, message_id=progress["message_id"]
    )
    return started.pk


def seed_recipients(count: int) -> list[int]:
    data.wipe()
    data.copy_rows(
        Customer,
        (
            Customer(telegram_id=data.FIRST_ID + n, first_name=f"R {n}", referral_code=f"r{n}")
            for n in range(count)
        ),
    )
    return data.customer_ids(count)
