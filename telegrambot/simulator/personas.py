"""The simulated Telegram users the page can switch between.

A new customer, a customer with money on the balance, and the owner. Customer
ids are fresh for each web process, so "new customer" is new every time; the
owner is ``OWNER_ID``, or a fixed simulated id when the shop has none. The
balance is given through the payments service, as a staff member's credit
with a reason, so the ledger and the audit log see it like any other.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.actors import Actor
from accounts.services import register_customer
from payments.services import adjust_balance
from shopbot.errors import ShopError

SIMULATED_OWNER_ID = 4_200_000_001
# Simulated customers get ids far above this, from the clock, so two web processes never share one.
CUSTOMER_ID_BASE = 4_300_000_000
DEMO_BALANCE = Decimal(5000)
DEMO_BALANCE_REASON = "Demo balance for the chat simulator"


@dataclass
class Persona:
    """One simulated Telegram user with a private chat with the bot."""

    key: str
    telegram_id: int
    first_name: str
    description: str
    username: str = ""
    language_code: str = "en"
    note: str = ""  # shown on the page, e.g. why the balance could not be given

    def as_telegram(self) -> dict[str, Any]:
        """Return the user as the Bot API's ``User`` object."""
        user: dict[str, Any] = {
            "id": self.telegram_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            user["username"] = self.username
        return user

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "id": self.telegram_id,
            "name": self.first_name,
            "description": self.description,
            "note": self.note,
        }


class CustomerIds:
    """Hands out ids no earlier web process has used: the clock, then counting up."""

    def __init__(self) -> None:
        # A thousand ids per second of the clock, so a restarted process does not meet earlier customers.
        self.ids = itertools.count(CUSTOMER_ID_BASE + int(time.time()) % 10**7 * 1000)

    def next(self) -> int:
        return next(self.ids)


def new_customer(ids: CustomerIds, number: int) -> Persona:
    suffix = f" {number}" if number > 1 else ""
    return Persona(
        f"new-{number}", ids.next(), f"Nina{suffix}", "a new customer", username=f"nina_sim{number}"
    )


def customer_with_balance(ids: CustomerIds, *, actor: Actor) -> Persona:
    """Register a customer and credit the demo balance to them on behalf of ``actor``."""
    persona = Persona("rich", ids.next(), "Rick", "a customer with a balance", username="rick_sim")
    register_customer(
        telegram_id=persona.telegram_id,
        username=persona.username,
        first_name=persona.first_name,
        language_code=persona.language_code,
    )
    try:
        adjust_balance(
            actor=actor,
            telegram_id=persona.telegram_id,
            amount=DEMO_BALANCE,
            reason=DEMO_BALANCE_REASON,
            credit=True,
        )
    except ShopError as error:  # a staff member without the permission: the persona is still usable
        persona.note = f"The demo balance could not be given: {error}"
    return persona


def owner(owner_id: int) -> Persona:
    """The owner is ``OWNER_ID``; with none set, a fixed id that the bot will not treat as the owner."""
    if owner_id == SIMULATED_OWNER_ID:
        return Persona(
            "owner", owner_id, "Olga", "the owner (simulated: OWNER_ID is not set)", username="olga_sim"
        )
    if owner_id:
        return Persona("owner", owner_id, "Olga", "the owner (OWNER_ID)", username="olga_sim")
    note = "OWNER_ID is not set, so the bot does not treat this user as the owner."
    return Persona("owner", SIMULATED_OWNER_ID, "Olga", "not the owner", username="olga_sim", note=note)
