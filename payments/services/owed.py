"""Amounts owed to the shop, collected from the customer's next credits.

A refund Telegram made outside the bot, or the reversal of a referral reward,
records what the balance could not give back (``Payment.refund_owed``,
``ReferralReward.owed``; ``payments.services.reversals``). The customer's next
credit (a top-up, an order credited to the balance, a refund to the balance)
pays it back in the credit's own transaction: one ledger row per owed record,
oldest first, never more than that credit brought. What was collected moves
from the owed field to its collected field (``refund_collected``,
``ReferralReward.collected``), so staff see both, and it is audited.

Locks: the caller holds the customer's row (the credit's lock), which
serializes two credits at once: the second sees what the first collected.
The owed payment and reward rows are locked after it, as every refund does.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import Customer
from accounts.services import record_audit
from payments.models import LedgerEntry, Payment, ReferralReward
from payments.money import ZERO
from payments.services.ledger import change_balance


def collect_owed(*, customer: Customer, credited: Decimal) -> Decimal:
    """Take what ``customer`` owes the shop out of a credit of ``credited`` just made; return what was taken.

    Called inside the credit's transaction, right after its ledger row, with
    the customer's row locked. Each owed record gets one ledger row.
    """
    room = min(credited, customer.balance)
    if room <= ZERO:
        return ZERO
    taken: list[tuple[str, int, Decimal]] = []
    payments = Payment.objects.select_for_update().filter(customer=customer, refund_owed__gt=ZERO)
    for payment in payments.order_by("refunded_at", "id"):
        amount = min(room, payment.refund_owed)
        change_balance(
            customer=customer,
            amount=-amount,
            kind=LedgerEntry.Kind.REFUND,
            reason=_("Owed since payment #%(payment)s was refunded: collected") % {"payment": payment.pk},
            reference=str(payment.pk),
            payment=payment,
        )
        payment.refund_owed -= amount
        payment.refund_collected += amount
        payment.save(update_fields=["refund_owed", "refund_collected", "updated"])
        taken.append(("payment", payment.pk, amount))
        room -= amount
        if room <= ZERO:
            break
    rewards = ReferralReward.objects.select_for_update().filter(referrer=customer, owed__gt=ZERO)
    for reward in rewards.order_by("reversed_at", "id") if room > ZERO else []:
        amount = min(room, reward.owed)
        change_balance(
            customer=customer,
            amount=-amount,
            kind=LedgerEntry.Kind.REFERRAL_REVERSAL,
            reason=_("Referral reward owed since payment #%(payment)s was refunded: collected")
            % {"payment": reward.payment_id},
            reference=str(reward.payment_id or ""),
            payment=reward.payment,
        )
        reward.owed -= amount
        reward.collected += amount
        reward.save(update_fields=["owed", "collected"])
        taken.append(("referral_reward", reward.pk, amount))
        room -= amount
        if room <= ZERO:
            break
    total = sum((amount for _kind, _pk, amount in taken), ZERO)
    if total > ZERO:
        record_audit(
            actor=None,
            action="collect_owed",
            target=customer,
            details={"total": str(total), "from": [[kind, pk, str(amount)] for kind, pk, amount in taken]},
        )
    return total
