"""Small helpers for payments tests: paying invoices the way Telegram and CryptoPay report them."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings

from payments.cryptopay import CryptoPayClient, invoice_description
from payments.models import Payment
from payments.money import to_minor_units
from payments.services import (
    RefundAnswer,
    StarsRefund,
    attach_crypto_invoice,
    begin_stars_refund,
    confirm_telegram_payment,
    settle_stars_refund,
    start_top_up,
)
from payments.webhooks import SIGNATURE_HEADER
from shopbot.test import ShopTestCase, ledger_matches_balance

# Every method on, with a Stars rate that needs rounding.
ALL_METHODS = override_settings(
    STARS_PER_VALUE=Decimal("1.5"),
    TELEGRAM_PROVIDER_TOKEN="284685063:TEST:provider",
    CRYPTO_PAY_TOKEN="12345:fake-cryptopay-token",
    PAY_CURRENCY="RUB",
    OWNER_ID=9000,
)
charges = itertools.count(1)


def total_of(payment: Payment) -> int:
    """What Telegram reports in ``successful_payment.total_amount`` for this invoice."""
    return to_minor_units(payment.provider_amount, payment.provider_currency)


def pay_telegram(
    payment: Payment, *, charge_id: str | None = None, telegram_id: int | None = None, **changes
):
    """Report a successful Telegram payment of ``payment``, as the bot would."""
    fields = {
        "telegram_id": telegram_id or payment.customer.telegram_id,
        "payload": payment.payload,
        "currency": payment.provider_currency,
        "total_amount": total_of(payment),
        "telegram_charge_id": charge_id or f"charge-{next(charges)}",
        "provider_charge_id": "provider-charge" if payment.provider == Payment.Provider.TELEGRAM else "",
    }
    fields.update(changes)
    return confirm_telegram_payment(**fields)


def amount(text: str) -> Decimal:
    return Decimal(text)


DONE = RefundAnswer(done=True)


def refund_stars(
    *,
    actor,
    payment_id: int,
    reason: str,
    answer: RefundAnswer = DONE,
    asked: list[StarsRefund] | None = None,
) -> Payment:
    """Run a Stars refund as a face does, with ``answer`` as Telegram's; ``asked`` collects what Telegram was asked."""
    refund = begin_stars_refund(actor=actor, payment_id=payment_id, reason=reason)
    if asked is not None:
        asked.append(refund)
    return settle_stars_refund(actor=actor, refund=refund, answer=answer)


def open_crypto_invoice(*, telegram_id: int, amount: str) -> Payment:
    """Return a pending CryptoPay top-up with its invoice, as the bot's flow leaves it (on the fake CryptoPay)."""
    payment = start_top_up(telegram_id=telegram_id, provider=Payment.Provider.CRYPTOPAY, amount=amount)
    invoice_id, pay_url = async_to_sync(CryptoPayClient().create_invoice)(
        payment, invoice_description(payment)
    )
    return attach_crypto_invoice(payment_id=payment.pk, invoice_id=invoice_id, pay_url=pay_url)


WEBHOOK = "/payments/cryptopay/webhook/"


class CryptoPayTestCase(ShopTestCase):
    """Against the fake CryptoPay: open invoices, post its webhook, read balances checked against the ledger."""

    @pytest.fixture(autouse=True)
    def use_fake(self, fake_cryptopay):
        self.fake = fake_cryptopay

    def new_invoice(self, customer=None, amount="25.00") -> Payment:
        return open_crypto_invoice(telegram_id=(customer or self.bob).telegram_id, amount=amount)

    def post_webhook(self, invoice_id, *, token=None, body=None, signature=None):
        body = self.fake.webhook_body(invoice_id) if body is None else body
        headers = self.fake.webhook_headers(body, token=token)
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        headers.pop("Content-Type")
        return self.client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)

    def balance(self, customer) -> Decimal:
        customer.refresh_from_db()
        self.assertTrue(ledger_matches_balance(customer))
        return customer.balance
