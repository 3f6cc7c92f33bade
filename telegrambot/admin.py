"""Staff page for the bot's saved dialog state (what a user is in the middle of typing)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shopbot.admin_tools import ShopAdmin
from telegrambot.models import DialogState


@admin.register(DialogState)
class DialogStateAdmin(ShopAdmin):
    """Viewable, and deletable to unstick a user; the bot alone writes it."""

    list_display = ("telegram_id", "state", "updated")
    list_filter = ("updated",)
    search_fields = ("=state",)
    telegram_id_lookups = ("telegram_id",)
    readonly_fields = ("telegram_id", "state", "data", "updated")
    shop_permission = "manage_users"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
