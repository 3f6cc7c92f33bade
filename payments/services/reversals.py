"""What a refund takes back besides the payment: the referral reward, and credit Telegram returned without us.

Both run inside the refund's transaction, under its locks (customer rows in
ascending id, then the payment). The database refuses a negative balance, so
each takes what the balance holds and records the rest as owed to the shop:
``ReferralReward.owed`` for a referrer who spent the reward,
``Payment.refund_owed`` for a customer who spent a top-up Telegram refunded
outside the bot. Staff see both in the web admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.actors import Actor, actor_customer
from accounts.models import Customer
from accounts.services import record_audit
from payments.models import LedgerEntry, Payment, ReferralReward
from payments.money import ZERO
from payments.services.ledger import change_balance


@dataclass(frozen=True)
class Reversal:
    """What a refund took back from a referral reward, and what stays owed."""

    reward: ReferralReward
    taken: Decimal
    owed: Decimal


def reverse_referral_reward(*, payment: Payment, actor: Actor | None) -> Reversal | None:
    """Take back the referral reward a refunded top-up paid, once; return what was taken and owed.

    The caller is inside the refund's transaction and holds the customer rows
    (``lock_payment_and_customers`` locks the referrer with the customer).
    What the referrer's balance cannot cover is recorded as ``owed``; the
    reward is marked reversed either way, so a second refund signal changes
    nothing.
    """
    reward = ReferralReward.objects.select_for_update().filter(payment=payment).first()
    if reward is None or reward.reversed_at is not None:
        return None
    referrer = Customer.objects.select_for_update().get(pk=reward.referrer_id)
    taken = min(referrer.balance, reward.amount)
    if taken > ZERO:
        change_balance(
            customer=referrer,
            amount=-taken,
            kind=LedgerEntry.Kind.REFERRAL_REVERSAL,
            reason=_("Referral reward reversed: the top-up was refunded"),
            reference=str(payment.pk),
            payment=payment,
            actor=actor_customer(actor),
        )
    reward.reversed_at = now()
    reward.owed = reward.amount - taken
    reward.save(update_fields=["reversed_at", "owed"])
    record_audit(
        actor=actor,
        action="reverse_referral_reward",
        target=f"payment #{payment.pk}",
        details={"referrer": referrer.telegram_id, "taken": str(taken), "owed": str(reward.owed)},
    )
    return Reversal(reward=reward, taken=taken, owed=reward.owed)


def take_back_credit(*, payment: Payment, customer: Customer, credited: Decimal, reason: str) -> Decimal:
    """Debit what a payment Telegram refunded credited, as far as the balance holds; return what stays owed.

    For refunds that already happened (Telegram's ``refunded_payment``): the
    money is back with the customer, so nothing is refused; the shortfall is
    recorded on ``payment.refund_owed``. The caller holds the customer row.
    """
    taken = min(customer.balance, credited)
    if taken > ZERO:
        change_balance(
            customer=customer,
            amount=-taken,
            kind=LedgerEntry.Kind.REFUND,
            reason=reason,
            reference=str(payment.pk),
            payment=payment,
        )
    payment.refund_owed = credited - taken
    return payment.refund_owed
