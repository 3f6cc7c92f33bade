"""The Mini App's search is answered by the GIN index of migration 0005, not by reading every product.

PostgreSQL's planner decides, so the test asks it: the search's own SQL (as
``search_products`` runs it) explained with sequential scans discouraged, as
they would be on a catalog big enough. A change of the query's expression, or
a dropped index, leaves the plan without ``product_search_idx`` and fails it.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from catalog.selectors import storefront
from shopbot.test import is_postgresql, make_product

pytestmark = pytest.mark.django_db
INDEX = "product_search_idx"


@pytest.fixture
def catalog_rows():
    if not is_postgresql():
        pytest.skip("the planner under test is PostgreSQL's")
    games = Category.objects.create(name="Games")
    for number in range(30):
        make_product(games, f"Game {number}", "1.00", description=f"A dragon story, part {number}")
    make_product(games, "Office suite", "3.00", description="Spreadsheets and letters")


def search_sql(query: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        result = storefront.search_products(query=query)
    assert result.items, "the search under test must find something"
    return [item["sql"] for item in captured.captured_queries if "to_tsvector" in item["sql"]]


def indexes_used(sql: str) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        value = cursor.fetchone()[0]
    [plan] = json.loads(value) if isinstance(value, str) else value
    return [node["Index Name"] for node in walk(plan["Plan"]) if "Index Name" in node]


def walk(node: dict) -> list[dict]:
    return [node, *(found for child in node.get("Plans", []) for found in walk(child))]


def test_the_search_uses_the_gin_index(catalog_rows):
    [sql] = search_sql("dragon story")

    assert INDEX in indexes_used(sql), sql


def test_without_the_index_the_plan_says_so(catalog_rows):
    # The check above can fail: the same query, the index gone (rolled back with the test).
    [sql] = search_sql("office")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {INDEX}")

    assert INDEX not in indexes_used(sql)
