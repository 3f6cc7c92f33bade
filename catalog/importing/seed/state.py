"""What one import carries between its steps: the seed's rows, the report, the rows made so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group

from accounts.models import Customer
from catalog.importing.seed.report import SeedReport
from catalog.models import Category, Product, PromoCode
from payments.money import MAX_MONEY


@dataclass
class SeedImport:
    rows: dict[str, list[dict[str, Any]]]
    report: SeedReport
    owner_id: int | None = None
    roles: dict[int, Group | None] = field(default_factory=dict)  # by seed roles.id; None: no role
    default_role: Group | None = None
    customers: dict[int, Customer] = field(default_factory=dict)  # by telegram id
    categories: dict[int, Category] = field(default_factory=dict)  # by seed categories.id
    products: dict[int, Product] = field(default_factory=dict)  # by seed goods.id
    products_by_name: dict[str, Product] = field(default_factory=dict)  # by seed goods.name
    promos: dict[int, PromoCode] = field(default_factory=dict)  # by seed promo_codes.id
    promos_by_code: dict[str, PromoCode] = field(default_factory=dict)  # by seed promo_codes.code

    def read(self, kind: str, table: str) -> list[dict[str, Any]]:
        """Return the seed's rows of ``table``, counting them as read for ``kind``."""
        rows = self.rows[table]
        self.report[kind].read += len(rows)
        return rows


def as_money(value: object) -> Decimal | None:
    """Return a seed amount that fits a money column (two decimals at most), else None."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        return None
    value = value.quantize(Decimal("0.01"))
    return value if abs(value) <= MAX_MONEY else None
