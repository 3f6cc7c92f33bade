"""The shop: categories, products, the product card, buying one unit and its receipt."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Category, Product, Purchase
from catalog.selectors import STOCK_SHOWN_MAX, Page, ProductCard
from catalog.services import Quote
from payments.money import format_money
from telegrambot.texts.common import (
    EMPTY,
    MAX_CAPTION,
    MAX_MESSAGE,
    handed_over,
    is_being_prepared,
    user_text,
)
from telegrambot.texts.preorders import PREORDER_LINE

BUY = gettext_lazy("💰 Buy")
ADD_TO_CART = gettext_lazy("🛒 Add to cart")
NOTIFY_ME = gettext_lazy("🔔 Notify me")
STOP_NOTIFYING = gettext_lazy("🔕 Stop notifying")
WILL_NOTIFY = gettext_lazy("You'll be told when it's back.")
STOPPED_NOTIFYING = gettext_lazy("You will not be told when it's back.")
CART = gettext_lazy("🛒 Cart")
SHOP = gettext_lazy("🛍 Shop")
APPLY_PROMO = gettext_lazy("🎟 Apply promo code")
REMOVE_PROMO = gettext_lazy("✖️ Remove promo code")
RATE_ITEM = gettext_lazy("⭐ Rate this item")
PURCHASES = gettext_lazy("🧾 Purchase history")
PROMO_REMOVED = gettext_lazy("Promo code removed.")
SENT_AS_FILE = gettext_lazy("The value is too long for a message and was sent as a file.")

TAG = re.compile(r"<[^>]*>")


def visible_text(text: str) -> str:
    """Return HTML ``text`` as Telegram shows it: tags parsed away, entities unescaped, ends stripped."""
    return html.unescape(TAG.sub("", text)).strip()


def visible_length(text: str) -> int:
    """Return how long Telegram counts HTML ``text`` once parsed: UTF-16 units of the visible text."""
    return len(visible_text(text).encode("utf-16-le")) // 2


def fits_caption(text: str) -> bool:
    return visible_length(text) <= MAX_CAPTION


def fits_message(text: str) -> bool:
    return visible_length(text) <= MAX_MESSAGE


def first_fitting(
    build: Callable[[int], str], limits: Sequence[int], fits: Callable[[str], bool] = fits_message
) -> str:
    """Return ``build(limit)`` for the first limit whose text fits (the last one whatever happens).

    Text people typed is cut shorter and shorter until the message fits:
    emoji count twice towards Telegram's limits, so a length in characters is not enough.
    """
    for limit in limits:
        text = build(limit)
        if fits(text):
            break
    return text


def label(name: str, limit: int = 40) -> str:
    """Return a name shortened for a button (plain text: buttons are not HTML)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


# --- categories and products -------------------------------------------------------
def categories(page: Page[Category]) -> str:
    if not page.items:
        return (
            _("🛍 <b>Shop</b>\n\nThere is nothing for sale yet. Please come back later.")
            if page.number == 1
            else str(EMPTY)
        )
    return _("🛍 <b>Shop</b>\n\nChoose a category:")


def category_button(category: Category) -> str:
    return "📂 " + label(category.name)


def products(category: Category, page: Page[Product]) -> str:
    name = user_text(category.name, limit=100)
    if not page.items:
        if page.number > 1:
            return str(EMPTY)
        return _("📂 <b>%(category)s</b>\n\nThere are no items in this category yet.") % {"category": name}
    return _("📂 <b>%(category)s</b>\n\nChoose an item:") % {"category": name}


def product_button(product: Product) -> str:
    text = "%s · %s" % (label(product.name), format_money(product.price))
    return text if getattr(product, "in_stock", True) else _("%(item)s · sold out") % {"item": text}


# --- the product card ----------------------------------------------------------------
def stock_line(card: ProductCard) -> str:
    if not card.in_stock:
        return _("📦 Sold out")
    if card.stock is None:
        return _("📦 In stock: unlimited")
    if card.stock == 0:
        return _("📦 Sold out")
    count = f"{STOCK_SHOWN_MAX}+" if card.stock > STOCK_SHOWN_MAX else card.stock
    return _("📦 In stock: %(count)s") % {"count": count}


def rating_line(card: ProductCard) -> str:
    if not card.review_count or card.rating is None:
        return _("⭐ No reviews yet")
    return _("⭐ Rating: %(rating)s/5 (%(count)s reviews)") % {
        "rating": card.rating,
        "count": card.review_count,
    }


def card(card: ProductCard, *, promo_code: str | None = None) -> str:
    """The product card: name, description, price, stock, rating, and a promo code waiting to be used."""
    return first_fitting(lambda limit: card_text(card, promo_code, limit), (3000, 1500, 700))


