"""Deliveries from the sellers' systems in the web admin: read-only, for staff who fulfil orders.

The bot's job does the work; this list shows where each order stands (the
attempts, the last error). An order that failed waits in *Manual orders*.
The product's secret is never shown here.
"""

from __future__ import annotations

from django.contrib import admin

from catalog.admin.purchase_columns import PurchaseColumns
from catalog.dynamic_models import DynamicOrder
from shopbot.admin import ReadOnlyAdmin


@admin.register(DynamicOrder)
class DynamicOrderAdmin(PurchaseColumns, ReadOnlyAdmin):
    list_display = ("order_number", "product", "customer", "status", "attempts", "last_error", "created")
    list_filter = ("status",)
    list_select_related = ("purchase", "customer")
    search_fields = ("=purchase__order_number",)
    telegram_id_lookups = ("customer__telegram_id",)
    readonly_fields = (
        "purchase",
        "customer",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "created",
        "decided_at",
        "customer_told_at",
        "staff_told_at",
    )
    shop_permission = "fulfil_orders"
