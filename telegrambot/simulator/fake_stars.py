"""The fake Bot API's Stars ledger: ``getStarTransactions`` over the charges it took and returned.

Each Stars charge (``FakeTelegram.charges``: charge id -> ``user_id``,
``refunded``, and ``amount``, ``payload``, ``date`` when known) is one incoming
``StarTransaction`` whose id is the charge id, from a ``TransactionPartnerUser``
with the invoice payload; a refunded charge adds an outgoing one with the
same id to that user, as Telegram lists a refund. Transactions come in
chronological order, ``offset`` skips that many, ``limit`` is 1..100 (100).
"""

from __future__ import annotations

import time
from typing import Any

from telegrambot.simulator.fake_chat import Rejected

MAX_LIMIT = 100


class StarLedger:
    """``getStarTransactions`` for ``FakeTelegram``; it holds ``charges`` and ``users``."""

    charges: dict[str, dict[str, Any]]
    users: dict[int, dict[str, Any]]

    def add_star_charge(
        self, charge_id: str, *, user_id: int, amount: int, payload: str = "", date: int | None = None
    ) -> dict[str, Any]:
        """Record a Stars charge Telegram took (whether or not the bot heard of it)."""
        charge = {
            "user_id": user_id,
            "refunded": False,
            "amount": amount,
            "payload": payload,
            "date": date or int(time.time()),
        }
        self.charges[charge_id] = charge
        return charge

    def refund_outside(self, charge_id: str, *, date: int | None = None) -> None:
        """Telegram returns a charge without the bot (support, a dispute)."""
        charge = self.charges[charge_id]
        charge["refunded"] = True
        charge["refunded_date"] = date or int(time.time())

    def star_transactions(self) -> list[dict[str, Any]]:
        """Every transaction of the bot's Stars balance, oldest first."""
        rows: list[tuple[int, int, dict[str, Any]]] = []
        for order, (charge_id, charge) in enumerate(self.charges.items()):
            date = int(charge.get("date") or 0)
            partner = {
                "type": "user",
                "transaction_type": "invoice_payment",
                "user": self.users.get(
                    charge["user_id"], {"id": charge["user_id"], "is_bot": False, "first_name": "?"}
                ),
            }
            amount = int(charge.get("amount") or 1)
            incoming = {"id": charge_id, "amount": amount, "date": date, "source": dict(partner)}
            if charge.get("payload"):
                incoming["source"]["invoice_payload"] = charge["payload"]
            rows.append((date, order * 2, incoming))
            if charge.get("refunded"):
                refunded = int(charge.get("refunded_date") or date)
                outgoing = {"id": charge_id, "amount": amount, "date": refunded, "receiver": partner}
                rows.append((refunded, order * 2 + 1, outgoing))
        return [row for _date, _order, row in sorted(rows, key=lambda row: row[:2])]

    def api_getStarTransactions(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or MAX_LIMIT)
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            raise Rejected("Bad Request: LIMIT_INVALID" if offset >= 0 else "Bad Request: OFFSET_INVALID")
        return {"transactions": self.star_transactions()[offset : offset + limit]}
