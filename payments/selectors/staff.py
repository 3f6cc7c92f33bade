"""Payments for staff: find one, its card, the lists that need attention.

The payments screens of the Telegram admin menu and of the web admin use
these. Each function checks ``refund_payments`` itself, because callback data
and typed text are forged easily; a refusal is audited by
``require_permission``. The refunds are ``services.refunds`` and the
re-checks with CryptoPay ``services.rechecks``, which check
everything again under their locks: what this module says a card allows only
chooses the buttons to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.selectors import Page, paginate
from accounts.services import require_permission
from payments.models import Payment
from payments.services.refunds import credited_amount, refundable
from shopbot.errors import InvalidInput, PaymentNotFound, RefundRefused

PERMISSION = "refund_payments"
# "#42" is a payment id; bare digits are a payment id or a CryptoPay invoice id (both are tried).
NUMBER = re.compile(r"(#?)(\d{1,18})", re.ASCII)
# Telegram charge ids are letters, digits and a few separators; nothing else is looked up.
CHARGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}", re.ASCII)
FOUND_MAX = 10  # payments listed for one look-up
LISTS = ("review", "pending")
MANUAL_PROVIDERS = (Payment.Provider.TELEGRAM, Payment.Provider.CRYPTOPAY)


@dataclass(frozen=True)
class PaymentCard:
    """A payment with its customer, what it credited, and the staff actions its state allows."""

    payment: Payment
    credited: Decimal  # what it put on the balance and is still there to take back
    refund_stars: bool
    manual_refund: bool
    recheck: bool


@dataclass(frozen=True)
class PaymentsOverview:
    """How many payments wait for staff, for the first payments screen."""

    review: int
    pending: int


def needing_review() -> QuerySet[Payment]:
    """Return the payments staff must look at: flagged and not refunded, or refunds Telegram has not confirmed."""
    flagged = Q(needs_review=True) & ~Q(status=Payment.Status.REFUNDED)
    return Payment.objects.filter(flagged | Q(status=Payment.Status.REFUNDING))


def get_overview(*, actor: Actor) -> PaymentsOverview:
    """Return how many payments need review and how many wait to be paid."""
    require_permission(actor=actor, codename=PERMISSION, action="view_payments")
    pending = Payment.objects.filter(status=Payment.Status.PENDING).count()
    return PaymentsOverview(review=needing_review().count(), pending=pending)


def list_payments(*, actor: Actor, which: str, page: int) -> Page[Payment]:
    """Return a page of the payments needing review, or of the pending ones, newest first."""
    require_permission(actor=actor, codename=PERMISSION, action="view_payments")
    if which not in LISTS:
        raise InvalidInput(reason=_("There is no such list."))
    rows = needing_review() if which == "review" else Payment.objects.filter(status=Payment.Status.PENDING)
    return paginate(rows.select_related("customer").order_by("-created", "-id"), page=page)


def find_payments(*, actor: Actor, query: str) -> list[Payment]:
    """Return the payments a typed payment id, Telegram charge id or CryptoPay invoice id names."""
    require_permission(actor=actor, codename=PERMISSION, action="find_payment")
    text = (query or "").strip()
    number = NUMBER.fullmatch(text)
    if number and number[1]:
        wanted = Q(pk=int(number[2]))
    elif number:
        wanted = Q(pk=int(number[2])) | Q(external_id=number[2])
    elif CHARGE_ID.fullmatch(text):
        wanted = Q(external_id=text) | Q(provider_charge_id=text)
    else:
        raise InvalidInput(
            reason=_("Send a payment id (such as #42), a Telegram charge id or a CryptoPay invoice id.")
        )
    found = list(
        Payment.objects.filter(wanted).select_related("customer").order_by("-created", "-id")[:FOUND_MAX]
    )
    if not found:
        raise PaymentNotFound()
    return found


def get_payment_card(*, actor: Actor, payment_id: int) -> PaymentCard:
    """Return a payment's card for staff."""
    require_permission(actor=actor, codename=PERMISSION, action="view_payment")
    payment = Payment.objects.filter(pk=payment_id).select_related("customer").first()
    if payment is None:
        raise PaymentNotFound()
    return PaymentCard(
        payment=payment,
        credited=credited_amount(payment),
        refund_stars=allows_refund(payment, manual=False),
        manual_refund=allows_refund(payment, manual=True),
        recheck=allows_recheck(payment),
    )


def prepare_refund(*, actor: Actor, payment_id: int, manual: bool) -> PaymentCard:
    """Return the card of a payment about to be refunded; refuse at once what the refund would refuse.

    ``manual`` is a refund recorded by hand (card, CryptoPay); otherwise Stars
    returned through Telegram. Whether the balance still covers the credit is
    left to the refund itself, which decides under its locks.
    """
    action = "record_manual_refund" if manual else "refund_stars_payment"
    require_permission(actor=actor, codename=PERMISSION, action=action)
    card = get_payment_card(actor=actor, payment_id=payment_id)
    check_refund(card.payment, manual=manual)
    return card


def check_refund(payment: Payment, *, manual: bool) -> None:
    """Refuse, as ``begin_stars_refund`` or ``record_manual_refund`` would, a refund this payment does not allow."""
    if manual:
        if payment.provider == Payment.Provider.STARS:
            raise RefundRefused(reason=_("Stars payments are refunded through Telegram."))
        refundable(payment, provider_ok=payment.provider in MANUAL_PROVIDERS)
    elif payment.provider != Payment.Provider.STARS or payment.status != Payment.Status.REFUNDING:
        # A refunding Stars payment may be refunded again: that finishes it.
        refundable(payment, provider_ok=payment.provider == Payment.Provider.STARS)


def allows_refund(payment: Payment, *, manual: bool) -> bool:
    try:
        check_refund(payment, manual=manual)
    except RefundRefused:
        return False
    return True


def allows_recheck(payment: Payment) -> bool:
    """Return whether asking CryptoPay about this payment could change it."""
    pending = payment.status == Payment.Status.PENDING
    return payment.provider == Payment.Provider.CRYPTOPAY and pending and bool(payment.external_id)
