"""The balance ledger, payments per provider and referral rewards."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from payments.money import money_field


def new_payload() -> str:
    # Opaque and unguessable: it names the payment in invoices and callbacks.
    return secrets.token_urlsafe(16)


class LedgerEntry(models.Model):
    """One change of a customer's balance; the ledger sums to the balance."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("Top-up")
        PURCHASE = "purchase", _("Purchase")
        REFUND = "refund", _("Refund")
        REFERRAL_REWARD = "referral_reward", _("Referral reward")
        # A referral reward taken back because the top-up that paid it was refunded.
        REFERRAL_REVERSAL = "referral_reversal", _("Referral reward reversed")
        ADMIN_CREDIT = "admin_credit", _("Admin credit")
        ADMIN_DEBIT = "admin_debit", _("Admin debit")
        PROMO = "promo", _("Promo code")
        # What a customer held in the shop this one replaced, carried over once by import_seed.
        OPENING_BALANCE = "opening_balance", _("Balance carried over from the previous shop")

    customer = models.ForeignKey(Customer, models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = money_field()  # signed: credits positive, debits negative
    balance_after = money_field()
    payment = models.ForeignKey(
        "Payment", models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    # An order number, a promo code or an admin's telegram id: what caused the change.
    reference = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(Customer, models.SET_NULL, null=True, blank=True, related_name="ledger_actions")
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_not_negative"),
        ]
        indexes = [
            models.Index(fields=["customer", "-created", "-id"], name="ledger_customer_idx"),
            models.Index(fields=["kind", "-created"], name="ledger_kind_idx"),
            models.Index(fields=["-created"], name="ledger_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+}"


class Payment(models.Model):
    """One invoice with a provider, from creation to its final state."""

    class Provider(models.TextChoices):
        STARS = "stars", "Telegram Stars"
        TELEGRAM = "telegram", "Telegram Payments"
        CRYPTOPAY = "cryptopay", "CryptoPay"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        # Money is being returned through the provider; the balance is already debited.
        REFUNDING = "refunding", _("Refunding")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    class Purpose(models.TextChoices):
        TOP_UP = "top_up", _("Balance top-up")
        ORDER = "order", _("Direct order")

    provider = models.CharField(max_length=16, choices=Provider.choices)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.TOP_UP)
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="payments")
    # The provider's id: a Telegram charge id or a CryptoPay invoice id.
    # NULL, not "", until the provider names it: the unique constraint ignores NULLs only.
    external_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    # Telegram Payments only: the payment provider's own charge id, for support requests.
    provider_charge_id = models.CharField(max_length=128, blank=True)
    payload = models.CharField(max_length=64, unique=True, default=new_payload)
    amount = money_field()  # in PAY_CURRENCY: exactly what is credited
    provider_amount = models.DecimalField(max_digits=20, decimal_places=8)
    provider_currency = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # What a direct order buys: [{"product_id": 1, "quantity": 1, "price": "9.99"}].
    order = models.JSONField(default=list, blank=True)
    pay_url = models.URLField(max_length=500, blank=True)
    needs_review = models.BooleanField(default=False)
    note = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField()
    created = models.DateTimeField(default=now)
    updated = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # Refunded outside the shop (by Telegram) when the balance no longer held what it credited:
    # what the customer still owes the shop. The database refuses a negative balance.
    refund_owed = money_field(default=0)
    # What of ``refund_owed`` the customer's later credits paid back (``payments.services.owed``).
    refund_collected = money_field(default=0)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=Q(external_id__isnull=False),
                name="payment_unique_provider_external_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["customer", "-created"], name="payment_customer_idx"),
            models.Index(fields=["status", "provider", "expires_at"], name="payment_status_idx"),
            models.Index(fields=["-created"], name="payment_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} #{self.pk} {self.amount} ({self.status})"


class ReferralReward(models.Model):
    """The share of a referee's top-up credited to the referrer, once per payment."""

    referrer = models.ForeignKey(Customer, models.PROTECT, related_name="referral_rewards")
    referee = models.ForeignKey(Customer, models.PROTECT, related_name="referral_rewards_given")
    # NULL only for rewards imported from the previous shop: paid there, already in the opening balance.
    payment = models.OneToOneField(
        Payment, models.PROTECT, null=True, blank=True, related_name="referral_reward"
    )
    ledger_entry = models.OneToOneField(
        LedgerEntry, models.PROTECT, null=True, blank=True, related_name="referral_reward"
    )
    amount = money_field()
    created = models.DateTimeField(default=now)
    # Set when the top-up was refunded and the reward taken back (what the balance allowed).
    reversed_at = models.DateTimeField(null=True, blank=True)
    # What the referrer's balance could not give back at the reversal: owed to the shop.
    owed = money_field(default=0)
    # What of the owed amount the referrer's later credits paid back (``payments.services.owed``).
    collected = money_field(default=0)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["referrer", "-created"], name="reward_referrer_idx")]

    def __str__(self) -> str:
        return f"{self.referrer} ← {self.referee}: {self.amount}"


class PaymentNotice(models.Model):
    """A message owed to someone about a payment, written in the transaction that caused it.

    A ``purchase_receipt`` is about purchases paid from the balance in another
    face (the Mini App): it has no payment, and its purchases' ids in ``params``;
    a ``purchase_file`` (no payment either) names the purchase whose file to send.

    The bot claims and sends notices after commit, so whichever signal moved a
    payment (webhook, button, job, Telegram update) its people hear of it once.
    A claim holds a notice for a while (``claimed_until``); it is sent
    (``sent_at``) only once Telegram accepted the message, and a claim that
    ran out without that is claimed again.
    """

    class Kind(models.TextChoices):
        CREDITED = "credited", _("Top-up credited")
        ORDER_DELIVERED = "order_delivered", _("Order delivered")
        ORDER_CREDITED = "order_credited", _("Order credited to the balance")
        REFERRAL_REWARD = "referral_reward", _("Referral reward")
        REVIEW_CUSTOMER = "review_customer", _("Payment under review (customer)")
        REVIEW_OWNER = "review_owner", _("Payment needs review (owner)")
        REFUNDED = "refunded", _("Payment refunded")
        # To staff with refund_payments: Telegram refunded a Stars payment outside the bot.
        REFUNDED_OUTSIDE = "refunded_outside", _("Refunded outside the bot (staff)")
        PURCHASE_RECEIPT = "purchase_receipt", _("Receipt of a purchase from the balance")
        # A purchased file the customer asked for in the Mini App, sent to their chat as a document.
        PURCHASE_FILE = "purchase_file", _("A purchased file sent to the chat")

    payment = models.ForeignKey(Payment, models.CASCADE, related_name="notices", null=True, blank=True)
    telegram_id = models.BigIntegerField()  # the recipient
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "kind", "telegram_id"],
                condition=Q(payment__isnull=False),
                name="notice_once",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="notice_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.telegram_id}"


class StarReconciliation(models.Model):
    """One run of the Stars reconciliation: what Telegram's transactions and the shop's payments agreed on.

    ``flagged`` lists what needs a person: ``[{"charge": id, "payment": pk, "problem": text}]``.
    """

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        STAFF = "staff", _("Staff")

    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    actor = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="star_reconciliations"
    )
    transactions = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    credited = models.PositiveIntegerField(default=0)
    refunds = models.PositiveIntegerField(default=0)
    flagged = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Stars reconciliation #{self.pk} ({self.trigger})"
