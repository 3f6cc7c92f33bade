"""A staff re-check of a CryptoPay payment: which invoice to ask about, then what CryptoPay said.

The web admin and the bot's admin menu use these around the question to
CryptoPay, which the face asks outside any service; each checks
``refund_payments`` itself and audits a refusal.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, requires
from payments.models import Payment
from payments.selectors.staff import PERMISSION
from payments.services.crediting import Credit
from payments.services.cryptopay import InvoiceState, crypto_invoice_of, record_invoice_state
from shopbot.errors import InvalidInput, PaymentNotFound


@requires(PERMISSION)
def start_recheck(*, actor: Actor, payment_id: int) -> int | None:
    """Return the CryptoPay invoice to ask about for a staff re-check, or None when asking could change nothing.

    The face asks CryptoPay (``payments.cryptopay.ask_invoice``) outside any
    service and hands the answer to ``record_recheck``.
    """
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    if payment.provider != Payment.Provider.CRYPTOPAY:
        raise InvalidInput(reason=_("Only CryptoPay payments can be checked with CryptoPay."))
    if not payment.external_id:
        raise InvalidInput(reason=_("This payment has no CryptoPay invoice to check."))
    return int(payment.external_id) if payment.status == Payment.Status.PENDING else None


@requires(PERMISSION)
def record_recheck(*, actor: Actor, payment_id: int, state: InvoiceState | None) -> Credit:
    """Credit a re-checked payment if CryptoPay said it was paid, and audit the re-check.

    Crediting is as idempotent as every other signal.
    """
    payment = crypto_invoice_of(payment_id=payment_id, telegram_id=None)
    credit = record_invoice_state(payment=payment, state=state)
    record_audit(
        actor=actor,
        action="recheck_payment",
        target=f"payment #{payment_id}",
        details={"status": credit.payment.status, "credited": credit.credited},
    )
    return credit
