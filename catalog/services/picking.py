"""Taking units and marking them sold in one statement, on PostgreSQL.

``take_units_for_sale`` locks the oldest unsold units (SKIP LOCKED) with
their product and category, and the sale marks them sold later: two
statements. On PostgreSQL one does both: a data-modifying ``WITH`` picks the
rows with the same lock, sets ``sold_at`` on them, and the statement returns
them joined with their product, category and file. The transaction that
called it still decides: a refusal after it rolls the mark back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Model

from catalog.models import Category, DeliveryFile, Product, StockUnit

# What a sold unit comes with, in the order of the statement's columns.
LOADED = (StockUnit, Product, Category, DeliveryFile)


def sells_in_one_statement() -> bool:
    return connection.vendor == "postgresql"


def take_and_sell(*, product_id: int, quantity: int, at: datetime) -> list[StockUnit]:
    """Lock up to ``quantity`` of a product's oldest unsold units and mark them sold at ``at``.

    The product must be on sale and limited, as in ``take_units_for_sale``.
    Returns the units (fewer when fewer are left), each with its product,
    the product's category and its file loaded.
    """
    quote = connection.ops.quote_name
    table = {model: quote(model._meta.db_table) for model in LOADED}
    columns = ", ".join(
        f"{alias}.{quote(field.column)}"
        for model, alias in zip(LOADED, ("sold", "product", "category", "file"), strict=True)
        for field in model._meta.concrete_fields
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH picked AS ("
            f" SELECT unit.id FROM {table[StockUnit]} unit"
            f" JOIN {table[Product]} product ON product.id = unit.product_id"
            f" JOIN {table[Category]} category ON category.id = product.category_id"
            " WHERE unit.product_id = %s AND unit.sold_at IS NULL AND product.is_active"
            " AND category.is_active AND NOT product.is_unlimited"
            " ORDER BY unit.created, unit.id LIMIT %s FOR UPDATE OF unit SKIP LOCKED"
            f"), sold AS (UPDATE {table[StockUnit]} unit SET sold_at = %s FROM picked"
            " WHERE unit.id = picked.id RETURNING unit.*)"
            f" SELECT {columns} FROM sold"
            f" JOIN {table[Product]} product ON product.id = sold.product_id"
            f" JOIN {table[Category]} category ON category.id = product.category_id"
            f" LEFT JOIN {table[DeliveryFile]} file ON file.id = sold.file_id"
            " ORDER BY sold.created, sold.id",
            [product_id, quantity, at],
        )
        rows = cursor.fetchall()
    return [unit_from_row(row) for row in rows]


def unit_from_row(row: tuple) -> StockUnit:
    unit, rest = load(StockUnit, row)
    product, rest = load(Product, rest)
    category, rest = load(Category, rest)
    file, _ = load(DeliveryFile, rest)
    product.category = category
    unit.product = product
    unit.file = file if unit.file_id is not None else None
    return unit


def load(model: type[Model], row: tuple) -> tuple[Model, tuple]:
    """Build one ``model`` instance from the start of ``row``; return it and the rest of the row."""
    fields = model._meta.concrete_fields
    instance = model.from_db(connection.alias, [field.attname for field in fields], row[: len(fields)])
    return instance, row[len(fields) :]
