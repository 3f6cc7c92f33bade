"""Products written step by step in the admin menu: each answer checked, one field edited at a time.

The bot keeps a draft (the answers so far) while the admin types; nothing is
written until the last step calls ``save_product``. Each step re-checks the
actor's permission, so a draft cannot outlive the permission that began it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import requires
from catalog.models import Category, Product
from catalog.services.common import clean_id, clean_int, clean_line, clean_text
from catalog.services.products import (
    DESCRIPTION_MAX,
    PRODUCT_NAME_MAX,
    UNLIMITED_VALUE_MAX,
    WARRANTY_MAX_HOURS,
    clean_image,
    clean_price,
    lock_product,
    save_product,
)
from shopbot.errors import CategoryNotFound, InvalidInput, NameTaken

# What edit_product may change, as save_product's keywords.
EDITABLE = ("name", "description", "price", "category_id", "image", "is_unlimited", "unlimited_value")


@requires("manage_catalog")
def check_product_field(
    *, actor: Actor, field: str, value: object, category_id: int | None = None, product_id: int | None = None
) -> Any:
    """Return one answer of a product draft, cleaned as ``save_product`` will clean it.

    A name is also checked against the other products of ``category_id``.
    Prices come back as text, so the draft stays plain JSON.
    """
    if field == "name":
        name = clean_line(value, what=_("A product name"), max_length=PRODUCT_NAME_MAX)
        taken = Product.objects.filter(category_id=category_id, name__iexact=name)
        if product_id is not None:
            taken = taken.exclude(pk=product_id)
        if category_id is not None and taken.exists():
            raise NameTaken(name=name)
        return name
    if field == "description":
        return clean_text(value, what=_("The description"), max_length=DESCRIPTION_MAX)
    if field == "price":
        return str(clean_price(value))
    if field == "category":
        category_id = clean_id(value, CategoryNotFound)
        if not Category.objects.filter(pk=category_id).exists():
            raise CategoryNotFound()
        return category_id
    if field == "image":
        return clean_image(value)
    if field == "warranty_hours":
        return clean_int(value, minimum=0, maximum=WARRANTY_MAX_HOURS, what=_("The warranty in hours"))
    if field == "unlimited_value":
        text = clean_text(value, what=_("The unlimited value"), max_length=UNLIMITED_VALUE_MAX)
        if not text:
            raise InvalidInput(reason=_("An unlimited product needs the value every buyer receives."))
        return text
    raise InvalidInput(reason=_("Unknown field."))


@requires("manage_catalog")
@transaction.atomic
def edit_product(*, actor: Actor, product_id: int, **changes: Any) -> Product:
    """Change some fields of a product, keeping the others as they are now.

    Holds the product's row lock while reading the current values, so a
    concurrent edit of another field is not undone.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(reason=_("Unknown field."))
    product = lock_product(product_id)
    current = {
        "category_id": product.category_id,
        "name": product.name,
        "description": product.description,
        "price": product.price,
        "image": product.image,
        "is_unlimited": product.is_unlimited,
        "unlimited_value": product.unlimited_value,
    }
    merged = {**current, **changes}
    if not merged["is_unlimited"]:
        merged["unlimited_value"] = ""  # stock-based goods deliver their units, not a shared value
    return save_product(actor=actor, product_id=product.pk, **merged)
