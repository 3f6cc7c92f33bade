"""Admin services on products: create, edit, show or hide, delete."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, requires
from catalog.models import Category, Product, delivery_for
from catalog.services.categories import Deleted
from catalog.services.common import clean_id, clean_int, clean_line, clean_text, lock_unsold_stock
from payments.money import CENT, check_range, parse_amount
from shopbot.errors import CategoryNotFound, InvalidInput, NameTaken, ProductNotFound

PRODUCT_NAME_MAX = 100
DESCRIPTION_MAX = 3000
IMAGE_MAX = 500
UNLIMITED_VALUE_MAX = 4000
# Telegram file ids are URL-safe base64 of a few dozen to a few hundred characters.
FILE_ID = re.compile(r"[A-Za-z0-9_-]{20,300}")
HTTPS_URL = URLValidator(schemes=["https"])


def clean_image(image: object) -> str:
    """Return a Telegram file id or an https URL, or "" for no picture."""
    text = clean_line(image or "", what=_("The picture"), max_length=IMAGE_MAX, min_length=0)
    if not text or FILE_ID.fullmatch(text):
        return text
    try:
        HTTPS_URL(text)
    except ValidationError:
        raise InvalidInput(reason=_("Send the picture itself or an https:// link to it.")) from None
    return text


def clean_price(price: object) -> Decimal:
    return check_range(parse_amount(price), minimum=CENT, maximum=settings.MAX_AMOUNT)


def lock_product(product_id: object) -> Product:
    """Lock a product row (with its category loaded) for an admin change.

    FOR NO KEY UPDATE: a purchase committing meanwhile checks its foreign key
    with a KEY SHARE lock on the product, which this does not block.
    """
    product = (
        Product.objects.select_for_update(of=("self",), no_key=True)
        .select_related("category")
        .filter(pk=clean_id(product_id))
        .first()
    )
    if product is None:
        raise ProductNotFound()
    return product


@requires("manage_catalog")
@transaction.atomic
def save_product(
    *,
    actor: Actor,
    category_id: int,
    name: str,
    price: object,
    description: str = "",
    image: str = "",
    is_unlimited: bool = False,
    unlimited_value: str = "",
    product_id: int | None = None,
) -> Product:
    """Create a product, or edit one (``product_id``), after validating every field.

    Name 1–100 characters, unique in its category ignoring case; description up
    to 3000; price a positive amount with at most two decimals, up to
    MAX_AMOUNT; a ``shared`` product needs the value every buyer receives. A
    ``shared_file`` product's value is its file's name, set with the file
    (``set_shared_file``): it is kept as it is, and empty until then (sold out).
    The kind itself is switched by ``set_delivery_kind``. Audited. Purchases
    already made keep their own snapshot.
    """
    name = clean_line(name, what=_("A product name"), max_length=PRODUCT_NAME_MAX)
    description = clean_text(description, what=_("The description"), max_length=DESCRIPTION_MAX)
    amount = clean_price(price)
    picture = clean_image(image)
    if not isinstance(is_unlimited, bool):
        raise InvalidInput(reason=_("Say whether the product is unlimited."))
    value = clean_text(unlimited_value, what=_("The unlimited value"), max_length=UNLIMITED_VALUE_MAX)
    category = Category.objects.filter(pk=clean_id(category_id, CategoryNotFound)).first()
    if category is None:
        raise CategoryNotFound()
    product = Product() if product_id is None else lock_product(product_id)
    kind = delivery_for(product.delivery, unlimited=is_unlimited)
    if kind == Product.DeliveryKind.SHARED_FILE:
        value = product.unlimited_value  # the shared file's name, or empty until the file is set
    elif kind in (Product.DeliveryKind.MANUAL, Product.DeliveryKind.DYNAMIC):
        value = ""  # staff, or the seller's endpoint, deliver each order
    elif is_unlimited and not value:
        raise InvalidInput(reason=_("An unlimited product needs the value every buyer receives."))
    if Product.objects.filter(category=category, name__iexact=name).exclude(pk=product.pk).exists():
        raise NameTaken(name=name)
    product.category, product.name, product.description, product.price = category, name, description, amount
    product.image, product.is_unlimited, product.unlimited_value = picture, is_unlimited, value
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise NameTaken(name=name) from None
    record_audit(
        actor=actor,
        action="save_product",
        target=product.name,
        details={
            "id": product.pk,
            "category": category.name,
            "price": str(amount),
            "unlimited": is_unlimited,
        },
    )
    return product


@requires("manage_catalog")
@transaction.atomic
def set_product_active(*, actor: Actor, product_id: int, active: bool) -> Product:
    """Show or hide a product in the shop."""
    product = lock_product(product_id)
    product.is_active = bool(active)
    product.save(update_fields=["is_active", "updated"])
    record_audit(actor=actor, action="show_product" if active else "hide_product", target=product.name)
    return product


@requires("manage_catalog")
@transaction.atomic
def delete_product(*, actor: Actor, product_id: int) -> Deleted:
    """Delete a product and its unsold stock; purchases keep their snapshot."""
    units = lock_unsold_stock(product_id=clean_id(product_id))
    product = lock_product(product_id)
    report = Deleted(products=1, units=units)
    record_audit(actor=actor, action="delete_product", target=product.name, details={"units": report.units})
    product.delete()
    return report


WARRANTY_MAX_HOURS = 24 * 365


@requires("manage_catalog")
@transaction.atomic
def set_warranty_hours(*, actor: Actor, product_id: object, hours: object) -> Product:
    """Set how many hours after a sale a buyer may report a problem (0: no warranty).

    Units already sold keep the warranty they were sold with.
    """
    hours = clean_int(hours, minimum=0, maximum=WARRANTY_MAX_HOURS, what=_("The warranty in hours"))
    product = lock_product(product_id)
    product.warranty_hours = hours
    product.save(update_fields=["warranty_hours", "updated"])
    record_audit(actor=actor, action="set_warranty_hours", target=product.name, details={"hours": hours})
    return product


@requires("manage_catalog")
@transaction.atomic
def set_product_hide_when_sold_out(*, actor: Actor, product_id: object, hide: object) -> Product:
    """Say whether the product leaves the lists while sold out (otherwise it shows a "sold out" badge)."""
    if not isinstance(hide, bool):
        raise InvalidInput(reason=_("Say whether the product hides when sold out."))
    product = lock_product(product_id)
    product.hide_when_sold_out = hide
    product.save(update_fields=["hide_when_sold_out", "updated"])  # forgets the cached lists
    record_audit(actor=actor, action="set_hide_when_sold_out", target=product.name, details={"hide": hide})
    return product


@requires("manage_catalog")
@transaction.atomic
def set_product_preorders(*, actor: Actor, product_id: object, preorders: object) -> Product:
    """Say whether the product, sold out, can be pre-ordered (paid now, delivered first on restock).

    Switching it off leaves the open pre-orders in the queue: they are still filled, or cancelled.
    """
    if not isinstance(preorders, bool):
        raise InvalidInput(reason=_("Say whether the product takes pre-orders."))
    product = lock_product(product_id)
    product.preorders = preorders
    product.save(update_fields=["preorders", "updated"])
    record_audit(actor=actor, action="set_preorders", target=product.name, details={"preorders": preorders})
    return product
