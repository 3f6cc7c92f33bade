"""The admin's catalog: categories, products, and the step-by-step product form."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Category, Product
from catalog.selectors import ProductCard
from catalog.services import Deleted
from payments.money import format_money
from telegrambot.texts.common import page_label, user_text

NEW_CATEGORY = gettext_lazy("➕ New category")
NEW_PRODUCT = gettext_lazy("➕ New product")
RENAME = gettext_lazy("✏️ Rename")
UP = gettext_lazy("⬆️ Up")
DOWN = gettext_lazy("⬇️ Down")
HIDE = gettext_lazy("🙈 Hide")
SHOW = gettext_lazy("👁 Show")
DELETE = gettext_lazy("🗑 Delete")
HIDE_WHEN_SOLD_OUT = gettext_lazy("🫥 Hide when sold out")
SHOW_WHEN_SOLD_OUT = gettext_lazy("🏷 Show when sold out")
TAKE_PREORDERS = gettext_lazy("🕒 Take pre-orders when sold out")
STOP_PREORDERS = gettext_lazy("🚫 Stop taking pre-orders")
YES_DELETE = gettext_lazy("🗑 Yes, delete")
NO = gettext_lazy("✖️ No")
STOCK = gettext_lazy("📦 Stock")
SKIP = gettext_lazy("⏭ Skip")
KIND_STOCK = gettext_lazy("📦 Units from stock")
KIND_UNLIMITED = gettext_lazy("♾ Unlimited")
EDIT_LABELS = {
    "name": gettext_lazy("✏️ Name"),
    "desc": gettext_lazy("✏️ Description"),
    "price": gettext_lazy("✏️ Price"),
    "cat": gettext_lazy("✏️ Category"),
    "image": gettext_lazy("✏️ Picture"),
    "kind": gettext_lazy("✏️ Type"),
    "warranty": gettext_lazy("✏️ Warranty"),
}
HIDDEN_MARK = " 🙈"
AT_THE_EDGE = gettext_lazy("It cannot move further that way.")

ASK_CATEGORY_NAME = gettext_lazy("🗂 Send the category name (1 to 100 characters).")
ASK_WARRANTY = gettext_lazy(
    "🛡 Send the warranty in hours: how long after a sale the buyer may report a problem (0: none)."
)
ASK_NAME = gettext_lazy("✏️ Send the product name (1 to 100 characters, unique in its category).")
ASK_DESCRIPTION = gettext_lazy(
    "📝 Send the description (up to 3000 characters), or press Skip to leave it empty."
)
ASK_PRICE = gettext_lazy("💰 Send the price, a number with at most two decimals, for example 150 or 99.50.")
ASK_IMAGE = gettext_lazy("🖼 Send a photo of the product, or an https:// link to a picture, or press Skip.")
ASK_KIND = gettext_lazy(
    "📦 How is it delivered? <b>Units from stock</b>: each buyer gets one unit you upload. "
    "<b>Unlimited</b>: every buyer gets the same value."
)
ASK_UNLIMITED_VALUE = gettext_lazy(
    "♾ Send the value every buyer receives (a link, a key, a text; up to 4000 characters)."
)
ASK_CHOOSE_CATEGORY = gettext_lazy("🗂 Choose the product's category.")
PHOTO_EXPECTED = gettext_lazy("Send a photo (not a file), an https:// link, or press Skip.")
CHOOSE_WITH_BUTTONS = gettext_lazy("Choose with the buttons above, or press Cancel.")
TEXT_EXPECTED = gettext_lazy("Send the answer as a text message, or press Cancel.")


def visible_name(name: str, is_active: bool, *, limit: int = 40) -> str:
    text = name if len(name) <= limit else name[: limit - 1] + "…"
    return text if is_active else text + HIDDEN_MARK


def categories(number: int, *, empty: bool) -> str:
    text = _("🗂 <b>Catalog</b>\n\nChoose a category to manage its products. 🙈 marks hidden ones.")
    if empty:
        text += "\n\n" + _("There are no categories yet.")
    return text + "\n" + page_label(number) if number > 1 else text


def category(item: Category, *, empty: bool) -> str:
    state = _("shown in the shop") if item.is_active else _("hidden from the shop")
    text = _("🗂 <b>%(name)s</b> (%(state)s), place %(place)s in the shop") % {
        "name": user_text(item.name),
        "state": state,
        "place": item.position + 1,
    }
    text += "\n" + (
        _("Sold-out products are hidden from the lists, and the category once all are.")
        if item.hide_when_sold_out
        else _("Sold-out products are listed with a “sold out” badge.")
    )
    return text + "\n\n" + (_("No products yet.") if empty else _("Choose a product:"))


def product_button(product: Product) -> str:
    return visible_name(product.name, product.is_active) + " · " + format_money(product.price)


def product(card: ProductCard) -> str:
    item = card.product
    kind = _("unlimited") if item.is_unlimited else _("%(count)s units in stock") % {"count": card.stock}
    if item.is_manual:
        kind = _("by hand, within %(hours)s h") % {"hours": item.fulfil_hours}
    state = _("shown") if item.is_active and card.category.is_active else _("hidden")
    lines = [
        _("📦 <b>%(name)s</b>") % {"name": user_text(item.name, limit=100)},
        _("Category: %(name)s") % {"name": user_text(card.category.name)},
        _("Price: %(price)s") % {"price": format_money(item.price)},
        _("Delivery: %(kind)s") % {"kind": kind},
        _("Picture: %(state)s") % {"state": _("yes") if item.image else _("none")},
        _("Warranty: %(hours)s h") % {"hours": item.warranty_hours},
        _("In the shop: %(state)s") % {"state": state},
        _("When sold out: %(state)s") % {"state": sold_out_state(item)},
    ]
    if not item.is_unlimited:
        lines.append(
            _("Pre-orders: %(state)s") % {"state": _("taken while sold out") if item.preorders else _("off")}
        )
    if item.description:
        lines += ["", user_text(item.description, limit=1500)]
    return "\n".join(lines)


def sold_out_state(item: Product) -> str:
    if item.hide_when_sold_out:
        return _("hidden from the lists")
    if item.category.hide_when_sold_out:
        return _("hidden from the lists (the category's setting)")
    return _("listed with a “sold out” badge")


def confirm_delete_category(item: Category, deleted: Deleted) -> str:
    return _(
        "🗑 Delete the category <b>%(name)s</b>?\n\n"
        "With it go %(products)s products and %(units)s unsold units. "
        "Purchases keep their history. This cannot be undone."
    ) % {"name": user_text(item.name), "products": deleted.products, "units": deleted.units}


def confirm_delete_product(card: ProductCard) -> str:
    units = 0 if card.stock is None else card.stock
    return _(
        "🗑 Delete the product <b>%(name)s</b>?\n\n"
        "With it go %(units)s unsold units. Purchases keep their history. This cannot be undone."
    ) % {"name": user_text(card.product.name, limit=100), "units": units}


def category_deleted(deleted: Deleted) -> str:
    return _("🗑 Deleted, with %(products)s products and %(units)s unsold units.") % {
        "products": deleted.products,
        "units": deleted.units,
    }


def product_deleted(deleted: Deleted) -> str:
    return _("🗑 Deleted, with %(units)s unsold units.") % {"units": deleted.units}


def draft_step(number: int, total: int, question: object) -> str:
    return (
        _("New product, step %(number)s of %(total)s") % {"number": number, "total": total}
        + "\n\n"
        + str(question)
    )


def product_created(item: Product) -> str:
    return _("✅ The product <b>%(name)s</b> is created.") % {"name": user_text(item.name, limit=100)}
