"""Checks and small helpers shared by the catalog services.

Nothing here opens a transaction of its own; helpers that lock say so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import Customer
from accounts.selectors import check_may_shop
from accounts.services import get_customer_for_update
from catalog.models import DeliveryFile, Product, StockUnit
from catalog.services.picking import sells_in_one_statement, take_and_sell
from shopbot.errors import (
    InvalidInput,
    NotEnoughStock,
    OutOfStock,
    ProductNotFound,
    ShopError,
)

# The largest primary key PostgreSQL's bigint holds; anything above is forged.
MAX_ID = 2**63 - 1
WHITESPACE = re.compile(r"\s+")
# ASCII digits only: str.isdigit() accepts "²", which int() refuses.
DIGITS = re.compile(r"\d{1,19}", re.ASCII)


def clean_id(value: object, error: type[ShopError] = ProductNotFound) -> int:
    """Return ``value`` as a database id, or raise ``error`` for anything forged."""
    if isinstance(value, bool):
        raise error()
    if isinstance(value, str) and DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise error()
    return value


def clean_int(value: object, *, minimum: int, maximum: int, what: str) -> int:
    """Return a whole number typed or sent by a person within ``minimum``..``maximum``."""
    if isinstance(value, str) and DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidInput(
            reason=_("%(what)s must be a whole number from %(minimum)s to %(maximum)s.")
            % {"what": what, "minimum": minimum, "maximum": maximum}
        )
    return value


def drop_controls(text: str, *, keep: str = "") -> str:
    # NUL is refused by PostgreSQL and other control characters only confuse
    # Telegram clients; they never belong in a name or a description.
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) != "Cc")


def clean_line(value: object, *, what: str, max_length: int, min_length: int = 1) -> str:
    """Return one line of text: whitespace runs become one space, controls dropped."""
    if not isinstance(value, str):
        value = ""
    text = WHITESPACE.sub(" ", drop_controls(value.replace("\n", " ").replace("\t", " "))).strip()
    if not min_length <= len(text) <= max_length:
        raise InvalidInput(
            reason=_("%(what)s must be %(minimum)s to %(maximum)s characters long.")
            % {"what": what, "minimum": min_length, "maximum": max_length}
        )
    return text


def clean_text(value: object, *, what: str, max_length: int) -> str:
    """Return multi-line text (possibly empty), stripped, with controls other than newlines dropped."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(reason=_("%(what)s must be text.") % {"what": what})
    text = drop_controls(value.replace("\r\n", "\n"), keep="\n\t").strip()
    if len(text) > max_length:
        raise InvalidInput(
            reason=_("%(what)s must be at most %(maximum)s characters long.")
            % {"what": what, "maximum": max_length}
        )
    return text


def lock_buyer(*, telegram_id: int) -> Customer:
    """Lock and return a customer who may shop; the caller must be inside a transaction."""
    return check_may_shop(get_customer_for_update(telegram_id=telegram_id))


def is_for_sale(product: Product) -> bool:
    return product.is_active and product.category.is_active


def get_product_for_sale(*, product_id: object, with_stock: bool = False) -> Product:
    """Return a visible product with its category loaded, or raise ``ProductNotFound``.

    ``with_stock`` reads its oldest unsold unit's id in the same query, for ``has_stock``.
    """
    products = Product.objects.select_related("category")
    if with_stock:
        next_unit = oldest_unsold(OuterRef("pk")).values("id")[:1]
        products = products.annotate(next_unit_id=Subquery(next_unit))
    product = products.filter(pk=clean_id(product_id), is_active=True, category__is_active=True).first()
    if product is None:
        raise ProductNotFound()
    return product


def has_stock(product: Product) -> bool:
    """Return whether a product can be delivered now (a read for screens, never a lock)."""
    if product.is_unlimited:
        return product.sells_without_units
    if hasattr(product, "next_unit_id"):
        return product.next_unit_id is not None
    return oldest_unsold(product).values_list("id", flat=True).first() is not None