def card_text(card: ProductCard, promo_code: str | None, description_limit: int) -> str:
    product = card.product
    lines = ["<b>%s</b>" % user_text(product.name, limit=100)]
    if product.description.strip():
        lines += ["", user_text(product.description.strip(), limit=description_limit)]
    lines += [
        "",
        _("💰 Price: %(price)s") % {"price": format_money(product.price)},
        stock_line(card),
        rating_line(card),
    ]
    if product.warranty_hours:
        lines.append(warranty_line(product.warranty_hours))
    if not card.in_stock and product.preorders and not product.is_unlimited:
        lines += ["", str(PREORDER_LINE)]
    if promo_code:
        lines += [
            "",
            _("🎟 Promo code %(code)s will be applied when you buy.")
            % {"code": user_text(promo_code, limit=32)},
        ]
    return "\n".join(lines)


def warranty_line(hours: int) -> str:
    return _("🛡 Warranty: %(hours)s h — report a problem from your purchases") % {"hours": hours}


def purchase_warranty_hours(purchase: Purchase) -> int:
    """The warranty a purchase was sold with, in whole hours (0: none)."""
    if purchase.warranty_until is None:
        return 0
    return int((purchase.warranty_until - purchase.created).total_seconds() // 3600)


def card_caption(card: ProductCard) -> str:
    """The short caption of the picture sent above a card too long to be a caption."""
    return "<b>%s</b>\n%s" % (user_text(card.product.name, limit=100), format_money(card.product.price))


def reviews_button(count: int) -> str:
    return _("💬 Reviews (%(count)s)") % {"count": count}


# --- buying one unit -------------------------------------------------------------------
def price_lines(quote: Quote) -> list[str]:
    if not quote.discount:
        return [_("Price: <b>%(price)s</b>") % {"price": format_money(quote.price)}]
    return [
        _("Price: <s>%(list_price)s</s> <b>%(price)s</b>")
        % {"list_price": format_money(quote.list_price), "price": format_money(quote.price)},
        _("Promo code %(code)s: −%(discount)s")
        % {
            "code": user_text(quote.promo.code if quote.promo else "", limit=32),
            "discount": format_money(quote.discount),
        },
    ]


def confirm_buy(quote: Quote, *, balance: Decimal, promo_accepted: bool = False) -> str:
    lines = [_("🎟 Promo code accepted."), ""] if promo_accepted else []
    lines += [
        _("🧾 <b>Confirm the purchase</b>"),
        "",
        _("Item: %(item)s") % {"item": user_text(quote.product.name, limit=100)},
    ]
    lines += price_lines(quote)
    lines += ["", _("It is paid from your balance (%(balance)s).") % {"balance": format_money(balance)}]
    return "\n".join(lines)


def pay_button(price: Decimal) -> str:
    return _("✅ Pay %(price)s") % {"price": format_money(price)}


def receipt(purchase: Purchase, *, with_value: bool = True) -> str:
    """The receipt of one purchase; the delivered value in ``<code>`` unless it goes as a file."""
    text = _(
        "✅ <b>Thank you for your purchase!</b>\n\nOrder: #%(number)s\nItem: %(item)s\nPaid: %(price)s"
    ) % {
        "number": html.escape(purchase.order_number),
        "item": user_text(purchase.product_name, limit=100),
        "price": format_money(purchase.price),
    }
    if purchase_warranty_hours(purchase):
        text += "\n" + warranty_line(purchase_warranty_hours(purchase))
    if not with_value:
        return text + "\n\n" + str(SENT_AS_FILE)
    if is_being_prepared(purchase):
        return text + "\n\n" + handed_over(purchase)
    return text + "\n\n" + _("Your item:") + "\n" + handed_over(purchase)


def purchase_file(purchase: Purchase) -> str:
    """The message before a purchased file the customer asked for in the Mini App."""
    return _("📎 <b>Order #%(number)s</b> · %(item)s\n\nHere is your file again.") % {
        "number": html.escape(purchase.order_number),
        "item": user_text(purchase.product_name, limit=100),
    }


# --- promo codes and money -------------------------------------------------------------
def ask_promo(product: Product) -> str:
    return _(
        "🎟 Send the promo code for <b>%(item)s</b> as a message (letters and digits, up to 32 characters)."
    ) % {"item": user_text(product.name, limit=100)}


def insufficient(*, price: Decimal, balance: Decimal, top_up: Decimal) -> str:
    return _(
        "💸 <b>Not enough money</b>\n\nThe price is %(price)s and your balance is %(balance)s. "
        "Top up by %(top_up)s and come back to buy it."
    ) % {"price": format_money(price), "balance": format_money(balance), "top_up": format_money(top_up)}


def top_up_button(amount: Decimal) -> str:
    return _("💳 Top up %(amount)s") % {"amount": format_money(amount)}


OPEN_PRODUCT = gettext_lazy("🛍 Open the product")


def back_in_stock(product: Product) -> str:
    """The waitlist's notice: the product a customer asked to hear about is for sale again."""
    return _("🔔 <b>%(name)s</b> is back in stock.\n\n💰 Price: %(price)s") % {
        "name": user_text(product.name, limit=100),
        "price": format_money(product.price),
    }
