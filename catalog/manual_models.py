"""Manual fulfilment: a manual product's checkout questions, and the staff queue of paid orders.

Imported by ``catalog.models`` (which was near its size limit); Django gives
these models the ``catalog`` label like the rest of the app.
"""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer


class ProductQuestion(models.Model):
    """What a manual product asks its buyer at checkout (an account e-mail); up to three per product."""

    product = models.ForeignKey("catalog.Product", models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100)
    # The longest answer accepted, in characters.
    max_length = models.PositiveSmallIntegerField(default=200)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "position"], name="question_unique_position"),
            models.CheckConstraint(
                condition=Q(max_length__gte=1, max_length__lte=1000), name="question_max_length_1_to_1000"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ManualOrder(models.Model):
    """A paid purchase of a manual product, waiting for staff to deliver it (or refund it).

    Written in the sale's transaction (every rail goes through
    ``catalog.services.purchases.record_sales``); decided once under its row
    lock, by staff (deliver or refund) or by the customer (refund after
    ``due_at``). ``customer_told_at`` empty on a decided order: the bot's
    notice job still owes the customer the news.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        REFUNDED = "refunded", _("Refunded")

    purchase = models.OneToOneField("catalog.Purchase", models.PROTECT, related_name="manual_order")
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="manual_orders")
    # [{"label": ..., "answer": ...}] as asked and answered at checkout.
    answers = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    due_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="fulfilled_orders"
    )
    decided_by_label = models.CharField(max_length=100, blank=True)
    delivered_text = models.TextField(max_length=4000, blank=True)
    delivered_file = models.ForeignKey(
        "catalog.DeliveryFile", models.PROTECT, null=True, blank=True, related_name="manual_orders"
    )
    created = models.DateTimeField(default=now)
    decided_at = models.DateTimeField(null=True, blank=True)
    customer_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="manual_order_queue_idx"),
            models.Index(fields=["customer", "-created"], name="manual_order_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.purchase.order_number}"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING
