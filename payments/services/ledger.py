"""The balance ledger: every change of a balance writes one row in the same transaction.

``sum(ledger) == balance`` holds for every customer at every commit because
nothing but ``change_balance`` writes ``Customer.balance``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor, actor_customer, actor_label
from accounts.models import Customer
from accounts.services import get_customer_for_update, record_audit, requires
from payments.models import LedgerEntry, Payment
from payments.money import ZERO, check_range, format_money, parse_amount, quantize
from shopbot.errors import InsufficientFunds, InvalidInput

REASON_MAX = 200


def change_balance(
    *,
    customer: Customer,
    amount: Decimal,
    kind: str,
    reason: str = "",
    reference: str = "",
    payment: Payment | None = None,
    actor: Customer | None = None,
) -> LedgerEntry:
    """Add ``amount`` (negative to take) to a balance and write its ledger row.

    The caller must hold a SELECT FOR UPDATE lock on ``customer`` and be inside
    a transaction. A debit larger than the balance raises ``InsufficientFunds``.
    """
    amount = quantize(amount)
    if amount == ZERO:
        raise InvalidInput(reason=_("The amount must not be zero."))
    new_balance = customer.balance + amount
    if new_balance < ZERO:
        raise InsufficientFunds(price=format_money(-amount), balance=format_money(customer.balance))
    customer.balance = new_balance
    customer.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        customer=customer,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        reason=reason[:255],
        reference=reference[:64],
        payment=payment,
        actor=actor,
    )


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(reason=_("Give a reason of 1 to %(max)s characters.") % {"max": REASON_MAX})
    return reason


@requires("manage_balances")
@transaction.atomic
def adjust_balance(
    *, actor: Actor, telegram_id: int, amount: object, reason: str, credit: bool
) -> LedgerEntry:
    """Credit or debit a customer's balance by hand, with a reason, never below zero.

    The amount is bounded by MIN_AMOUNT..MAX_AMOUNT; the change is audited.
    """
    value = check_range(parse_amount(amount))
    reason = clean_reason(reason)
    customer = get_customer_for_update(telegram_id=telegram_id)
    entry = change_balance(
        customer=customer,
        amount=value if credit else -value,
        kind=LedgerEntry.Kind.ADMIN_CREDIT if credit else LedgerEntry.Kind.ADMIN_DEBIT,
        reason=reason,
        reference=actor_label(actor),
        actor=actor_customer(actor),
    )
    record_audit(
        actor=actor,
        action="credit_balance" if credit else "debit_balance",
        target=customer,
        details={"amount": str(value), "reason": reason, "balance_after": str(entry.balance_after)},
    )
    return entry
