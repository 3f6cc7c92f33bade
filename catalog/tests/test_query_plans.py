"""Plans, not timings: buying from a drop that fills most of the stock table reads no sold unit.

A drop of thousands of units added after the rest of the catalog makes
"the oldest unsold unit" a trap: walked along the primary key, or scanned
from the table's start, every sold unit of the drop is read again by every
purchase. The shop's queries go along ``stock_unsold_oldest_idx`` instead;
PostgreSQL's planner decides, so these tests ask it, on PostgreSQL only.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from catalog.models import Category, StockUnit
from catalog.services import purchase_product, quote_product
from shopbot.test import is_postgresql, make_customer, make_product

pytestmark = pytest.mark.django_db(transaction=True)
DROP_UNITS = 20_000
SOLD = 15_000


@pytest.fixture
def drop():
    if not is_postgresql():
        pytest.skip("the planner under test is PostgreSQL's")
    games = Category.objects.create(name="Games")
    make_product(games, "Old key", "5.00", units=[f"OLD-{n}" for n in range(500)])
    product = make_product(games, "Drop key", "1.00")
    StockUnit.objects.bulk_create(
        (StockUnit(product=product, value=f"DROP-{n}") for n in range(DROP_UNITS)), batch_size=5000
    )
    first = StockUnit.objects.filter(product=product).order_by("id").values_list("id", flat=True)[0]
    StockUnit.objects.filter(product=product, id__lt=first + SOLD).update(sold_at=now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_stockunit")
    return product


def stock_scans(sql: str, *, analyze: bool = False) -> list[dict]:
    """Return the plan nodes that read catalog_stockunit when ``sql`` runs (run it with ``analyze``)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) {sql}")
        value = cursor.fetchone()[0]
    [plan] = json.loads(value) if isinstance(value, str) else value
    return [node for node in walk_nodes(plan["Plan"]) if node.get("Relation Name") == "catalog_stockunit"]


def walk_nodes(node: dict) -> list[dict]:
    return [node, *(found for child in node.get("Plans", []) for found in walk_nodes(child))]


def queries_reading_stock(action) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()
    return [query["sql"] for query in captured.captured_queries if "catalog_stockunit" in query["sql"]]


def test_a_purchase_takes_the_oldest_unsold_unit_along_the_index(drop):
    buyer = make_customer(7001, balance="10.00")
    [take_and_sell] = queries_reading_stock(
        lambda: purchase_product(telegram_id=buyer.telegram_id, product_id=drop.pk)
    )

    scans = stock_scans(take_and_sell)

    # The pick walks the unsold units' index; marking it sold finds that row by its primary key.
    indexes = sorted(
        scan.get("Index Name") or scan["Node Type"] for scan in scans if "Scan" in scan["Node Type"]
    )
    assert indexes == ["catalog_stockunit_pkey", "stock_unsold_oldest_idx"], scans
    assert StockUnit.objects.get(sold_at__isnull=False, product=drop, value=f"DROP-{SOLD}")
    assert take_and_sell.startswith("WITH picked")


def test_the_confirmation_finds_stock_along_the_index(drop):
    buyer = make_customer(7001, balance="10.00")
    [check] = queries_reading_stock(lambda: quote_product(telegram_id=buyer.telegram_id, product_id=drop.pk))

    scans = stock_scans(check)

    assert [scan.get("Index Name") for scan in scans] == ["stock_unsold_oldest_idx"], scans
    assert quote_product(telegram_id=buyer.telegram_id, product_id=drop.pk).price == Decimal("1.00")


def test_a_card_counts_at_most_the_stock_it_shows(drop):
    from catalog import selectors

    [count] = queries_reading_stock(lambda: selectors.get_product_card(product_id=drop.pk))

    read = [node["Actual Rows"] for node in stock_scans(count, analyze=True)]
    assert read and max(read) <= selectors.STOCK_SHOWN_MAX + 1, read  # not the 5,000 unsold units
    assert selectors.get_product_card(product_id=drop.pk).stock == selectors.STOCK_SHOWN_MAX + 1


def test_the_low_stock_check_after_a_sale_counts_at_most_the_threshold(drop):
    from catalog.selectors import low_stock_among

    drop.low_stock_threshold = 100
    drop.save(update_fields=["low_stock_threshold"])
    [count] = queries_reading_stock(lambda: low_stock_among(product_ids=[drop.pk]))

    read = [node["Actual Rows"] for node in stock_scans(count, analyze=True)]
    assert read and max(read) <= 101, read  # not the 5,000 unsold units
    assert low_stock_among(product_ids=[drop.pk]) == []  # 5,000 left is not low
