"""Debiting a balance first: the customer's row locked and charged in one statement.

A balance purchase locks the customer (``SELECT … FOR UPDATE``), works out
the price, and writes the balance at the end (``UPDATE``). When the amount is
known before the sale starts (a purchase intent's total, a product's price),
one ``UPDATE … RETURNING`` does both: it takes the row lock the lock order
puts first, and the money, or changes nothing when the balance does not
cover it.

The debit is provisional: the caller's transaction goes on to sell, and any
refusal after it (the intent used, the unit gone, the price changed) rolls
the money back with everything else. ``write_debits`` then writes the ledger
rows for exactly the amount taken, so ``sum(ledger) == balance`` holds at
commit as it does with ``change_balance``.

PostgreSQL only: SQLite computes a NUMERIC difference in floating point, so
the embedded database keeps the lock-then-``change_balance`` path.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from accounts.cache import forget_customer
from accounts.models import Customer
from payments.models import LedgerEntry
from payments.money import quantize


@dataclass(frozen=True)
class Debit:
    """What ``debit_first`` took: the customer, locked, with the balance after it, and the amount."""

    customer: Customer
    amount: Decimal


def debits_first() -> bool:
    """Whether this database takes the one-statement debit (see the module's docstring)."""
    return connection.vendor == "postgresql"


def debit_first(*, telegram_id: int, amount: QuerySet) -> Debit | None:
    """Lock a customer's row by taking ``amount`` from their balance; None changes nothing.

    ``amount`` is a queryset of one positive money column and at most one row,
    read inside the statement. None when the database does not debit first,
    there is no such customer, no amount (a used intent), or the balance is
    short: the caller takes the long way, which says why. Must run inside the
    caller's transaction, before any other lock of the sale.
    """
    if not debits_first():
        return None
    charge, params = amount.query.sql_with_params()
    fields = Customer._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(f"customer.{quote(field.column)}" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH charge (amount) AS ({charge})"
            f" UPDATE {quote(Customer._meta.db_table)} AS customer"
            " SET balance = customer.balance - charge.amount FROM charge"
            " WHERE customer.telegram_id = %s AND charge.amount > 0 AND customer.balance >= charge.amount"
            f" RETURNING {columns}, charge.amount",
            [*params, telegram_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    forget_customer(telegram_id)  # no save(), so no signal: the gate's cached row goes here
    customer = Customer.from_db(connection.alias, [field.attname for field in fields], row[:-1])
    return Debit(customer=customer, amount=quantize(row[-1]))


def write_debits(debit: Debit, entries: list[tuple[Decimal, str, str]], *, kind: str) -> None:
    """Write the ledger rows of ``debit``: one per (amount, reason, reference), in one INSERT.

    The amounts must add up to what was taken; anything else is a bug in
    the caller, refused before a row is written.
    """
    if sum((amount for amount, _, _ in entries), Decimal(0)) != debit.amount:
        raise ValueError(f"ledger rows for {entries!r} do not add up to the debit of {debit.amount}")
    balance = debit.customer.balance + debit.amount
    rows = []
    for amount, reason, reference in entries:
        balance -= amount
        rows.append(
            LedgerEntry(
                customer=debit.customer,
                kind=kind,
                amount=-amount,
                balance_after=balance,
                reason=reason[:255],
                reference=reference[:64],
            )
        )
    LedgerEntry.objects.bulk_create(rows)
