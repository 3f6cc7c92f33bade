"""Pre-orders: a sold-out product with pre-orders on is paid now and delivered when stock arrives.

Imported by ``catalog.models`` (which is near its size limit); Django gives
this model the ``catalog`` label like the rest of the app.
"""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from accounts.models import Customer
from payments.money import money_field


class PreOrder(models.Model):
    """One unit paid from the balance before it exists; filled first-come-first-served on restock.

    Written with its PURCHASE ledger row (``reference`` is the order number its
    purchase gets when filled); decided once under its row lock: filled by the
    restock (``filled_at``, ``purchase``) or cancelled and refunded by the
    customer (``cancelled_at``, a REFUND ledger row).
    """

    customer = models.ForeignKey(Customer, models.PROTECT, related_name="preorders")
    # A deleted product leaves its open pre-orders cancellable (the customer is refunded).
    product = models.ForeignKey(
        "catalog.Product", models.SET_NULL, null=True, blank=True, related_name="preorder_queue"
    )
    product_name = models.CharField(max_length=100)
    price = money_field()
    reference = models.CharField(max_length=16, unique=True)
    created = models.DateTimeField(default=now)
    filled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    purchase = models.OneToOneField(
        "catalog.Purchase", models.PROTECT, null=True, blank=True, related_name="preorder"
    )

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="preorder_price_positive"),
            models.CheckConstraint(
                condition=Q(filled_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="preorder_filled_or_cancelled",
            ),
        ]
        indexes = [
            models.Index(
                fields=["product", "created", "id"],
                condition=Q(filled_at__isnull=True, cancelled_at__isnull=True),
                name="preorder_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.reference} {self.product_name}"

    @property
    def is_open(self) -> bool:
        return self.filled_at is None and self.cancelled_at is None
