"""Staff pages for what customers did: purchases (history, with the CSV export), carts, reviews.

Purchases are read-only; carts and reviews are viewable and deletable (a
stuck cart line, moderation), never written here: customers write them in
the bot. A purchase's delivered value shows only to ``view_delivered_values``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.catalog import DELIVERED_VALUES
from catalog.models import CartLine, Purchase, Review
from shopbot.admin import ReadOnlyAdmin, ViewAndDeleteAdmin, short
from shopbot.exports import Column, CsvExportMixin


@admin.register(Purchase)
class PurchaseAdmin(CsvExportMixin, ReadOnlyAdmin):
    list_display = (
        "order_number",
        "created",
        "buyer",
        "product_name",
        "category_name",
        "list_price",
        "price",
        "promo_code",
    )
    list_filter = ("created",)
    list_select_related = ("buyer", "promo_code")
    search_fields = ("=order_number", "^buyer__username", "^product_name")
    telegram_id_lookups = ("buyer__telegram_id",)
    shop_permission = "view_statistics"
    export_columns = (
        Column("order_number", "order_number"),
        Column("created", "created"),
        Column("telegram_id", "buyer.telegram_id"),
        Column("username", "buyer.username"),
        Column("category", "category_name"),
        Column("product", "product_name"),
        Column("list_price", "list_price"),
        Column("price", "price"),
        Column("promo_code", "promo_code.code"),
        Column("payment", "payment_id"),
    )
    export_select_related = ("buyer", "promo_code")
    readonly_fields = ("replaced_by",)

    @admin.display(description=gettext_lazy("replaced by"))
    def replaced_by(self, purchase: Purchase) -> str:
        replacement = Purchase.objects.filter(replaces=purchase).first()
        if replacement is None:
            return "-"
        url = reverse("admin:catalog_purchase_change", args=[replacement.pk])
        return format_html(
            '<a href="{}">{}</a>', url, _("Replaced by #%(order)s") % {"order": replacement.order_number}
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if self.holds(request, DELIVERED_VALUES):
            return fields
        # Statistics are sales, not the customers' keys; the export never has the value.
        return [field for field in fields if field != "value"]


@admin.register(CartLine)
class CartLineAdmin(ViewAndDeleteAdmin):
    """Customers' carts: viewable, and deletable to clear a stuck line."""

    list_display = ("customer", "product", "quantity", "promo_code", "created")
    list_filter = ("created",)
    list_select_related = ("customer", "product", "promo_code")
    search_fields = ("^customer__username", "product__name")
    telegram_id_lookups = ("customer__telegram_id",)
    readonly_fields = ("customer", "product", "quantity", "promo_code", "created")
    shop_permission = "manage_users"


@admin.register(Review)
class ReviewAdmin(ViewAndDeleteAdmin):
    """Reviews: viewable, and deletable for moderation; only buyers write them, in the bot."""

    list_display = ("created", "product", "customer", "rating", "short_text")
    list_filter = ("rating", "created")
    list_select_related = ("product", "customer")
    search_fields = ("product__name", "^customer__username")
    readonly_fields = ("product", "customer", "rating", "text", "created")
    shop_permission = "manage_catalog"

    @admin.display(description=gettext_lazy("text"))
    def short_text(self, review: Review) -> str:
        return short(review.text, 60)
