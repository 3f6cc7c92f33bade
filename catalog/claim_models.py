"""Warranty claims: a customer's report that a purchase does not work, and the staff decision on it.

Imported by ``catalog.models`` (which was near its size limit); Django gives
this model the ``catalog`` label like the rest of the app.
"""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer


class Claim(models.Model):
    """A customer's report that a purchase does not work, and the staff decision on it."""

    class Reason(models.TextChoices):
        NOT_WORKING = "not_working", _("Doesn't work")
        ALREADY_USED = "already_used", _("Already used")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for stock")
        REPLACED = "replaced", _("Replaced")
        REFUNDED = "refunded", _("Refunded")
        REJECTED = "rejected", _("Rejected")

    class RefundTo(models.TextChoices):
        NONE = "", _("Not refunded")
        BALANCE = "balance", _("The balance")
        STARS = "stars", _("Telegram Stars")
        MANUAL = "manual", _("Outside the shop")

    class AttachmentKind(models.TextChoices):
        NONE = "", _("None")
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    purchase = models.ForeignKey("catalog.Purchase", models.PROTECT, related_name="claims")
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="claims")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    text = models.TextField(max_length=1000, blank=True)
    attachment_id = models.CharField(max_length=255, blank=True)  # a Telegram file id
    attachment_kind = models.CharField(max_length=8, choices=AttachmentKind.choices, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="decided_claims"
    )
    decided_by_label = models.CharField(max_length=100, blank=True)
    decision_note = models.TextField(max_length=1000, blank=True)
    # Where a refunded claim's money went: the balance, back in Stars, or outside the shop.
    refund_to = models.CharField(max_length=8, choices=RefundTo.choices, blank=True)
    created = models.DateTimeField(default=now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # When Telegram accepted the message telling the customer the decision; empty: still owed.
    customer_told_at = models.DateTimeField(null=True, blank=True)
    # A customer over the claim-rate rule needs two staff members for a replace or refund:
    # the first one's decision waits here until a different staff member confirms it.
    pending_decision = models.CharField(max_length=8, blank=True)
    pending_by = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="pending_claim_decisions"
    )
    pending_by_label = models.CharField(max_length=100, blank=True)
    pending_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # Waiting for stock is still undecided: one undecided claim per purchase.
            models.UniqueConstraint(
                fields=["purchase"],
                condition=Q(status__in=["open", "waiting"]),
                name="claim_one_open_per_purchase",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created"], name="claim_status_idx"),
            models.Index(fields=["customer", "-created"], name="claim_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.purchase.order_number}"

    @property
    def is_undecided(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.WAITING)
