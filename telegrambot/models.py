"""State of the bot that must survive a restart of ``runbot``."""

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class DialogState(models.Model):
    """What a user is in the middle of typing, and the draft so far."""

    telegram_id = models.BigIntegerField(primary_key=True)
    state = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    updated = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.telegram_id}: {self.state}"


class Broadcast(models.Model):
    """A message to many customers: the draft, then the job's progress and report.

    Each recipient has a ``BroadcastDelivery`` row; the counters here are the
    sums of their outcomes, kept in step by ``telegrambot.services.broadcasts``.
    """

    class Audience(models.TextChoices):
        EVERYONE = "all", _("Everyone")
        BUYERS = "buyers", _("Buyers")
        NEVER_BOUGHT = "new", _("Never bought")
        LANGUAGE = "lang", _("One language")
        # Sent by the shop itself (no author): the customers waiting for ``product``, back in stock.
        WAITLIST = "waitlist", _("Waiting for a product")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        CANCELLED = "cancelled", _("Cancelled")
        FINISHED = "finished", _("Finished")

    author = models.ForeignKey(
        "accounts.Customer", models.SET_NULL, null=True, blank=True, related_name="broadcasts"
    )
    text = models.TextField(max_length=4096)  # Telegram HTML, checked before saving
    photo = models.CharField(max_length=255, blank=True)  # a Telegram file_id
    button_text = models.CharField(max_length=64, blank=True)
    button_url = models.URLField(max_length=500, blank=True)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.EVERYONE)
    language = models.CharField(max_length=8, blank=True)  # for Audience.LANGUAGE
    product = models.ForeignKey(  # for Audience.WAITLIST; its text is written per recipient's language
        "catalog.Product", models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Sent with allow_paid_broadcast: up to 1000 messages/s, paid in Stars from the bot's balance.
    paid = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    # Claimed by a worker that died before Telegram's answer was recorded: maybe delivered.
    unconfirmed = models.PositiveIntegerField(default=0)
    # The author's live progress message, edited by whichever worker sends.
    progress_chat_id = models.BigIntegerField(null=True, blank=True)
    progress_message_id = models.BigIntegerField(null=True, blank=True)
    # One worker sends a broadcast at a time: the holder renews the lease after each batch.
    lease_owner = models.CharField(max_length=32, blank=True)
    lease_expires = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status"], name="broadcast_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"


class BroadcastDelivery(models.Model):
    """One recipient of a broadcast; claimed (SENDING) before the send, settled after it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BLOCKED = "blocked", _("Blocked the bot")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")

    broadcast = models.ForeignKey(Broadcast, models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey("accounts.Customer", models.CASCADE, related_name="broadcast_deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    updated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "customer"], name="broadcast_delivery_once"),
        ]
        indexes = [models.Index(fields=["broadcast", "status", "id"], name="broadcast_delivery_next_idx")]

    def __str__(self) -> str:
        return f"{self.broadcast_id} → {self.customer_id}: {self.status}"


class MaintenanceMode(models.Model):
    """The single row saying whether the shop is closed to customers for maintenance."""

    enabled = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        "accounts.Customer", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return "on" if self.enabled else "off"
