"""The columns every admin page of something about one purchase shows: its order number and product."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy


class PurchaseColumns:
    """For a ``ModelAdmin`` whose rows have a ``purchase`` (claims, manual and dynamic orders)."""

    @admin.display(description=gettext_lazy("order"), ordering="purchase__order_number")
    def order_number(self, row: Any) -> str:
        return "#" + row.purchase.order_number

    @admin.display(description=gettext_lazy("product"))
    def product(self, row: Any) -> str:
        return row.purchase.product_name
