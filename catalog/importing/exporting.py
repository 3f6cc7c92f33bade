"""Exporting the catalog in the format ``import_catalog`` reads back unchanged."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch

from catalog.models import Category, Product, StockUnit
from payments.money import quantize


def product_data(product: Product) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": product.name,
        "description": product.description,
        "price": str(quantize(product.price)),
        "unlimited": product.is_unlimited,
        "delivery": product.delivery,
    }
    # Documents (a file product's units, a shared file) are not in the file: they are uploaded.
    if product.delivery == Product.DeliveryKind.SHARED:
        data["value"] = product.unlimited_value
    elif product.delivery == Product.DeliveryKind.STOCK:
        data["stock"] = [unit.value for unit in product.unsold]  # type: ignore[attr-defined]
    elif product.delivery == Product.DeliveryKind.MANUAL:
        data["fulfil_hours"] = product.fulfil_hours
        data["questions"] = [
            {"label": question.label, "max_length": question.max_length}
            for question in product.questions.all()  # prefetched
        ]
    data.update(
        image=product.image,
        active=product.is_active,
        hide_when_sold_out=product.hide_when_sold_out,
        preorders=product.preorders,
        position=product.position,
        low_stock_threshold=product.low_stock_threshold,
    )
    return data


def export_catalog() -> dict[str, Any]:
    """Return the whole catalog (unsold stock only) in the import format."""
    unsold = Prefetch(
        "stock", StockUnit.objects.filter(sold_at__isnull=True).order_by("id"), to_attr="unsold"
    )
    products = Prefetch(
        "products", Product.objects.order_by("position", "name", "id").prefetch_related(unsold, "questions")
    )
    categories = Category.objects.order_by("position", "name", "id").prefetch_related(products)
    return {
        "categories": [
            {
                "name": category.name,
                "position": category.position,
                "active": category.is_active,
                "hide_when_sold_out": category.hide_when_sold_out,
                "products": [product_data(product) for product in category.products.all()],
            }
            for category in categories
        ]
    }


def dump_catalog() -> str:
    """Return the catalog as the JSON text ``export_catalog`` writes."""
    return json.dumps(export_catalog(), ensure_ascii=False, indent=2) + "\n"
