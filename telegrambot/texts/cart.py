"""The cart: its lines priced today, one line's screen, the checkout and its receipt."""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Product, Purchase
from catalog.selectors import Page
from catalog.services import Cart, CartItem
from payments.money import ZERO, format_money
from telegrambot.texts.catalog import first_fitting, label
from telegrambot.texts.common import EMPTY, handed_over, page_label, user_text

CHECKOUT = gettext_lazy("✅ Checkout")
CLEAR = gettext_lazy("🧹 Clear the cart")
REMOVE = gettext_lazy("🗑 Remove from the cart")
DECREASE = gettext_lazy("➖")
INCREASE = gettext_lazy("➕")
ADDED_NOTHING = gettext_lazy("Your cart is empty.")
REMOVED = gettext_lazy("Removed from the cart.")
CLEARED = gettext_lazy("The cart is empty now.")
PROMO_REMOVED = gettext_lazy("Promo code removed.")
PROMO_ACCEPTED = gettext_lazy("🎟 Promo code accepted.")


def added(product: Product, count: int) -> str:
    """A toast (plain text) after a press of "Add to cart"."""
    return _("Added %(item)s. Items in your cart: %(count)s.") % {
        "item": label(product.name, 60),
        "count": count,
    }


def quantity_label(quantity: int) -> str:
    return "× %s" % quantity


def line_button(item: CartItem) -> str:
    mark = "⚠️ " if item.problem else "✏️ "
    return "%s%s × %s" % (mark, label(item.product.name, 32), item.quantity)


def item_lines(item: CartItem, limit: int = 60) -> list[str]:
    """One cart line: quantity, price, total, the promo code and anything that stops the checkout.

    ``limit`` bounds the name; the refusals, which name the product too, get twice as much.
    """
    lines = [
        "<b>%s</b>" % user_text(item.product.name, limit=limit),
        "%s × %s = <b>%s</b>" % (item.quantity, format_money(item.unit_price), format_money(item.total)),
    ]
    if item.promo is not None and not item.promo_problem:
        lines.append(
            _("🎟 %(code)s: −%(discount)s")
            % {"code": user_text(item.promo.code, limit=32), "discount": format_money(item.discount)}
        )
    if item.promo is not None and item.promo_problem:
        lines.append(
            _("🎟 %(code)s does not apply: %(problem)s")
            % {
                "code": user_text(item.promo.code, limit=32),
                "problem": user_text(item.promo_problem, limit=2 * limit),
            }
        )
    if item.problem:
        lines.append("⚠️ " + user_text(item.problem, limit=2 * limit))
    return lines


def cart(cart: Cart, page: Page[CartItem]) -> str:
    return first_fitting(lambda limit: cart_text(cart, page, limit), (80, 40, 20))


def cart_text(cart: Cart, page: Page[CartItem], limit: int) -> str:
    if cart.is_empty:
        return _("🛒 <b>Your cart</b>\n\nYour cart is empty. Add items from the shop.")
    if not page.items:
        return str(EMPTY)
    title = _("🛒 <b>Your cart</b>")
    if page.has_previous or page.has_next:
        title += " · " + page_label(page.number).lower()
    lines = [title]
    for item in page.items:
        lines += ["", *item_lines(item, limit)]
    lines += [
        "",
        _("Items: %(count)s") % {"count": cart.count},
        _("<b>Total: %(total)s</b>") % {"total": format_money(cart.total)},
    ]
    if not cart.can_checkout:
        lines += ["", _("⚠️ Some items cannot be bought now: change or remove them to check out.")]
    return "\n".join(lines)


def line(item: CartItem, *, notice: str = "") -> str:
    lines = [notice, ""] if notice else []
    lines += [_("🛒 <b>In your cart</b>"), "", *item_lines(item)]
    return "\n".join(lines)


def ask_promo(item: CartItem) -> str:
    return _(
        "🎟 Send the promo code for <b>%(item)s</b> in your cart (letters and digits, up to 32 characters)."
    ) % {"item": user_text(item.product.name, limit=100)}


def checkout_button(total: Decimal) -> str:
    return _("✅ Checkout · %(total)s") % {"total": format_money(total)}


def confirm_checkout(cart: Cart, *, balance: Decimal) -> str:
    if not cart.can_checkout:
        return _(
            "🧾 <b>Checkout</b>\n\nSome items in your cart cannot be bought now. Change or remove them first."
        )
    return _(
        "🧾 <b>Confirm the order</b>\n\n"
        "Items: %(count)s\nTotal: <b>%(total)s</b>\nYour balance: %(balance)s\n\n"
        "Everything is bought at once, or nothing is."
    ) % {"count": cart.count, "total": format_money(cart.total), "balance": format_money(balance)}


def pay_button(total: Decimal) -> str:
    return _("✅ Pay %(total)s") % {"total": format_money(total)}


def receipt(purchases: Sequence[Purchase]) -> str:
    """Every order of a checkout with its value; may be too long for a message (see ``delivery``)."""
    total = sum((purchase.price for purchase in purchases), ZERO)
    lines = [_("✅ <b>Paid %(total)s.</b> Your orders:") % {"total": format_money(total)}]
    for purchase in purchases:
        lines.append(
            "\n#%s · %s · %s\n%s"
            % (
                html.escape(purchase.order_number),
                user_text(purchase.product_name, limit=100),
                format_money(purchase.price),
                handed_over(purchase),
            )
        )
    return "\n".join(lines)


def short_receipt(purchases: Sequence[Purchase]) -> str:
    """The receipt when the values go as a file."""
    total = sum((purchase.price for purchase in purchases), ZERO)
    return _(
        "✅ <b>Paid %(total)s for %(count)s items.</b>\n\n"
        "Your items are too long for a message and were sent as a file. "
        "They are also in your purchase history."
    ) % {"total": format_money(total), "count": len(purchases)}


def rate_button(name: str) -> str:
    return _("⭐ Rate %(item)s") % {"item": label(name, 30)}
