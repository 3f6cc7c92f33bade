"""What the bot reports to the web side: heartbeats, daily counters and recent errors.

The bot and the web process share only the database and the cache, so
everything the dashboard and ``/health`` show about the bot is written here.
"""

from django.db import models
from django.utils.timezone import now


class Heartbeat(models.Model):
    """The last time a process (``bot``) reached what it depends on."""

    name = models.CharField(max_length=32, unique=True)
    updated = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.name} {self.updated:%Y-%m-%d %H:%M:%S}"


class DailyCounter(models.Model):
    """How many times something happened on one day (funnel steps, bot errors)."""

    day = models.DateField()
    # A name from a fixed set (monitoring.funnel.STEPS, monitoring.errors.COUNTER), never user text.
    name = models.CharField(max_length=32)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "name"]
        constraints = [models.UniqueConstraint(fields=["day", "name"], name="daily_counter_unique_day_name")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}: {self.count}"


class RecentError(models.Model):
    """One unexpected error of the bot; only the latest few are kept."""

    exception = models.CharField(max_length=100)
    summary = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.exception}"
