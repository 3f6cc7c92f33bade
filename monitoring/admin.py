"""Read-only views of what the monitoring app records, for staff."""

from django.contrib import admin

from monitoring.models import DailyCounter, Heartbeat, RecentError
from shopbot.admin import ReadOnlyAdmin


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "updated")


@admin.register(DailyCounter)
class DailyCounterAdmin(ReadOnlyAdmin):
    list_display = ("day", "name", "count")
    list_filter = ("name",)
    date_hierarchy = "day"


@admin.register(RecentError)
class RecentErrorAdmin(ReadOnlyAdmin):
    list_display = ("created", "exception", "summary")
    list_filter = ("exception",)
