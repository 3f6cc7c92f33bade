"""Import and export of the catalog as JSON: backups, moving a shop, the demo catalog.

The file::

    {"categories": [
      {"name": "Games", "position": 1, "active": true, "products": [
        {"name": "Game key", "description": "…", "price": "9.99", "unlimited": false,
         "stock": ["AAA-111", "BBB-222"]},
        {"name": "E-book", "price": "3.50", "unlimited": true, "value": "https://example.com/book.pdf"}
      ]}
    ]}

A category needs ``name``; a product needs ``name`` and ``price`` (text such as
"9.99" in PAY_CURRENCY, or a whole number; never a JSON float). ``value`` is
what every buyer of an unlimited product receives: it is required when
``"unlimited": true`` and allowed only then. A stock product lists its
deliverable values in ``stock``. The other keys (``products``,
``description``, ``image``, ``active``, ``position``, ``low_stock_threshold``)
are optional; one left out keeps the shop's current value (or the default for
something new). Unknown keys are refused, so a typo never passes silently.

Import is idempotent: categories are matched by name, products by category and
name, and stock values already unsold in the shop are skipped. The whole file
is checked before anything is written, and the writes happen in one
transaction, locking each category, then each product, as it goes.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, Prefetch
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, require_permission
from catalog.models import Category, Product, StockUnit
from payments.money import parse_amount, quantize
from shopbot.errors import ImportRefused, InvalidAmount

DEMO_CATALOG = Path(__file__).resolve().parent / "demo" / "catalog.json"
INT_MAX = 2**31 - 1  # IntegerField and PositiveIntegerField on every database
CHUNK = 500
CATEGORY_KEYS = {"name", "position", "active", "products"}
PRODUCT_KEYS = {
    "name", "description", "price", "unlimited", "value", "stock", "image", "active", "position",
    "low_stock_threshold",
}  # fmt: skip


def max_length(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length  # type: ignore[return-value]


# --- Reading and checking the file --------------------------------------------
@dataclass
class ProductSpec:
    name: str
    fields: dict[str, Any]  # model field name -> value, only for keys the file gives
    stock: list[str]


@dataclass
class CategorySpec:
    name: str
    fields: dict[str, Any]
    products: list[ProductSpec]


def refuse(place: str, problem: str) -> ImportRefused:
    return ImportRefused(reason=f"{place}: {problem}")


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    for key in keys:
        if keys.count(key) > 1:
            message = _("the key %(key)s appears twice in one object")
            raise ImportRefused(reason=message % {"key": json.dumps(key, ensure_ascii=False)})
    return dict(pairs)


def no_constants(name: str) -> None:
    raise ImportRefused(reason=_("%(name)s is not a number JSON allows") % {"name": name})


def load_json(text: str | bytes) -> Any:
    """Parse the file, refusing bad JSON with its line and column."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRefused(reason=_("the file is not UTF-8 text")) from None
    try:
        return json.loads(
            text.removeprefix("\ufeff"), object_pairs_hook=unique_keys, parse_constant=no_constants
        )
    except json.JSONDecodeError as error:
        raise ImportRefused(
            reason=_("line %(line)s, column %(column)s: %(problem)s is not valid JSON")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None
    except RecursionError:
        raise ImportRefused(reason=_("the file is nested too deeply")) from None


def read_object(value: Any, place: str, *, allowed: set[str], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refuse(place, _("expected an object {…}"))
    for key in value:
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise refuse(f"{place}.{key}", _("unknown key; expected one of %(keys)s") % {"keys": expected})
    for key in required:
        if key not in value:
            raise refuse(f"{place}.{key}", _("this key is required"))
    return value


def read_list(value: Any, place: str) -> list[Any]:
    if not isinstance(value, list):
        raise refuse(place, _("expected a list […]"))
    return value


def read_text(value: Any, place: str, *, limit: int, required: bool = True, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise refuse(place, _("expected text in quotes"))
    # Names and stock values are trimmed; a description or a delivered value is kept as written.
    text = value if multiline else value.strip()
    if required and not text:
        raise refuse(place, _("must not be empty"))
    if len(text) > limit:
        raise refuse(
            place, _("at most %(max)s characters, got %(length)s") % {"max": limit, "length": len(text)}
        )
    allowed = "\n\r\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise refuse(place, _("contains a control character"))
    return text


def read_bool(value: Any, place: str) -> bool:
    if not isinstance(value, bool):
        raise refuse(place, _("expected true or false"))
    return value


def read_int(value: Any, place: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= INT_MAX:
        message = _("expected a whole number from %(min)s to %(max)s")
        raise refuse(place, message % {"min": minimum, "max": INT_MAX})
    return value


def read_price(value: Any, place: str) -> Any:
    try:
        return parse_amount(value)
    except InvalidAmount:
        raise refuse(place, _("expected an amount like 9.99")) from None


Readers = dict[str, tuple[str, Callable[[Any, str], Any]]]


def read_optional(data: dict[str, Any], place: str, readers: Readers) -> dict[str, Any]:
    """Read the optional keys present in ``data`` into model field values."""
    return {
        model_field: reader(data[key], f"{place}.{key}")
        for key, (model_field, reader) in readers.items()
        if key in data
    }


def product_readers() -> Readers:
    description, image = max_length(Product, "description"), max_length(Product, "image")
    return {
        "description": (
            "description",
            lambda v, p: read_text(v, p, limit=description, required=False, multiline=True),
        ),
        "price": ("price", read_price),
        "unlimited": ("is_unlimited", read_bool),
        "image": ("image", lambda v, p: read_text(v, p, limit=image, required=False)),
        "active": ("is_active", read_bool),
        "position": ("position", lambda v, p: read_int(v, p, minimum=-INT_MAX - 1)),
        "low_stock_threshold": ("low_stock_threshold", lambda v, p: read_int(v, p, minimum=0)),
    }


def read_product(data: Any, place: str) -> ProductSpec:
    data = read_object(data, place, allowed=PRODUCT_KEYS, required=("name", "price"))
    name = read_text(data["name"], f"{place}.name", limit=max_length(Product, "name"))
    fields = read_optional(data, place, product_readers())
    unlimited = fields.get("is_unlimited", False)
    if unlimited:
        if "value" not in data:
            raise refuse(f"{place}.value", _("an unlimited product needs the value every buyer receives"))
        fields["unlimited_value"] = read_text(
            data["value"], f"{place}.value", limit=max_length(Product, "unlimited_value"), multiline=True
        )
    elif "value" in data:
        raise refuse(f"{place}.value", _('only a product with "unlimited": true has a value'))
    stock = read_list(data.get("stock", []), f"{place}.stock")
    if unlimited and stock:
        raise refuse(f"{place}.stock", _("an unlimited product has no stock units; give its value instead"))
    limit = StockUnit._meta.get_field("value").max_length
    values = [read_text(value, f"{place}.stock[{index}]", limit=limit) for index, value in enumerate(stock)]
    return ProductSpec(name=name, fields=fields, stock=values)


def read_category(data: Any, place: str) -> CategorySpec:
    data = read_object(data, place, allowed=CATEGORY_KEYS, required=("name",))
    name = read_text(data["name"], f"{place}.name", limit=max_length(Category, "name"))
    fields = read_optional(data, place, {
        "position": ("position", lambda v, p: read_int(v, p, minimum=-INT_MAX - 1)),
        "active": ("is_active", read_bool),
    })  # fmt: skip
    items = read_list(data.get("products", []), f"{place}.products")
    products = [read_product(item, f"{place}.products[{index}]") for index, item in enumerate(items)]
    check_unique([product.name for product in products], f"{place}.products", _("product"))
    return CategorySpec(name=name, fields=fields, products=products)


def check_unique(names: list[str], place: str, what: str) -> None:
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen:
            raise refuse(
                f"{place}[{index}].name",
                _("the %(what)s %(name)s is already listed at index %(index)s")
                % {"what": what, "name": json.dumps(name[:40], ensure_ascii=False), "index": seen[name]},
            )
        seen[name] = index


def read_catalog(text: str | bytes) -> list[CategorySpec]:
    """Parse and check a catalog file; refuse it with the place of the first problem."""
    data = read_object(load_json(text), "(file)", allowed={"categories"}, required=("categories",))
    items = read_list(data["categories"], "categories")
    categories = [read_category(item, f"categories[{index}]") for index, item in enumerate(items)]
    check_unique([category.name for category in categories], "categories", _("category"))
    return categories


# --- Writing ------------------------------------------------------------------
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


def import_category(spec: CategorySpec, report: ImportReport, *, write: bool) -> None:
    found = locked(Category.objects.filter(name=spec.name), write=write)
    category = upsert(Category, found, {"name": spec.name}, spec.fields, report.categories, write=write)
    for item in spec.products:
        found = None
        if category is not None:
            found = locked(Product.objects.filter(category=category, name=item.name), write=write)
        key = {"category": category, "name": item.name}
        product = upsert(Product, found, key, item.fields, report.products, write=write)
        import_stock(product, item.stock, report, write=write)


def locked(queryset: Any, *, write: bool) -> Any:
    return (queryset.select_for_update() if write else queryset).first()


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


# --- Export -------------------------------------------------------------------
def product_data(product: Product) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": product.name,
        "description": product.description,
        "price": str(quantize(product.price)),
        "unlimited": product.is_unlimited,
    }
    if product.is_unlimited:
        data["value"] = product.unlimited_value
    else:
        data["stock"] = [unit.value for unit in product.unsold]  # type: ignore[attr-defined]
    data.update(
        image=product.image,
        active=product.is_active,
        position=product.position,
        low_stock_threshold=product.low_stock_threshold,
    )
    return data


def export_catalog() -> dict[str, Any]:
    """Return the whole catalog (unsold stock only) in the import format."""
    unsold = Prefetch(
        "stock", StockUnit.objects.filter(sold_at__isnull=True).order_by("id"), to_attr="unsold"
    )
    products = Prefetch(
        "products", Product.objects.order_by("position", "name", "id").prefetch_related(unsold)
    )
    categories = Category.objects.order_by("position", "name", "id").prefetch_related(products)
    return {
        "categories": [
            {
                "name": category.name,
                "position": category.position,
                "active": category.is_active,
                "products": [product_data(product) for product in category.products.all()],
            }
            for category in categories
        ]
    }


def dump_catalog() -> str:
    """Return the catalog as the JSON text ``export_catalog`` writes."""
    return json.dumps(export_catalog(), ensure_ascii=False, indent=2) + "\n"
