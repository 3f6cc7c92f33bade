"""State of the bot that must survive a restart of ``runbot``."""

from django.db import models
from django.utils.timezone import now


class DialogState(models.Model):
    """What a user is in the middle of typing, and the draft so far."""

    telegram_id = models.BigIntegerField(primary_key=True)
    state = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    updated = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.telegram_id}: {self.state}"
