"""Admin services on categories: create, rename, show or hide, reorder, delete."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, requires
from catalog.cache import forget_catalog
from catalog.models import Category, Product
from catalog.services.common import clean_id, clean_line, lock_unsold_stock
from shopbot.errors import CategoryNotFound, InvalidInput, NameTaken

CATEGORY_NAME_MAX = 100  # as the seed bot stores: a 74-character Russian name is ordinary


@dataclass(frozen=True)
class Deleted:
    """What a delete took with it."""

    products: int
    units: int


def lock_category(category_id: object) -> Category:
    category = Category.objects.select_for_update().filter(pk=clean_id(category_id, CategoryNotFound)).first()
    if category is None:
        raise CategoryNotFound()
    return category


@requires("manage_catalog")
@transaction.atomic
def save_category(*, actor: Actor, name: str, category_id: int | None = None) -> Category:
    """Create a category at the end of the list, or rename one; names are unique ignoring case."""
    name = clean_line(name, what=_("A category name"), max_length=CATEGORY_NAME_MAX)
    if category_id is None:
        last = Category.objects.aggregate(last=Max("position"))["last"]
        category = Category(position=0 if last is None else last + 1)
    else:
        category = lock_category(category_id)
    if Category.objects.filter(name__iexact=name).exclude(pk=category.pk).exists():
        raise NameTaken(name=name)
    old_name, category.name = category.name, name
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        # Another admin created the same name a moment ago.
        raise NameTaken(name=name) from None
    details = {"renamed_from": old_name} if category_id is not None else {}
    record_audit(actor=actor, action="save_category", target=category.name, details=details)
    return category


@requires("manage_catalog")
@transaction.atomic
def set_category_active(*, actor: Actor, category_id: int, active: bool) -> Category:
    """Show or hide a category (and so all its products) in the shop."""
    category = lock_category(category_id)
    category.is_active = bool(active)
    category.save(update_fields=["is_active"])
    record_audit(actor=actor, action="show_category" if active else "hide_category", target=category.name)
    return category


@requires("manage_catalog")
@transaction.atomic
def move_category(*, actor: Actor, category_id: int, direction: str) -> Category:
    """Move a category one place ``"up"`` or ``"down"`` in the shop's order.

    Locks every category row: positions are renumbered 0..n-1, because equal
    positions (the default) cannot be swapped. Categories are few.
    """
    if direction not in ("up", "down"):
        raise InvalidInput(reason=_("Move a category up or down."))
    category_id = clean_id(category_id, CategoryNotFound)
    ordered = list(Category.objects.select_for_update().order_by("position", "name", "id"))
    index = next((i for i, category in enumerate(ordered) if category.pk == category_id), None)
    if index is None:
        raise CategoryNotFound()
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    changed = []
    for position, category in enumerate(ordered):
        if category.position != position:
            category.position = position
            changed.append(category)
    Category.objects.bulk_update(changed, ["position"])
    forget_catalog()  # bulk_update sends no post_save
    moved = next(category for category in ordered if category.pk == category_id)
    record_audit(actor=actor, action="move_category", target=moved.name, details={"direction": direction})
    return moved


@requires("manage_catalog")
@transaction.atomic
def delete_category(*, actor: Actor, category_id: int) -> Deleted:
    """Delete a category with its products and their unsold stock; return what went with it.

    Purchases keep their history: their product link becomes empty and the
    snapshot (name, price, value) stays.
    """
    units = lock_unsold_stock(product__category_id=clean_id(category_id, CategoryNotFound))
    category = lock_category(category_id)
    report = Deleted(products=Product.objects.filter(category=category).count(), units=units)
    record_audit(
        actor=actor,
        action="delete_category",
        target=category.name,
        details={"products": report.products, "units": report.units},
    )
    category.delete()
    return report


@requires("manage_catalog")
@transaction.atomic
def set_category_hide_when_sold_out(*, actor: Actor, category_id: object, hide: object) -> Category:
    """Say whether the category's sold-out products leave the lists, and the category once all have."""
    if not isinstance(hide, bool):
        raise InvalidInput(reason=_("Say whether the category hides when sold out."))
    category = lock_category(category_id)
    category.hide_when_sold_out = hide
    category.save(update_fields=["hide_when_sold_out"])  # forgets the cached lists
    record_audit(
        actor=actor, action="set_category_hide_when_sold_out", target=category.name, details={"hide": hide}
    )
    return category
