"""Payment history: the seed's payments and balance operations, recorded without moving money.

The opening balance already holds what they credited. Kept unique on
(provider, external id), a late notification for a payment the seed credited
finds it paid and credits nothing.
"""

from __future__ import annotations

from django.conf import settings

from catalog.importing.seed.state import SeedImport, as_money
from payments.models import Payment
from payments.money import ZERO

NOTE = "Imported from the previous shop"
PROVIDERS = {
    "cryptopay": Payment.Provider.CRYPTOPAY,
    "crypto_pay": Payment.Provider.CRYPTOPAY,
    "cryptobot": Payment.Provider.CRYPTOPAY,
    "stars": Payment.Provider.STARS,
    "telegram_stars": Payment.Provider.STARS,
    "xtr": Payment.Provider.STARS,
    "telegram": Payment.Provider.TELEGRAM,
    "telegram_payments": Payment.Provider.TELEGRAM,
    "manual": Payment.Provider.MANUAL,
}
# Only a paid payment stays paid; one the seed never finished can never be credited from its record.
STATUSES = {
    "paid": Payment.Status.PAID,
    "succeeded": Payment.Status.PAID,
    "success": Payment.Status.PAID,
    "completed": Payment.Status.PAID,
    "refunded": Payment.Status.REFUNDED,
    "failed": Payment.Status.FAILED,
    "cancelled": Payment.Status.FAILED,
    "canceled": Payment.Status.FAILED,
}
OPERATION_ID = "seed-operation-{}"


def import_payments(state: SeedImport) -> None:
    report = state.report
    new: dict[tuple[str, str], Payment] = {}
    for row in state.read("payments", "payments"):
        provider = PROVIDERS.get((row["provider"] or "").strip().lower())
        if provider is None:
            report.problem("payments", row["id"], f"unknown provider {row['provider']!r}")
            continue
        status = STATUSES.get((row["status"] or "").strip().lower(), Payment.Status.EXPIRED)
        payment = history_payment(state, "payments", row, provider, row["external_id"], row["amount"], status)
        if payment is not None:
            payment.provider_currency = (row["currency"] or payment.provider_currency)[:8]
            if (provider, payment.external_id) in new:
                report.problem("payments", row["id"], "the same provider payment twice")
            else:
                new[(provider, payment.external_id)] = payment
    save_new(state, "payments", new)


def import_operations(state: SeedImport) -> None:
    """Keep the seed's balance operations as manual payments (its top-ups by an admin or a provider)."""
    new: dict[tuple[str, str], Payment] = {}
    for row in state.read("balance operations", "operations"):
        external_id = OPERATION_ID.format(row["id"])
        payment = history_payment(
            state,
            "balance operations",
            {"id": row["id"], "user_id": row["user_id"], "created_at": row["operation_time"]},
            Payment.Provider.MANUAL,
            external_id,
            row["operation_value"],
            Payment.Status.PAID,
        )
        if payment is not None:
            new[(Payment.Provider.MANUAL, external_id)] = payment
    save_new(state, "balance operations", new)


def history_payment(
    state: SeedImport, kind: str, row: dict, provider: str, external_id: str, raw: object, status: str
) -> Payment | None:
    customer = state.customers.get(row["user_id"])
    amount = as_money(raw)
    if customer is None:
        state.report.problem(kind, row["id"], "no customer (deleted in the seed)")
        return None
    if amount is None or amount <= ZERO:
        state.report.problem(kind, row["id"], f"amount {raw} refused")
        return None
    return Payment(
        provider=provider,
        customer=customer,
        external_id=str(external_id)[:128],
        amount=amount,
        provider_amount=amount,
        provider_currency=settings.PAY_CURRENCY,
        status=status,
        note=NOTE,
        expires_at=row["created_at"],
        created=row["created_at"],
        paid_at=row["created_at"] if status == Payment.Status.PAID else None,
    )


def save_new(state: SeedImport, kind: str, new: dict[tuple[str, str], Payment]) -> None:
    tally = state.report[kind]
    present = set()
    keys = list(new)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for provider in {key[0] for key in chunk}:
            ids = [key[1] for key in chunk if key[0] == provider]
            found = Payment.objects.filter(provider=provider, external_id__in=ids)
            present.update(
                (provider, external_id) for external_id in found.values_list("external_id", flat=True)
            )
    tally.unchanged += len(present)
    fresh = [payment for key, payment in new.items() if key not in present]
    Payment.objects.bulk_create(fresh, batch_size=500)
    tally.added += len(fresh)
