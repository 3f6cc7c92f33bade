"""The back-in-stock waitlist: customers waiting for a sold-out product, told once when stock is added.

Imported by ``catalog.models``; Django gives this model the ``catalog`` label
like the rest of the app.
"""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from accounts.models import Customer


class WaitlistEntry(models.Model):
    """A customer waiting for a sold-out product; told once when stock is added.

    The stock service sets ``restocked_at`` in the transaction that adds the
    stock; the bot's notice job (``telegrambot.services.waitlist_notices``)
    hands the entry to the broadcast sender and sets ``notified_at`` in one
    transaction, so an entry is queued once.
    """

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="waitlist")
    product = models.ForeignKey("catalog.Product", models.CASCADE, related_name="waitlist")
    created = models.DateTimeField(default=now)
    restocked_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="waitlist_one_per_customer"),
        ]
        indexes = [
            models.Index(
                fields=["product", "created", "id"],
                condition=Q(notified_at__isnull=True),
                name="waitlist_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} waits for {self.product}"
