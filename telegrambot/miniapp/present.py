"""The JSON the Mini App's script reads: loaded objects as plain dicts, money as strings, never a float."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import Customer
from catalog.models import Category, Claim, Product, Purchase, Review
from catalog.selectors import Page, ProductCard
from catalog.selectors.claims import ClaimState
from catalog.selectors.manual import Question
from catalog.services import Cart, CartItem, Quote
from payments.models import Payment
from payments.money import format_money
from telegrambot.miniapp import images
from telegrambot.texts.catalog import warranty_line

DOWNLOAD_SALT = "shopbot.miniapp.download"
FILE_SALT = "shopbot.miniapp.file"
DOWNLOAD_SECONDS = 10 * 60
# Values longer than this are offered as a download rather than shown on the page.
SHOWN_VALUE_MAX = 600


def money(amount: Any) -> dict[str, str]:
    return {"amount": str(amount), "text": format_money(amount)}


def page(result: Page[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "items": items,
        "page": result.number,
        "has_next": result.has_next,
        "has_previous": result.has_previous,
    }


def image(product: Product) -> str:
    # An https address as it is; a Telegram file id through the app's own image view; never plain http.
    if product.image.startswith("https://"):
        return product.image
    return images.image_url(product) if images.is_file_id(product.image) else ""


def category(item: Category) -> dict[str, Any]:
    return {"id": item.pk, "name": item.name}


def product(item: Product) -> dict[str, Any]:
    stock = getattr(item, "shown_stock", None)
    return {
        "id": item.pk,
        "name": item.name,
        "category": item.category.name,
        "price": money(item.price),
        "image": image(item),
        "unlimited": item.is_unlimited,
        "stock": stock,
        "in_stock": bool(getattr(item, "in_stock", False)),
        "rating": None if getattr(item, "rating", None) is None else str(item.rating),
        "review_count": getattr(item, "review_count", 0),
    }


def card(found: ProductCard, reviews: Page[Review]) -> dict[str, Any]:
    return {
        **product(found.product),
        "description": found.product.description,
        # The chat card's line, word for word.
        "warranty": warranty_line(found.product.warranty_hours) if found.product.warranty_hours else "",
        "stock": found.stock,
        "in_stock": found.in_stock,
        # Sold out with pre-orders on: the card offers Pre-order (paid from the balance in the chat).
        "preorder": not found.in_stock and found.product.preorders and not found.product.is_unlimited,
        "rating": None if found.rating is None else str(found.rating),
        "review_count": found.review_count,
        "reviews": [review(item) for item in reviews.items],
    }


def review(item: Review) -> dict[str, Any]:
    author = item.customer.first_name or item.customer.username or "—"
    return {
        "rating": item.rating,
        "text": item.text,
        "author": author,
        "date": item.created.date().isoformat(),
    }


def cart(found: Cart) -> dict[str, Any]:
    return {
        "items": [cart_item(item) for item in found.items],
        "total": money(found.total),
        "list_total": money(found.list_total),
        "count": found.count,
        "can_checkout": found.can_checkout,
    }


def quote(found: Quote) -> dict[str, Any]:
    return {
        "intent_id": found.intent_id,
        "product_id": found.product.pk,
        "name": found.product.name,
        "price": money(found.price),
    }


def cart_item(item: CartItem) -> dict[str, Any]:
    return {
        "product_id": item.product.pk,
        "name": item.product.name,
        "image": image(item.product),
        "quantity": item.quantity,
        "unit_price": money(item.unit_price),
        "discount": money(item.discount),
        "total": money(item.total),
        "promo": item.promo.code if item.promo else "",
        "promo_problem": item.promo_problem,
        "problem": item.problem,
    }


def customer(found: Customer) -> dict[str, Any]:
    return {
        "id": found.telegram_id,
        "name": found.first_name or found.username,
        "language": found.language,
        "balance": money(found.balance),
        "stars": settings.STARS_PER_VALUE > 0,
        "crypto": bool(settings.CRYPTO_PAY_TOKEN),
    }


def purchase(item: Purchase, *, telegram_id: int, state: ClaimState | None = None) -> dict[str, Any]:
    """A purchase with its value (or a short-lived signed download link when it is long), its warranty and claim."""
    long = len(item.value) > SHOWN_VALUE_MAX
    return {
        "id": item.pk,
        "order_number": item.order_number,
        "product": item.product_name,
        "price": money(item.price),
        "date": item.created.isoformat(),
        "value": "" if long else item.value,
        "download": download_link(item, telegram_id=telegram_id) if long else "",
        "warranty_until": item.warranty_until.isoformat() if item.warranty_until else None,
        "can_claim": state is not None and not state.refusal,
        "claim_refusal": state.refusal if state is not None else "",
        "claim": claim(state.claim) if state is not None and state.claim is not None else None,
        "file": delivered_file(item, telegram_id=telegram_id),
        # A manual order staff have not delivered yet: when it is due (empty otherwise).
        "preparing_until": item.fulfil_by.isoformat() if preparing(item) else "",
    }


def delivered_file(item: Purchase, *, telegram_id: int) -> dict[str, Any] | None:
    """The file a purchase delivered: a signed download of the stored file, or Send to chat for a Telegram one."""
    sold = item.file  # loaded with the purchase
    if sold is None:
        return None
    stored = bool(sold.upload)
    return {
        "name": sold.name,
        "size": sold.size,
        "download": signed_link("miniapp:file", FILE_SALT, item, telegram_id) if stored else "",
        "send_to_chat": not stored,
    }


def claim(item: Claim) -> dict[str, Any]:
    return {"id": item.pk, "status": item.status, "status_text": str(item.get_status_display())}


def preparing(item: Purchase) -> bool:
    return item.fulfil_by is not None and not item.value and item.file_id is None and item.refunded_at is None


def question(item: Question) -> dict[str, Any]:
    return {"product_id": item.product_id, "label": item.label, "max_length": item.max_length}


def download_link(item: Purchase, *, telegram_id: int) -> str:
    return signed_link("miniapp:download", DOWNLOAD_SALT, item, telegram_id)


def signed_link(view: str, salt: str, item: Purchase, telegram_id: int) -> str:
    """A link to ``view`` for this purchase and buyer, good for ``DOWNLOAD_SECONDS``."""
    token = signing.TimestampSigner(salt=salt).sign_object({"p": item.pk, "u": telegram_id})
    return reverse(view, args=[token])


def read_download_link(token: str, *, salt: str = DOWNLOAD_SALT) -> tuple[int, int]:
    """Return (purchase id, telegram id) of a link signed less than ``DOWNLOAD_SECONDS`` ago."""
    data = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=DOWNLOAD_SECONDS)
    return int(data["p"]), int(data["u"])


def order(payment: Payment, purchases: list[Purchase], *, telegram_id: int) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "status": payment.status,
        "purchases": [purchase(item, telegram_id=telegram_id) for item in purchases],
    }
