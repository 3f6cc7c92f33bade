"""Categories, products with their unsold stock or shared value, and purchase history."""

from __future__ import annotations

from catalog.importing.seed.state import SeedImport, as_money
from catalog.importing.writing import upsert
from catalog.models import Category, Product, Purchase, StockUnit
from catalog.services.products import clean_price
from payments.money import CENT, ZERO
from shopbot.errors import ShopError

CHUNK = 500
ORDER_NUMBER_MAX = Purchase._meta.get_field("order_number").max_length
CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
SNAPSHOT_CATEGORY_MAX = Purchase._meta.get_field("category_name").max_length


def import_categories(state: SeedImport) -> None:
    report = state.report
    for row in state.read("categories", "categories"):
        name = " ".join((row["name"] or "").split())
        if not name:
            report.problem("categories", row["id"], "no name: its products are not imported")
            continue
        if len(name) > CATEGORY_NAME_MAX:
            report.problem("categories", name, f"name cut to {CATEGORY_NAME_MAX} characters", skipped=False)
            name = name[:CATEGORY_NAME_MAX]
        queryset = Category.objects.select_for_update(no_key=True)
        found = queryset.filter(name=name).first() or queryset.filter(name__iexact=name).first()
        state.categories[row["id"]] = upsert(
            Category, found, {"name": name}, {}, report["categories"], write=True
        )


def check_price(state: SeedImport, row: dict) -> tuple:
    """Return (price, active): a price this shop would refuse keeps the product hidden until fixed."""
    try:
        return clean_price(row["price"]), True
    except ShopError as refusal:
        price = as_money(row["price"])
        kept = price if price is not None and price > ZERO else CENT
        state.report.problem(
            "products",
            row["name"],
            f"price {row['price']} refused ({refusal}): imported inactive at {kept}",
            skipped=False,
        )
        return kept, False


def import_products(state: SeedImport) -> None:
    report = state.report
    values_by_good: dict[int, list[dict]] = {}
    for value in state.read("stock units", "item_values"):
        values_by_good.setdefault(value["item_id"], []).append(value)
    for row in state.read("products", "goods"):
        category = state.categories.get(row["category_id"])
        name = " ".join((row["name"] or "").split())
        if category is None or not name:
            report.problem("products", row["id"], "its category was not imported" if name else "no name")
            continue
        price, active = check_price(state, row)
        rows = values_by_good.get(row["id"], [])
        shared = [value for value in rows if value["is_infinity"]]
        values = {"price": price, "description": row["description"] or "", "is_unlimited": bool(shared)}
        if shared:
            values["unlimited_value"] = shared_value(state, name, shared, rows)
        if not active:
            values["is_active"] = False
        queryset = Product.objects.select_for_update(no_key=True).filter(category=category)
        found = queryset.filter(name=name).first() or queryset.filter(name__iexact=name).first()
        if shared and values["unlimited_value"]:
            same = found is not None and found.unlimited_value == values["unlimited_value"]
            report["stock units"].unchanged += same
            report["stock units"].added += not same
        product = upsert(
            Product, found, {"category": category, "name": name}, values, report["products"], write=True
        )
        state.products[row["id"]] = product
        state.products_by_name[row["name"]] = product
        if not shared:
            import_stock(state, product, rows)


def shared_value(state: SeedImport, name: str, shared: list[dict], rows: list[dict]) -> str:
    """Return the first infinity value; the others, and any limited values beside it, are reported."""
    taken = next((value for value in shared if value["value"]), None)
    for value in rows:
        if value is taken:
            continue
        if value["is_infinity"]:
            state.report.problem("stock units", value["id"], f"a second shared value of {name}: not imported")
        else:
            state.report.problem("stock units", value["id"], f"{name} sells one shared value: not imported")
    return taken["value"] if taken else ""


def import_stock(state: SeedImport, product: Product, rows: list[dict]) -> None:
    """Add the product's unsold values; a value the product has ever had (sold or not) is not added twice."""
    tally = state.report["stock units"]
    present = set(StockUnit.objects.filter(product=product).values_list("value", flat=True))
    new = []
    for value in rows:
        if not value["value"] or not value["value"].strip():
            state.report.problem("stock units", value["id"], "empty value")
        elif value["value"] in present:
            tally.unchanged += 1
        else:
            present.add(value["value"])
            new.append(StockUnit(product=product, value=value["value"]))
    StockUnit.objects.bulk_create(new, batch_size=CHUNK)
    tally.added += len(new)


def import_purchases(state: SeedImport) -> None:
    """Keep every sale with its snapshot; the seed's order number stays the order number."""
    report = state.report
    tally = report["purchases"]
    rows = state.read("purchases", "bought_goods")
    numbers = [str(row["unique_id"]) for row in rows]
    present: set[str] = set()
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        present.update(Purchase.objects.filter(order_number__in=chunk).values_list("order_number", flat=True))
    new = []
    for row in rows:
        number = str(row["unique_id"])
        buyer = state.customers.get(row["buyer_id"])
        price = as_money(row["price"])
        if buyer is None:
            report.problem("purchases", number, f"buyer {row['buyer_id']} not imported")
            continue
        if price is None or price < ZERO:
            report.problem("purchases", number, f"price {row['price']} refused")
            continue
        if number in present:
            tally.unchanged += 1
            continue
        if len(number) > ORDER_NUMBER_MAX:
            report.problem("purchases", number, "order number too long: a new one is given", skipped=False)
            number = ""
        product = state.products_by_name.get(row["item_name"])
        purchase = Purchase(
            buyer=buyer,
            product=product,
            product_name=row["item_name"][:100],
            category_name=product.category.name[:SNAPSHOT_CATEGORY_MAX] if product else "",
            list_price=price,
            price=price,
            value=row["value"] or "",
            created=row["bought_datetime"],
        )
        if number:
            purchase.order_number = number
        present.add(number)
        new.append(purchase)
    Purchase.objects.bulk_create(new, batch_size=CHUNK)
    tally.added += len(new)