def oldest_unsold(product: object) -> QuerySet[StockUnit]:
    """A product's unsold units, oldest first, along ``stock_unsold_oldest_idx``.

    Asked for the first of them, PostgreSQL walks that index. ``exists()``
    (which drops the order) may scan the table from its start instead, through
    every sold unit of a product that fills most of it.
    """
    return StockUnit.objects.filter(product=product, sold_at__isnull=True).order_by("created", "id")


@dataclass(frozen=True)
class Delivery:
    """What one sold unit delivers: a stock row (limited goods) or the shared unlimited value, and its file."""

    unit: StockUnit | None
    value: str
    file: DeliveryFile | None = None


def take_units(*, product: Product, quantity: int) -> list[Delivery]:
    """Lock ``quantity`` unsold units of ``product``, oldest first (``stock_unsold_oldest_idx``), or refuse.

    Takes stock row locks with SKIP LOCKED: buyers racing for the last units
    get different rows instead of queueing, and a unit another transaction
    holds counts as gone. Must run inside the caller's transaction, after the
    customer row lock and before any promo row lock.
    """
    if product.is_unlimited:
        if not product.sells_without_units:
            raise OutOfStock(product=product.name)
        if product.is_manual or product.is_dynamic:  # delivered later (staff, or the seller's endpoint)
            return [Delivery(unit=None, value="")] * quantity
        return [Delivery(unit=None, value=product.unlimited_value, file=product.shared_file)] * quantity
    units = list(
        oldest_unsold(product)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("file")[:quantity]
    )
    if not units:
        raise OutOfStock(product=product.name)
    if len(units) < quantity:
        raise NotEnoughStock(product=product.name, available=len(units))
    return [Delivery(unit=unit, value=unit.value, file=unit.file) for unit in units]


def take_units_for_sale(
    *, product_id: object, quantity: int, sold_at: datetime | None = None
) -> tuple[Product, list[Delivery]]:
    """Return a product for sale and lock ``quantity`` of its units, like ``take_units``.

    A product with the units in stock costs one query: the units are read with
    their product and category, locking only the stock rows. With ``sold_at``
    the same statement marks them sold at that moment where the database can
    (``catalog.services.picking``), and ``record_sales`` leaves them be.
    Otherwise the product is read on its own to say why not (hidden, sold
    out, not enough) or to deliver its unlimited value.

    An unlimited product delivers its unlimited value on every path, even with
    units left from before it was switched: those stay unsold, for the day it
    is switched back.
    """
    pk = clean_id(product_id)
    if sold_at is not None and sells_in_one_statement():
        units = take_and_sell(product_id=pk, quantity=quantity, at=sold_at)
        if len(units) < quantity:
            # Not enough: unmark the few taken (still ours, locked) so the refusal counts them.
            StockUnit.objects.filter(pk__in=[unit.pk for unit in units]).update(sold_at=None)
    else:
        units = list(
            StockUnit.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("product__category", "file")
            .filter(
                product_id=pk,
                product__is_active=True,
                product__category__is_active=True,
                product__is_unlimited=False,
                sold_at__isnull=True,
            )
            .order_by("created", "id")[:quantity]
        )
    if len(units) == quantity:
        return units[0].product, [Delivery(unit=unit, value=unit.value, file=unit.file) for unit in units]
    product = get_product_for_sale(product_id=pk)
    return product, take_units(product=product, quantity=quantity)  # the units locked above stay ours


def lock_unsold_stock(**filters: object) -> int:
    """Lock the unsold units matching ``filters``, waiting for purchases in flight; return how many.

    Deletes take these stock locks before the product row, so a purchase that
    holds a unit (and needs the product at commit) finishes first instead of
    deadlocking; purchases that start later find every unit locked and skip.
    """
    units = StockUnit.objects.select_for_update().filter(sold_at__isnull=True, **filters).order_by("id")
    return len(units.values_list("id", flat=True))


def warranty_end(product: Product, sold_at: datetime) -> datetime | None:
    """Return when a unit of ``product`` sold at ``sold_at`` leaves its warranty (None: no warranty)."""
    if not product.warranty_hours:
        return None
    return sold_at + timedelta(hours=product.warranty_hours)
