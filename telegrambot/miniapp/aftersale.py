"""The Mini App's after-sale calls: reporting a problem with a purchase, a purchased file sent to the chat.

The claim is opened by the chat's own service, ``catalog.services.claims.open_claim``,
which checks the owner, the warranty, one undecided claim per purchase and
``RATE_LIMIT_CLAIM`` (counted in the database, for every face alike). A file
kept by Telegram (a file id, no copy in MEDIA_ROOT) cannot be downloaded by a
page: the service writes a notice, and the bot's notice job sends the document.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import Customer
from catalog import selectors
from catalog.services import claims, delivery_files
from telegrambot import ratelimit
from telegrambot.miniapp import api, present
from telegrambot.miniapp.endpoint import endpoint

Body = dict[str, Any]


@endpoint("POST")
def open_claim(request: HttpRequest, customer: Customer, body: Body, purchase_id: int) -> dict[str, Any]:
    """Report a problem with one of the customer's purchases: a reason, an optional text; answer its number."""
    claim = claims.open_claim(
        telegram_id=customer.telegram_id,
        purchase_id=purchase_id,
        reason=body.get("reason"),
        text=body.get("text", ""),
    )
    found = selectors.get_purchase(telegram_id=customer.telegram_id, purchase_id=purchase_id)
    return {"claim": present.claim(claim), "purchase": api.history(customer, [found])[0]}


@endpoint("POST", limit=ratelimit.APP_FILE)
def send_file(request: HttpRequest, customer: Customer, body: Body, purchase_id: int) -> dict[str, Any]:
    """Ask the bot to send a purchase's file to the customer's chat; twice in a row sends it once."""
    queued = delivery_files.send_file_to_chat(telegram_id=customer.telegram_id, purchase_id=purchase_id)
    return {"queued": queued}
