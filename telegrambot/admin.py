"""Staff pages for the bot's own state: dialogs, broadcasts and maintenance mode.

Broadcasts are written and sent from the bot's admin menu; here they are
history. Maintenance mode switches through ``telegrambot.services.maintenance``
(audited, cached for every worker).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopbot.admin import ReadOnlyAdmin, ShopAdmin, ViewAndDeleteAdmin, short
from telegrambot.models import Broadcast, BroadcastDelivery, DialogState, MaintenanceMode
from telegrambot.services.maintenance import set_maintenance


@admin.register(DialogState)
class DialogStateAdmin(ViewAndDeleteAdmin):
    """Viewable, and deletable to unstick a user; the bot alone writes it."""

    list_display = ("telegram_id", "state", "updated")
    list_filter = ("updated",)
    search_fields = ("=state",)
    telegram_id_lookups = ("telegram_id",)
    readonly_fields = ("telegram_id", "state", "data", "updated")
    shop_permission = "manage_users"


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created",
        "author",
        "short_text",
        "audience",
        "status",
        "total",
        "sent",
        "failed",
        "blocked",
        "finished",
    )
    list_filter = ("status", "audience", "created")
    list_select_related = ("author",)
    search_fields = ("text",)
    shop_permission = "broadcast"

    @admin.display(description=gettext_lazy("text"))
    def short_text(self, broadcast: Broadcast) -> str:
        return short(broadcast.text, 60)


@admin.register(BroadcastDelivery)
class BroadcastDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("broadcast", "customer", "status", "updated")
    list_filter = ("status",)
    list_select_related = ("broadcast", "customer")
    search_fields = ("^customer__username",)
    telegram_id_lookups = ("customer__telegram_id",)
    shop_permission = "broadcast"


@admin.register(MaintenanceMode)
class MaintenanceModeAdmin(ShopAdmin):
    """The flag itself, switched by the actions below (or the bot's admin menu)."""

    list_display = ("enabled", "changed_by", "changed")
    list_select_related = ("changed_by",)
    readonly_fields = ("enabled", "changed_by", "changed")
    actions = ("switch_on", "switch_off")
    shop_permission = "maintenance"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_maintenance_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "maintenance")

    @admin.action(description=gettext_lazy("Close the shop for maintenance"), permissions=["maintenance"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[MaintenanceMode]) -> None:
        self.switch(request, enabled=True)

    @admin.action(description=gettext_lazy("Open the shop again"), permissions=["maintenance"])
    def switch_off(self, request: HttpRequest, queryset: QuerySet[MaintenanceMode]) -> None:
        self.switch(request, enabled=False)

    def switch(self, request: HttpRequest, *, enabled: bool) -> None:
        with self.refusals_shown(request) as outcome:
            set_maintenance(actor=request.user, enabled=enabled)
        if not outcome.refused:
            text = _("The shop is closed for maintenance.") if enabled else _("The shop is open.")
            self.message_user(request, text, messages.SUCCESS)
