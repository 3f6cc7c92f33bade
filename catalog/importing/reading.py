"""Reading a catalog file: parse the JSON and check every value, naming the place of a problem.

Nothing here touches the database; ``read_catalog`` returns plain specs.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from catalog.models import Category, Product, StockUnit
from catalog.services.manual import FULFIL_HOURS_MAX, QUESTIONS_MAX, clean_question
from catalog.services.products import clean_price
from shopbot.errors import AmountOutOfRange, ImportRefused, InvalidAmount, InvalidInput

INT_MAX = 2**31 - 1  # IntegerField and PositiveIntegerField on every database
CATEGORY_KEYS = {"name", "position", "active", "hide_when_sold_out", "products"}
PRODUCT_KEYS = {
    "name", "description", "price", "unlimited", "value", "stock", "image", "active", "position",
    "low_stock_threshold", "delivery", "hide_when_sold_out", "preorders", "fulfil_hours", "questions",
}  # fmt: skip
Kind = Product.DeliveryKind
# No stock units. A dynamic product's endpoint and secret are never in the file: staff set them.
SHARED_KINDS = (Kind.SHARED, Kind.SHARED_FILE, Kind.MANUAL, Kind.DYNAMIC)


def max_length(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length  # type: ignore[return-value]


@dataclass
class ProductSpec:
    name: str
    fields: dict[str, Any]  # model field name -> value, only for keys the file gives
    stock: list[str]
    questions: list[tuple[str, int]] | None = None  # a manual product's; None: left as they are


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


def read_text(value: Any, place: str, *, limit: int, required: bool = True, kind: str = "line") -> str:
    """Read text as the catalog services store it.

    ``kind``: "name" collapses whitespace runs to one space; "line" (a stock
    value, a picture) is trimmed; "text" (a description, a delivered value)
    is trimmed and keeps its line breaks and tabs.
    """
    if not isinstance(value, str):
        raise refuse(place, _("expected text in quotes"))
    if kind == "name":
        text = " ".join(value.split())
    elif kind == "text":
        text = value.replace("\r\n", "\n").strip()
    else:
        text = value.strip()
    if required and not text:
        raise refuse(place, _("must not be empty"))
    if len(text) > limit:
        raise refuse(
            place, _("at most %(max)s characters, got %(length)s") % {"max": limit, "length": len(text)}
        )
    allowed = "\n\t" if kind == "text" else ""
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
    # The same rule as a price typed in the admin: catalog.services.products.clean_price.
    try:
        return clean_price(value)
    except InvalidAmount:
        raise refuse(place, _("expected an amount like 9.99")) from None
    except AmountOutOfRange as error:
        raise refuse(place, str(error)) from None


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
            lambda v, p: read_text(v, p, limit=description, required=False, kind="text"),
        ),
        "price": ("price", read_price),
        "unlimited": ("is_unlimited", read_bool),
        "image": ("image", lambda v, p: read_text(v, p, limit=image, required=False)),
        "active": ("is_active", read_bool),
        "hide_when_sold_out": ("hide_when_sold_out", read_bool),
        "preorders": ("preorders", read_bool),
        "position": ("position", lambda v, p: read_int(v, p, minimum=-INT_MAX - 1)),
        "low_stock_threshold": ("low_stock_threshold", lambda v, p: read_int(v, p, minimum=0)),
        "fulfil_hours": ("fulfil_hours", read_fulfil_hours),
    }


def read_fulfil_hours(value: Any, place: str) -> int:
    hours = read_int(value, place, minimum=1)
    if hours > FULFIL_HOURS_MAX:
        raise refuse(
            place, _("expected a whole number from %(min)s to %(max)s") % {"min": 1, "max": FULFIL_HOURS_MAX}
        )
    return hours


def read_questions(value: Any, place: str) -> list[tuple[str, int]]:
    """Read a manual product's checkout questions: up to three {"label", "max_length"} objects."""
    items = read_list(value, place)
    if len(items) > QUESTIONS_MAX:
        raise refuse(place, _("at most %(maximum)s questions") % {"maximum": QUESTIONS_MAX})
    questions = []
    for index, item in enumerate(items):
        spot = f"{place}[{index}]"
        item = read_object(item, spot, allowed={"label", "max_length"}, required=("label", "max_length"))
        try:
            questions.append(clean_question(item))
        except InvalidInput as error:
            raise refuse(spot, str(error)) from None
    return questions


