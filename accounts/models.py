"""Telegram users (customers and admins alike), roles and the audit log."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

# Shop permissions, held by roles (Django groups) for the bot and the web admin alike.
SHOP_PERMISSIONS = [
    ("manage_catalog", "Manage catalog"),
    ("manage_stock", "Manage stock"),
    ("manage_users", "Manage users"),
    ("manage_balances", "Manage balances"),
    ("manage_roles", "Manage roles"),
    ("manage_promos", "Manage promo codes"),
    ("broadcast", "Send broadcasts"),
    ("view_statistics", "View statistics"),
    ("view_audit", "View audit log"),
    ("refund_payments", "Refund payments"),
    ("maintenance", "Switch maintenance mode"),
    # Customers' keys as delivered (purchases, sold stock): not part of statistics or stock work.
    ("view_delivered_values", "View delivered values"),
    ("manage_claims", "Manage claims"),
    ("manage_support", "Manage support tickets"),
    ("fulfil_orders", "Fulfil orders by hand"),
    # Irreversible: removes a customer's names and texts on their request.
    ("anonymise_customers", "Anonymise customers"),
]
PERMISSION_CODENAMES = [codename for codename, _ in SHOP_PERMISSIONS]


class StaffEvent(models.TextChoices):
    """What staff can be notified of; each needs the permission of the screen that handles it."""

    NEW_CLAIM = "new_claim", "New claim"
    TICKET_MESSAGE = "ticket_message", "Ticket message"
    LARGE_PURCHASE = "large_purchase", "Large purchase"
    PAYMENT_REVIEW = "payment_review", "Payment flagged for review"
    LOW_STOCK = "low_stock", "Low stock"
    RECONCILIATION = "reconciliation", "Reconciliation report"


EVENT_PERMISSIONS = {
    StaffEvent.NEW_CLAIM: "manage_claims",
    StaffEvent.TICKET_MESSAGE: "manage_support",
    StaffEvent.LARGE_PURCHASE: "manage_users",
    StaffEvent.PAYMENT_REVIEW: "refund_payments",
    StaffEvent.LOW_STOCK: "manage_stock",
    StaffEvent.RECONCILIATION: "refund_payments",
}


def new_referral_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class Customer(models.Model):
    """A Telegram user of the shop; admins are customers with a role."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        RUSSIAN = "ru", "Русский"

    telegram_id = models.BigIntegerField(unique=True)
    username = models.CharField(max_length=32, blank=True, db_index=True)
    first_name = models.CharField(max_length=64, blank=True)
    last_name = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    referral_code = models.CharField(max_length=16, unique=True, default=new_referral_code)
    referrer = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="referrals")
    role = models.ForeignKey(Group, models.SET_NULL, null=True, blank=True, related_name="customers")
    # The web admin login this admin signs in as, created by the one-time link.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="customer"
    )
    # The same shape as payments.money.money_field(); accounts imports no other app.
    # Changed only by payments.services, which writes a ledger row for every change.
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    is_blocked = models.BooleanField(default=False)
    # Why staff blocked the customer (shown to them once, by the bot's gate), and when.
    block_reason = models.CharField(max_length=200, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)
    # Set once staff anonymised the customer: names gone, shown as "deleted #id" (accounts.services.anonymise).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # The StaffEvent values a staff member chose to be told of; None: every one their permissions allow.
    staff_notifications = models.JSONField(null=True, blank=True)
    has_blocked_bot = models.BooleanField(default=False)
    created = models.DateTimeField(default=now, db_index=True)
    last_seen = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created"]
        permissions = SHOP_PERMISSIONS
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="customer_balance_not_negative"),
            models.CheckConstraint(condition=~Q(referrer=models.F("id")), name="customer_not_own_referrer"),
        ]
        indexes = [
            models.Index(fields=["referrer", "-created"], name="customer_referrals_idx"),
            models.Index(fields=["language"], name="customer_language_idx"),
        ]

    def __str__(self) -> str:
        if self.anonymised_at is not None:
            return self.deleted_label
        return f"@{self.username}" if self.username else str(self.telegram_id)

    @property
    def deleted_label(self) -> str:
        return f"deleted #{self.pk}"

    @property
    def is_owner(self) -> bool:
        return bool(settings.OWNER_ID) and self.telegram_id == settings.OWNER_ID

    @property
    def display_name(self) -> str:
        if self.anonymised_at is not None:
            return self.deleted_label
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or (f"@{self.username}" if self.username else str(self.telegram_id))


class AuditEntry(models.Model):
    """One admin action, kept for accountability."""

    actor = models.ForeignKey(Customer, models.SET_NULL, null=True, blank=True, related_name="audit_entries")
    # Kept when the actor is deleted, and set for actions from the web admin.
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-created", "-id"], name="audit_recent_idx"),
            models.Index(fields=["actor", "-created"], name="audit_actor_idx"),
            models.Index(fields=["action", "-created"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"


class SignInLink(models.Model):
    """A one-time link to the web admin that an admin asked the bot for."""

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="sign_in_links")
    created = models.DateTimeField(default=now)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} {self.created:%Y-%m-%d %H:%M}"


class StaffNotice(models.Model):
    """A notification owed to one staff member, written in the transaction of what happened.

    The bot's ``staff_notices`` job claims and sends these after commit, like
    the payment notices: a claim holds a row for a while (``claimed_until``);
    ``sent_at`` is set once Telegram accepted the message (or a digest of it).
    """

    telegram_id = models.BigIntegerField()  # the recipient
    event = models.CharField(max_length=16, choices=StaffEvent.choices)
    params = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="staff_notice_unsent_idx"),
            models.Index(fields=["telegram_id", "created"], name="staff_notice_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.telegram_id}"
