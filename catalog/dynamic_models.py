"""Dynamic delivery: a sale of a product whose value comes from the seller's own endpoint.

Imported by ``catalog.models``; Django gives the model the ``catalog`` label.
"""

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer


class DynamicOrder(models.Model):
    """A paid purchase of a dynamic product whose value the bot's job still has to fetch.

    Written in the sale's transaction (``catalog.services.purchases.record_sales``).
    The job claims a due order (``lease_until``), calls the endpoint outside
    every transaction, then records the reply (``delivered``) or the failed
    attempt; after the last attempt the order is ``failed`` and waits in the
    manual queue. ``customer_told_at`` / ``staff_told_at`` empty: the job still
    owes that message.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the seller's system")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Moved to the manual queue")

    purchase = models.OneToOneField("catalog.Purchase", models.PROTECT, related_name="dynamic_order")
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="dynamic_orders")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Why the last attempt failed (no secret, no reply body beyond a short excerpt).
    last_error = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(default=now)
    decided_at = models.DateTimeField(null=True, blank=True)
    customer_told_at = models.DateTimeField(null=True, blank=True)
    staff_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="dynamic_order_due_idx")]

    def __str__(self) -> str:
        return f"#{self.purchase.order_number}"
