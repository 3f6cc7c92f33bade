"""What payments removes when a customer is anonymised (``accounts.services.anonymise``).

The ledger, the payments and the referral rewards are accounting and stay
as they are. What goes: the notices still queued for the customer (their
texts would reach a customer who asked to be forgotten, or quote them to
staff) and the CryptoPay invoice links of their payments.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Customer
from payments.models import Payment, PaymentNotice


def scrub_customer(*, customer: Customer) -> dict[str, int]:
    """Drop the customer's unsent notices and invoice links; return counts."""
    payments = Payment.objects.filter(customer=customer)
    notices, _by_kind = PaymentNotice.objects.filter(
        Q(telegram_id=customer.telegram_id) | Q(payment__in=payments), sent_at__isnull=True
    ).delete()
    links = payments.exclude(pay_url="").update(pay_url="")
    return {"payment_notices": notices, "invoice_links": links}
