"""Reading the seed bot's PostgreSQL database, read-only, after checking it is the seed's."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from shopbot.errors import SeedRefused

ALEMBIC_HEAD = "e5f6a7b8c9d0"
# The tables and columns the import reads, as the seed's migrations create them at ALEMBIC_HEAD.
COLUMNS = {
    "roles": ["id", "name", "default", "permissions"],
    "users": ["telegram_id", "role_id", "balance", "referral_id", "registration_date", "is_blocked"],
    "categories": ["id", "name"],
    "goods": ["id", "name", "price", "description", "category_id"],
    "item_values": ["id", "item_id", "value", "is_infinity"],
    "bought_goods": ["id", "item_name", "value", "price", "buyer_id", "bought_datetime", "unique_id"],
    "operations": ["id", "user_id", "operation_value", "operation_time"],
    "payments": ["id", "provider", "external_id", "user_id", "amount", "currency", "status", "created_at"],
    "referral_earnings": ["id", "referrer_id", "referral_id", "amount", "original_amount", "created_at"],
    "promo_codes": [
        "id",
        "code",
        "discount_type",
        "discount_value",
        "max_uses",
        "current_uses",
        "expires_at",
        "category_id",
        "item_id",
        "is_active",
        "created_at",
    ],
    "promo_code_usages": ["id", "promo_id", "user_id", "used_at"],
    "reviews": ["id", "user_id", "item_name", "rating", "text", "created_at"],
    "cart_items": ["id", "user_id", "item_name", "promo_code", "added_at"],
    "audit_log": [
        "id",
        "timestamp",
        "level",
        "user_id",
        "action",
        "resource_type",
        "resource_id",
        "details",
        "ip_address",
    ],
}
KNOWN_TABLES = {*COLUMNS, "alembic_version"}


def read_seed(url: str) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Return every row the import reads, by table, and the names of the tables it leaves alone.

    The session is read-only, so nothing here can write to the seed's database.
    Refuses with ``SeedRefused`` a database that cannot be reached or is not
    the seed bot's at ``ALEMBIC_HEAD``, naming what is missing.
    """
    try:
        connection = psycopg.connect(url, row_factory=dict_row, connect_timeout=10)
    except (psycopg.Error, ValueError) as error:
        raise SeedRefused(reason=f"cannot connect to the seed database ({first_line(error)})") from None
    with connection:
        connection.read_only = True
        with connection.transaction():
            present = table_columns(connection)
            check_schema(connection, present)
            rows = {table: fetch(connection, table, columns) for table, columns in COLUMNS.items()}
    others = sorted(set(present) - KNOWN_TABLES)
    return rows, others


def first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def table_columns(connection: psycopg.Connection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    rows = connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    ).fetchall()
    for row in rows:
        found.setdefault(row["table_name"], set()).add(row["column_name"])
    return found


def check_schema(connection: psycopg.Connection, present: dict[str, set[str]]) -> None:
    missing_tables = [table for table in sorted(KNOWN_TABLES) if table not in present]
    if missing_tables:
        raise SeedRefused(
            reason="this is not the seed bot's database: missing tables " + ", ".join(missing_tables)
        )
    missing_columns = [
        f"{table}.{column}"
        for table, columns in COLUMNS.items()
        for column in columns
        if column not in present[table]
    ]
    if missing_columns:
        raise SeedRefused(reason="the seed's tables lack columns " + ", ".join(missing_columns))
    versions = [row["version_num"] for row in connection.execute("SELECT version_num FROM alembic_version")]
    if versions != [ALEMBIC_HEAD]:
        raise SeedRefused(
            reason=f"the seed database is at Alembic version {', '.join(versions) or 'none'}, "
            f"not {ALEMBIC_HEAD}; upgrade the seed bot (alembic upgrade head) first"
        )


def fetch(connection: psycopg.Connection, table: str, columns: list[str]) -> list[dict[str, Any]]:
    query = sql.SQL("SELECT {} FROM {} ORDER BY 1").format(
        sql.SQL(", ").join(sql.Identifier(column) for column in columns), sql.Identifier(table)
    )
    return connection.execute(query).fetchall()
