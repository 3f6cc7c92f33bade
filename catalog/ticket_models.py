"""Support tickets: a conversation between a customer and staff, and the messages it owes.

Imported by ``catalog.models`` (which was near its size limit); Django gives
these models the ``catalog`` label like the rest of the app.
"""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from payments.models import Payment


class Ticket(models.Model):
    """A customer's question to support: general, about a Stars payment, or a claim's conversation.

    One open general ticket per customer, and one open ticket per payment:
    a new message goes to the open one.
    """

    class Kind(models.TextChoices):
        GENERAL = "general", _("General question")
        PAYMENT = "payment", _("Payment dispute")
        CLAIM = "claim", _("Claim")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    customer = models.ForeignKey(Customer, models.PROTECT, related_name="tickets")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.GENERAL)
    claim = models.OneToOneField(
        "catalog.Claim", models.SET_NULL, null=True, blank=True, related_name="ticket"
    )
    # A Stars order the customer disputes: its card shows the order and the charge id.
    payment = models.ForeignKey(Payment, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(default=now)
    updated = models.DateTimeField(default=now)  # the last message
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-updated", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="open", kind="general"),
                name="ticket_one_open_general",
            ),
            models.UniqueConstraint(
                fields=["customer", "payment"],
                condition=Q(status="open", kind="payment"),
                name="ticket_one_open_per_payment",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-updated"], name="ticket_status_idx"),
            models.Index(fields=["customer", "-updated"], name="ticket_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"ticket #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class TicketMessage(models.Model):
    """One message in a ticket, by the customer or by staff, with an optional photo or document."""

    class AttachmentKind(models.TextChoices):
        NONE = "", _("None")
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="messages")
    author = models.ForeignKey(Customer, models.SET_NULL, null=True, blank=True, related_name="+")
    author_label = models.CharField(max_length=100, blank=True)
    from_staff = models.BooleanField(default=False)
    text = models.TextField(max_length=4000, blank=True)
    attachment_id = models.CharField(max_length=255, blank=True)  # a Telegram file id
    attachment_kind = models.CharField(max_length=8, choices=AttachmentKind.choices, blank=True)
    # Staff closed the ticket here (no text): the customer is told so, in their language.
    closes = models.BooleanField(default=False)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # The rate limit counts a customer's recent messages.
            models.Index(fields=["author", "from_staff", "created"], name="ticket_message_author_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id}: {self.text[:40]}"


class TicketNotice(models.Model):
    """A ticket message owed to one recipient, written in the message's transaction.

    The bot claims and sends these after commit, like the payment notices: a
    claim holds a row for a while (``claimed_until``); ``sent_at`` is set only
    once Telegram accepted the message.
    """

    message = models.ForeignKey(TicketMessage, models.CASCADE, related_name="notices")
    telegram_id = models.BigIntegerField()  # the recipient
    created = models.DateTimeField(default=now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "telegram_id"], name="ticket_notice_once"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="ticket_notice_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"ticket message {self.message_id} → {self.telegram_id}"
