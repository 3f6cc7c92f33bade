"""Promo codes with their uses, reviews and carts."""

from __future__ import annotations

from collections import Counter

from catalog.importing.seed.state import SeedImport, as_money
from catalog.importing.writing import upsert
from catalog.models import CartLine, PromoCode, PromoUsage, Review
from payments.money import ZERO

CODE_MAX = PromoCode._meta.get_field("code").max_length
KINDS = {"percent": PromoCode.Kind.PERCENT, "fixed": PromoCode.Kind.FIXED}
QUANTITY_MAX = 32767


def import_promo_codes(state: SeedImport) -> None:
    """Keep each code with its binding; one bound to a product since deleted applies everywhere, as in the seed."""
    report = state.report
    for row in state.read("promo codes", "promo_codes"):
        code = (row["code"] or "").strip().upper()
        kind = KINDS.get((row["discount_type"] or "").strip().lower())
        value = as_money(row["discount_value"])
        if not code or len(code) > CODE_MAX:
            report.problem("promo codes", row["code"], f"a code of 1 to {CODE_MAX} characters is needed")
            continue
        if kind is None:
            report.problem("promo codes", code, f"unknown discount type {row['discount_type']!r}")
            continue
        if value is None or value <= ZERO or (kind == PromoCode.Kind.PERCENT and value > 100):
            report.problem("promo codes", code, f"discount {row['discount_value']} refused")
            continue
        values = {
            "kind": kind,
            "value": value,
            "category": state.categories.get(row["category_id"]) if row["category_id"] else None,
            "product": state.products.get(row["item_id"]) if row["item_id"] else None,
            "max_uses": row["max_uses"] if row["max_uses"] and row["max_uses"] > 0 else None,
            "uses": max(row["current_uses"] or 0, 0),
            "expires_at": row["expires_at"],
            "is_active": bool(row["is_active"]),
        }
        if (row["category_id"] and values["category"] is None) or (
            row["item_id"] and values["product"] is None
        ):
            report.problem(
                "promo codes", code, "its category or product was not imported: inactive", skipped=False
            )
            values["is_active"] = False
        if values["category"] is not None and values["product"] is not None:
            report.problem(
                "promo codes", code, "bound to a category and a product: the product kept", skipped=False
            )
            values["category"] = None
        found = PromoCode.objects.select_for_update().filter(code=code).first()
        promo = upsert(PromoCode, found, {"code": code}, values, report["promo codes"], write=True)
        state.promos[row["id"]] = promo
        state.promos_by_code[row["code"]] = promo


def import_promo_uses(state: SeedImport) -> None:
    tally = state.report["promo code uses"]
    existing = set(PromoUsage.objects.values_list("promo_code_id", "customer_id"))
    new = []
    for row in state.read("promo code uses", "promo_code_usages"):
        promo, customer = state.promos.get(row["promo_id"]), state.customers.get(row["user_id"])
        if promo is None or customer is None:
            state.report.problem("promo code uses", row["id"], "its promo code or customer was not imported")
        elif (promo.pk, customer.pk) in existing:
            tally.unchanged += 1
        else:
            existing.add((promo.pk, customer.pk))
            new.append(PromoUsage(promo_code=promo, customer=customer, created=row["used_at"]))
    PromoUsage.objects.bulk_create(new, batch_size=500)
    tally.added += len(new)


def import_reviews(state: SeedImport) -> None:
    tally = state.report["reviews"]
    for row in state.read("reviews", "reviews"):
        product, customer = state.products_by_name.get(row["item_name"]), state.customers.get(row["user_id"])
        if product is None or customer is None:
            state.report.problem("reviews", row["id"], "its product or customer is gone")
            continue
        if not isinstance(row["rating"], int) or not 1 <= row["rating"] <= 5:
            state.report.problem("reviews", row["id"], f"rating {row['rating']} refused")
            continue
        found = Review.objects.filter(product=product, customer=customer).first()
        values = {"rating": row["rating"], "text": row["text"] or ""}
        if found is None:
            values["created"] = row["created_at"]
        upsert(Review, found, {"product": product, "customer": customer}, values, tally, write=True)


def import_carts(state: SeedImport) -> None:
    """One cart line per product: the seed's repeated rows of an item become its quantity."""
    tally = state.report["cart lines"]
    lines: Counter[tuple[int, str]] = Counter()
    first: dict[tuple[int, str], dict] = {}
    for row in state.read("cart lines", "cart_items"):
        key = (row["user_id"], row["item_name"])
        lines[key] += 1
        if key in first:
            tally.skipped["repeated, counted in the quantity"] += 1
        first.setdefault(key, row)
    existing = set(CartLine.objects.values_list("customer_id", "product_id"))
    new = []
    for key, quantity in lines.items():
        row = first[key]
        product, customer = state.products_by_name.get(row["item_name"]), state.customers.get(row["user_id"])
        if product is None or customer is None:
            state.report.problem("cart lines", row["id"], "its product or customer is gone")
        elif (customer.pk, product.pk) in existing:
            tally.unchanged += 1
        else:
            promo = state.promos_by_code.get(row["promo_code"]) if row["promo_code"] else None
            new.append(
                CartLine(
                    customer=customer,
                    product=product,
                    quantity=min(quantity, QUANTITY_MAX),
                    promo_code=promo,
                    created=row["added_at"],
                )
            )
    CartLine.objects.bulk_create(new, batch_size=500)
    tally.added += len(new)
