"""The pre-order queue in the web admin: who paid for which sold-out product, oldest first, and what became of it.

Read only: the restock fills the queue and the customer cancels; staff watch it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from catalog.preorder_models import PreOrder
from shopbot.admin import ReadOnlyAdmin


class OpenFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [
            ("open", gettext_lazy("Waiting for stock")),
            ("filled", gettext_lazy("Filled")),
            ("cancelled", gettext_lazy("Cancelled")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[PreOrder]) -> QuerySet[PreOrder]:
        if self.value() == "open":
            return queryset.filter(filled_at=None, cancelled_at=None)
        if self.value() == "filled":
            return queryset.filter(filled_at__isnull=False)
        if self.value() == "cancelled":
            return queryset.filter(cancelled_at__isnull=False)
        return queryset


@admin.register(PreOrder)
class PreOrderAdmin(ReadOnlyAdmin):
    list_display = ("reference", "product_name", "customer", "price", "created", "filled_at", "cancelled_at")
    list_filter = (OpenFilter, "product")
    list_select_related = ("customer",)
    search_fields = ("=reference", "product_name")
    telegram_id_lookups = ("customer__telegram_id",)
    readonly_fields = (
        "reference",
        "customer",
        "product",
        "product_name",
        "price",
        "created",
        "filled_at",
        "cancelled_at",
        "purchase",
    )
    shop_permission = "manage_stock"
