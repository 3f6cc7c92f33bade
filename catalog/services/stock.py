"""Admin services on stock: upload units in bulk, remove an unsold unit, set the low-stock alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, requires
from catalog.cache import forget_stock
from catalog.models import Product, StockUnit
from catalog.services.common import clean_id, clean_int
from catalog.services.listing import forget_lists_if_hiding
from catalog.services.products import lock_product
from catalog.services.restock import stock_arrived
from shopbot.errors import InvalidInput, ProductNotFound, StockUnitNotFound, StockUnitSold

VALUE_MAX_LENGTH = 4000
MAX_BATCH = 200_000  # lines in one upload; 100,000 is the size the shop promises to handle
INSERT_BATCH = 1000
THRESHOLD_MAX = 1_000_000


@dataclass(frozen=True)
class StockReport:
    """What an upload adds (or would add) and what it skips, by reason."""

    new: int
    duplicates: int  # repeated within the upload itself
    existing: int  # already in stock and unsold
    empty: int
    refused: int  # longer than VALUE_MAX_LENGTH, or not storable text
    replaced_claims: tuple[int, ...] = ()  # claims waiting for stock that the new units filled first

    @property
    def skipped(self) -> int:
        return self.duplicates + self.existing + self.empty + self.refused


def is_storable(value: str) -> bool:
    if len(value) > VALUE_MAX_LENGTH or "\x00" in value:
        return False
    try:
        value.encode("utf-8")  # lone surrogates cannot be stored
    except UnicodeEncodeError:
        return False
    return True


def sort_values(product: Product, values: object) -> tuple[list[str], StockReport]:
    """Split an upload into new values (in upload order) and the counts of what is skipped."""
    if product.delivery == Product.DeliveryKind.FILE:
        raise InvalidInput(
            reason=_("%(product)s delivers files: send documents.") % {"product": product.name}
        )
    if product.is_unlimited:
        raise InvalidInput(
            reason=_("%(product)s is unlimited: it has no stock to add.") % {"product": product.name}
        )
    if not isinstance(values, Sequence) or isinstance(values, (str, bytes)):
        raise InvalidInput(reason=_("Send the units one per line."))
    if len(values) > MAX_BATCH:
        raise InvalidInput(reason=_("Send at most %(maximum)s lines at once.") % {"maximum": MAX_BATCH})
    fresh: dict[str, None] = {}  # insertion-ordered set
    duplicates = empty = refused = 0
    for raw in values:
        value = raw.strip() if isinstance(raw, str) else None
        if value is None or not is_storable(value):
            refused += 1
        elif not value:
            empty += 1
        elif value in fresh:
            duplicates += 1
        else:
            fresh[value] = None
    # One pass over the product's unsold values, rather than IN lists that
    # would scan the same rows once per chunk of a 100,000-line upload.
    existing = set()
    if fresh:
        unsold = StockUnit.objects.filter(product=product, sold_at__isnull=True).values_list(
            "value", flat=True
        )
        existing = {value for value in unsold.iterator(chunk_size=5000) if value in fresh}
    new = [value for value in fresh if value not in existing]
    report = StockReport(
        new=len(new), duplicates=duplicates, existing=len(existing), empty=empty, refused=refused
    )
    return new, report


def preview_stock(*, product_id: int, values: Sequence[str]) -> StockReport:
    """Return what ``add_stock`` would do with these values, writing nothing."""
    product = Product.objects.filter(pk=clean_id(product_id)).first()
    if product is None:
        raise ProductNotFound()
    return sort_values(product, values)[1]


@requires("manage_stock")
@transaction.atomic
def add_stock(*, actor: Actor, product_id: int, values: Sequence[str]) -> StockReport:
    """Add units to a product: trimmed, skipping empty, repeated, too long and already-stocked values.

    Locks the product row so two uploads to one product cannot both add the
    same value; purchases never lock product rows, so this cannot deadlock with
    them. Inserts in batches; an upload of 100,000 lines is one transaction.
    The new units replace the product's claims waiting for stock first, in
    this transaction (``catalog.services.restock``), before any sale sees them
    and before the back-in-stock waitlist hears of what is left.
    """
    product = lock_product(product_id)
    new, report = sort_values(product, values)
    StockUnit.objects.bulk_create(
        (StockUnit(product=product, value=value) for value in new), batch_size=INSERT_BATCH
    )
    if new:
        filled = stock_arrived(product=product, actor=actor, added=len(new))
        report = replace(report, replaced_claims=tuple(claim.pk for claim in filled))
    forget_stock([product.pk])
    record_audit(
        actor=actor,
        action="add_stock",
        target=product.name,
        details={"product": product.pk, "added": report.new, "skipped": report.skipped},
    )
    return report


@requires("manage_stock")
@transaction.atomic
def delete_stock_unit(*, actor: Actor, unit_id: int) -> None:
    """Remove one unsold unit; a sold unit is part of a purchase and stays.

    Waits for the unit's row lock, so a purchase taking it at this moment
    finishes first and the unit is then refused as sold.
    """
    unit = StockUnit.objects.select_for_update().filter(pk=clean_id(unit_id, StockUnitNotFound)).first()
    if unit is None:
        raise StockUnitNotFound()
    if unit.sold_at is not None:
        raise StockUnitSold()
    record_audit(actor=actor, action="delete_stock_unit", target=unit, details={"product": unit.product_id})
    unit.delete()
    forget_stock([unit.product_id])
    forget_lists_if_hiding([unit.product_id])


@requires("manage_stock")
@transaction.atomic
def set_low_stock_threshold(*, actor: Actor, product_id: int, threshold: object) -> Product:
    """Set how few unsold units make a product count as running low (0: never)."""
    threshold = clean_int(threshold, minimum=0, maximum=THRESHOLD_MAX, what=_("The threshold"))
    product = lock_product(product_id)
    product.low_stock_threshold = threshold
    product.save(update_fields=["low_stock_threshold", "updated"])
    record_audit(
        actor=actor, action="set_low_stock_threshold", target=product.name, details={"threshold": threshold}
    )
    return product
