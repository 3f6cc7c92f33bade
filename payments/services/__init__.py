"""Writes on balances and payments: the ledger, top-ups, crediting, refunds, notices.

Every change of a balance goes through ``change_balance``, which writes one
ledger row with the balance after it in the same transaction, so that
``sum(ledger) == balance`` holds for every customer at every commit.

Lock order (shared with ``catalog.services``): customer rows in ascending id,
then the payment row, then stock rows, then promo rows. No network call is
made inside a transaction; metrics and messages wait for the commit.

What a paid payment delivers is decided by the fulfiller registered for its
purpose (``fulfilment.py``); the locking and status helpers stay inside
``payments``.
"""

from payments.services.crediting import (
    Credit,
    count_payment,
    create_payment,
    credit_payment,
    flag_for_review,
    pay_referral_reward,
)
from payments.services.cryptopay import (
    InvoiceState,
    credit_crypto_invoice,
    expire_overdue_payments,
    pending_crypto_invoices,
)
from payments.services.debits import Debit, debit_first, write_debits
from payments.services.fulfilment import Fulfiller, fulfiller_for, register_fulfiller
from payments.services.ledger import REASON_MAX, adjust_balance, change_balance, clean_reason
from payments.services.notices import (
    Notice,
    claim_notices,
    mark_notices_sent,
    owe_notice,
    owe_purchase_file,
    owe_purchase_receipt,
    owe_review_notices,
)
from payments.services.owed import collect_owed
from payments.services.refunds import (
    OutsideRefund,
    RefundAnswer,
    StarsRefund,
    begin_stars_refund,
    record_manual_refund,
    record_outside_refund,
    returned_text,
    settle_stars_refund,
    settle_stars_refund_once,
)
from payments.services.telegram import check_pre_checkout, confirm_telegram_payment
from payments.services.top_ups import (
    attach_crypto_invoice,
    enabled_providers,
    fail_payment,
    max_stars_amount,
    provider_price,
    shortfall_top_up,
    start_top_up,
)

__all__ = [
    "REASON_MAX",
    "Credit",
    "Debit",
    "Fulfiller",
    "InvoiceState",
    "Notice",
    "adjust_balance",
    "attach_crypto_invoice",
    "change_balance",
    "check_pre_checkout",
    "claim_notices",
    "mark_notices_sent",
    "clean_reason",
    "confirm_telegram_payment",
    "count_payment",
    "create_payment",
    "credit_crypto_invoice",
    "credit_payment",
    "debit_first",
    "write_debits",
    "enabled_providers",
    "expire_overdue_payments",
    "fail_payment",
    "flag_for_review",
    "fulfiller_for",
    "max_stars_amount",
    "owe_notice",
    "owe_purchase_file",
    "owe_purchase_receipt",
    "owe_review_notices",
    "pay_referral_reward",
    "shortfall_top_up",
    "pending_crypto_invoices",
    "provider_price",
    "register_fulfiller",
    "collect_owed",
    "record_manual_refund",
    "record_outside_refund",
    "returned_text",
    "OutsideRefund",
    "RefundAnswer",
    "StarsRefund",
    "begin_stars_refund",
    "settle_stars_refund",
    "settle_stars_refund_once",
    "start_top_up",
]
