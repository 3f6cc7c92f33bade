"""A throwaway seed-bot database on the test PostgreSQL server, built from the seed's own schema."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection
from psycopg import sql

SCHEMA = Path(__file__).resolve().parent / "seed" / "seed-schema.sql"
HEAD = "e5f6a7b8c9d0"


def server_params(dbname: str) -> dict[str, Any]:
    settings = connection.settings_dict
    params = {"host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"], "dbname": dbname}
    if settings["PASSWORD"]:
        params["password"] = settings["PASSWORD"]
    return {key: value for key, value in params.items() if value not in ("", None)}


def url_of(params: dict[str, Any]) -> str:
    auth = params["user"] + (f":{params['password']}" if "password" in params else "")
    return f"postgres://{auth}@{params['host']}:{params['port']}/{params['dbname']}"


def schema_sql() -> str:
    # psql's meta-commands (\restrict) are not SQL; everything else runs as it is.
    return "\n".join(line for line in SCHEMA.read_text().splitlines() if not line.startswith("\\"))


@contextmanager
def seed_database(*, head: str = HEAD) -> Iterator[SeedDatabase]:
    """Create a database with the seed's schema at ``head``; drop it afterwards."""
    name = f"seed_{secrets.token_hex(4)}"
    admin = psycopg.connect(**server_params("postgres"), autocommit=True)
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = server_params(name)
    seed = psycopg.connect(**params, autocommit=True)
    try:
        seed.execute(schema_sql())
        seed.execute("INSERT INTO alembic_version VALUES (%s)", [head])
        yield SeedDatabase(url=url_of(params), connection=seed)
    finally:
        seed.close()
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


class SeedDatabase:
    def __init__(self, *, url: str, connection: psycopg.Connection) -> None:
        self.url = url
        self.connection = connection

    def execute(self, query: str, params: list | None = None) -> Any:
        return self.connection.execute(query, params)

    def insert(self, table: str, **values: Any) -> Any:
        """Insert one row; return its id (telegram_id for users)."""
        key = "telegram_id" if table == "users" else "id"
        statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(column) for column in values),
            sql.SQL(", ").join(sql.Placeholder() for _ in values),
            sql.Identifier(key),
        )
        return self.connection.execute(statement, list(values.values())).fetchone()[0]

    def count(self, table: str) -> int:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        return self.connection.execute(query).fetchone()[0]