def read_delivery(data: dict[str, Any], fields: dict[str, Any], place: str) -> str:
    """Read ``delivery`` (left out: ``stock``, or ``shared`` for an unlimited product) against ``unlimited``."""
    if "delivery" not in data:
        kind = Kind.SHARED if fields.get("is_unlimited", False) else Kind.STOCK
        return kind
    kind = data["delivery"]
    if kind not in Kind.values:
        expected = ", ".join(Kind.values)
        raise refuse(f"{place}.delivery", _("expected one of %(kinds)s") % {"kinds": expected})
    unlimited = kind in SHARED_KINDS
    if "is_unlimited" in fields and fields["is_unlimited"] != unlimited:
        raise refuse(f"{place}.unlimited", _("does not match the delivery kind %(kind)s") % {"kind": kind})
    fields["delivery"], fields["is_unlimited"] = kind, unlimited
    return kind


def read_product(data: Any, place: str) -> ProductSpec:
    data = read_object(data, place, allowed=PRODUCT_KEYS, required=("name", "price"))
    name = read_text(data["name"], f"{place}.name", limit=max_length(Product, "name"), kind="name")
    fields = read_optional(data, place, product_readers())
    kind = read_delivery(data, fields, place)
    if kind == Kind.SHARED:
        if "value" not in data:
            raise refuse(f"{place}.value", _("an unlimited product needs the value every buyer receives"))
        fields["unlimited_value"] = read_text(
            data["value"], f"{place}.value", limit=max_length(Product, "unlimited_value"), kind="text"
        )
    elif "value" in data:
        raise refuse(f"{place}.value", _('only a product with "unlimited": true has a value'))
    stock = read_list(data.get("stock", []), f"{place}.stock")
    if kind in SHARED_KINDS and stock:
        raise refuse(f"{place}.stock", _("an unlimited product has no stock units; give its value instead"))
    if kind == Kind.FILE and stock:
        # A file product's units are documents, uploaded in the bot or the web admin, never text lines.
        raise refuse(f"{place}.stock", _("a file product's units are documents; upload them instead"))
    limit = StockUnit._meta.get_field("value").max_length
    values = [read_text(value, f"{place}.stock[{index}]", limit=limit) for index, value in enumerate(stock)]
    questions = read_questions(data["questions"], f"{place}.questions") if "questions" in data else None
    if questions and kind != Kind.MANUAL:
        raise refuse(f"{place}.questions", _('only a product with "delivery": "manual" asks questions'))
    return ProductSpec(name=name, fields=fields, stock=values, questions=questions)


def read_category(data: Any, place: str) -> CategorySpec:
    data = read_object(data, place, allowed=CATEGORY_KEYS, required=("name",))
    name = read_text(data["name"], f"{place}.name", limit=max_length(Category, "name"), kind="name")
    fields = read_optional(data, place, {
        "position": ("position", lambda v, p: read_int(v, p, minimum=-INT_MAX - 1)),
        "active": ("is_active", read_bool),
        "hide_when_sold_out": ("hide_when_sold_out", read_bool),
    })  # fmt: skip
    items = read_list(data.get("products", []), f"{place}.products")
    products = [read_product(item, f"{place}.products[{index}]") for index, item in enumerate(items)]
    check_unique([product.name for product in products], f"{place}.products", _("product"))
    return CategorySpec(name=name, fields=fields, products=products)


def check_unique(names: list[str], place: str, what: str) -> None:
    # Ignoring case, as the catalog services keep names unique.
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name.casefold() in seen:
            raise refuse(
                f"{place}[{index}].name",
                _("the %(what)s %(name)s is already listed at index %(index)s")
                % {
                    "what": what,
                    "name": json.dumps(name[:40], ensure_ascii=False),
                    "index": seen[name.casefold()],
                },
            )
        seen[name.casefold()] = index


def read_catalog(text: str | bytes) -> list[CategorySpec]:
    """Parse and check a catalog file; refuse it with the place of the first problem."""
    data = read_object(load_json(text), "(file)", allowed={"categories"}, required=("categories",))
    items = read_list(data["categories"], "categories")
    categories = [read_category(item, f"categories[{index}]") for index, item in enumerate(items)]
    check_unique([category.name for category in categories], "categories", _("category"))
    return categories
