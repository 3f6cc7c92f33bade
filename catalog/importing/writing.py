"""Writing a checked catalog: upsert categories and products, add missing stock, report.

Locks, in one transaction: each category, then each of its products (FOR NO
KEY UPDATE, as the catalog services lock). Stock rows are only inserted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, require_permission
from catalog.cache import forget_stock
from catalog.importing.reading import CategorySpec, read_catalog
from catalog.manual_models import ProductQuestion
from catalog.models import Category, Product, StockUnit
from catalog.services.restock import stock_arrived
from shopbot.errors import ImportRefused

DEMO_CATALOG = Path(__file__).resolve().parent.parent / "demo" / "catalog.json"
CHUNK = 500


@dataclass
class Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _("%(added)s added, %(updated)s updated, %(unchanged)s unchanged.") % asdict(self)


@dataclass
class ImportReport:
    """What an import added, updated and skipped (or would have, in a dry run)."""

    dry_run: bool = False
    categories: Tally = field(default_factory=Tally)
    products: Tally = field(default_factory=Tally)
    stock_added: int = 0
    stock_already_present: int = 0
    stock_repeated_in_file: int = 0

    def counts(self) -> dict[str, Any]:
        """Return the numbers alone, for the audit log."""
        return {key: value for key, value in asdict(self).items() if key != "dry_run"}

    def lines(self) -> list[str]:
        """Return the report as sentences for a person."""
        stock = _("%(added)s added, %(present)s already in stock, %(repeated)s repeated in the file.") % {
            "added": self.stock_added,
            "present": self.stock_already_present,
            "repeated": self.stock_repeated_in_file,
        }
        lines = [
            _("Categories: %(tally)s") % {"tally": self.categories},
            _("Products: %(tally)s") % {"tally": self.products},
            _("Stock units: %(tally)s") % {"tally": stock},
        ]
        if self.dry_run:
            lines.append(_("Dry run: nothing was written."))
        return lines


def upsert(
    model: type[Model], found: Any, key: dict[str, Any], values: dict[str, Any], tally: Tally, *, write: bool
) -> Any:
    """Create the row or set the values that differ, counting which it was; return the row."""
    if found is None:
        tally.added += 1
        return model.objects.create(**key, **values) if write else None  # type: ignore[attr-defined]
    changed = [name for name, value in values.items() if getattr(found, name) != value]
    if not changed:
        tally.unchanged += 1
        return found
    tally.updated += 1
    if write:
        for name in changed:
            setattr(found, name, values[name])
        touched = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        found.save(update_fields=[*changed, *touched])
    return found


def import_stock(product: Product | None, values: list[str], report: ImportReport, *, write: bool) -> None:
    distinct = list(dict.fromkeys(values))
    report.stock_repeated_in_file += len(values) - len(distinct)
    present: set[str] = set()
    if product is not None:
        unsold = StockUnit.objects.filter(product=product, sold_at__isnull=True)
        for start in range(0, len(distinct), CHUNK):
            chunk = distinct[start : start + CHUNK]
            present.update(unsold.filter(value__in=chunk).values_list("value", flat=True))
    new = [value for value in distinct if value not in present]
    report.stock_already_present += len(present)
    report.stock_added += len(new)
    if write and new:
        units = [StockUnit(product=product, value=value) for value in new]
        StockUnit.objects.bulk_create(units, batch_size=CHUNK)
        # Claims waiting for this product's stock are replaced first, then its waitlist is released.
        stock_arrived(product=product, actor=None, added=len(new))
        forget_stock([product.pk])


def import_category(spec: CategorySpec, report: ImportReport, *, write: bool) -> None:
    found = find(Category.objects.all(), spec.name, write=write)
    category = upsert(Category, found, {"name": spec.name}, spec.fields, report.categories, write=write)
    for item in spec.products:
        found = None
        if category is not None:
            found = find(Product.objects.filter(category=category), item.name, write=write)
        check_delivery_change(found, item.fields.get("delivery"), spec.name)
        key = {"category": category, "name": item.name}
        product = upsert(Product, found, key, item.fields, report.products, write=write)
        import_stock(product, item.stock, report, write=write)
        if write and item.questions is not None:
            replace_questions(product, item.questions)


def replace_questions(product: Product, questions: list[tuple[str, int]]) -> None:
    """Give a manual product the file's checkout questions (checked as ``set_product_questions`` checks them)."""
    ProductQuestion.objects.filter(product=product).delete()
    ProductQuestion.objects.bulk_create(
        ProductQuestion(product=product, position=index, label=label, max_length=longest)
        for index, (label, longest) in enumerate(questions)
    )


def check_delivery_change(product: Product | None, kind: str | None, category: str) -> None:
    """Refuse what ``set_delivery_kind`` refuses: unsold units do not change between text and file."""
    if product is None or kind is None or kind == product.delivery:
        return
    limited = kind in (Product.DeliveryKind.STOCK, Product.DeliveryKind.FILE)
    if limited and StockUnit.objects.filter(product=product, sold_at__isnull=True).exists():
        problem = _("Remove the unsold units first: they cannot change into the other kind.")
        raise ImportRefused(reason=f"{category} / {product.name}: {problem}")


def find(queryset: Any, name: str, *, write: bool) -> Any:
    """Return the row named ``name`` ignoring case (the exact spelling first), locked when writing.

    FOR NO KEY UPDATE, as the catalog services lock: a purchase committing
    meanwhile checks its foreign key with KEY SHARE, which this does not block.
    """
    if write:
        queryset = queryset.select_for_update(no_key=True)
    return queryset.filter(name=name).first() or queryset.filter(name__iexact=name).first()


def import_catalog(*, text: str | bytes, dry_run: bool = False, actor: Actor | None = None) -> ImportReport:
    """Check a catalog file, then add and update what it lists; return the report.

    Refuses a bad file with ``ImportRefused`` naming the place of the problem,
    before anything is written. ``dry_run`` only reads and reports. ``actor``
    is None for the management commands (whoever runs them owns the server);
    anyone else needs ``manage_catalog``. Audited when something is written.
    """
    if actor is not None:
        require_permission(actor=actor, codename="manage_catalog", action="import_catalog")
    categories = read_catalog(text)
    report = ImportReport(dry_run=dry_run)
    if dry_run:
        for category in categories:
            import_category(category, report, write=False)
        return report
    try:
        with transaction.atomic():
            for category in categories:
                import_category(category, report, write=True)
            record_audit(actor=actor, action="import_catalog", details=report.counts())
    except IntegrityError:
        # Another import or an admin created the same name a moment ago.
        raise ImportRefused(reason=_("the catalog changed while importing; run the import again")) from None
    return report


def load_demo_catalog() -> ImportReport | None:
    """Import the demo catalog into a shop without categories; return None when it has some."""
    if Category.objects.exists():
        return None
    return import_catalog(text=DEMO_CATALOG.read_bytes())
