"""The Mini App's JSON API under ``/app/api/``: each view reads its input, calls one selector or service, answers.

No rule lives here: ownership, stock, prices and money are the services'
business, exactly as for the chat (a cart filled here is the chat's cart).
The only provider call, ``createInvoiceLink``, is made at the edge, after the
service that recorded the pending payment has committed.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import Customer
from catalog import selectors
from catalog import services as catalog
from catalog.selectors import claims as claim_selectors
from catalog.selectors import manual as manual_selectors
from catalog.selectors import storefront
from catalog.services import orders
from payments.models import Payment
from payments.services import start_top_up
from shopbot.errors import NotInCart, PaymentProviderUnavailable
from telegrambot import ratelimit
from telegrambot.miniapp import auth, invoices, present
from telegrambot.miniapp.endpoint import endpoint, error, read_body

Body = dict[str, Any]


@csrf_exempt
@require_POST
def session(request: HttpRequest) -> HttpResponse:
    """Exchange Telegram's initData (once) for a session token."""
    try:
        token, customer = auth.start_session(read_body(request).get("init_data"))
    except auth.ApiRefusal as refusal:
        return error(refusal.status, refusal.code, refusal.message, **refusal.extra)
    return JsonResponse(
        {"token": token, "expires_in": settings.MINIAPP_AUTH_SECONDS, "me": present.customer(customer)}
    )


@endpoint("GET")
def me(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    return {
        "me": present.customer(customer),
        "cart_count": selectors.count_cart_items(customer_id=customer.pk),
    }


@endpoint("GET")
def categories(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    result = selectors.list_categories(page=request.GET.get("page"))
    return present.page(result, [present.category(item) for item in result.items])


@endpoint("GET")
def category_products(
    request: HttpRequest, customer: Customer, body: Body, category_id: int
) -> dict[str, Any]:
    result = selectors.list_products(category_id=category_id, page=request.GET.get("page"))
    storefront.set_stock(result.items)
    storefront.set_ratings(result.items)
    return {
        "category": present.category(result.items[0].category) if result.items else None,
        **present.page(result, [present.product(item) for item in result.items]),
    }


@endpoint("GET")
def search(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    result = storefront.search_products(query=request.GET.get("q"), page=request.GET.get("page"))
    storefront.set_ratings(result.items)
    return present.page(result, [present.product(item) for item in result.items])


@endpoint("GET")
def product(request: HttpRequest, customer: Customer, body: Body, product_id: int) -> dict[str, Any]:
    card = selectors.get_product_card(product_id=product_id)
    reviews = selectors.list_reviews(product_id=product_id, page=request.GET.get("page"))
    # A manual product's checkout questions; the page sends the answers with its quote or invoice.
    questions = (
        manual_selectors.list_questions(product_ids=[card.product.pk]) if card.product.is_manual else []
    )
    found = {**present.card(card, reviews), "questions": [present.question(item) for item in questions]}
    return {"product": found, "reviews_has_next": reviews.has_next}


@endpoint("GET")
def cart(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    return cart_answer(customer)


def cart_answer(customer: Customer) -> dict[str, Any]:
    found = selectors.get_cart(telegram_id=customer.telegram_id)
    # Its manual products' checkout questions; the page sends the answers with the quote or the invoice.
    questions = manual_selectors.list_questions(
        product_ids=[item.product.pk for item in found.items if item.product.is_manual]
    )
    return {"cart": {**present.cart(found), "questions": [present.question(item) for item in questions]}}


@endpoint("POST")
def cart_add(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    catalog.add_to_cart(
        telegram_id=customer.telegram_id, product_id=body.get("product_id"), quantity=body.get("quantity", 1)
    )
    return cart_answer(customer)


@endpoint("POST")
def cart_set(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    catalog.set_cart_quantity(
        telegram_id=customer.telegram_id, product_id=body.get("product_id"), quantity=body.get("quantity")
    )
    return cart_answer(customer)


@endpoint("POST")
def cart_remove(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    if not catalog.remove_from_cart(telegram_id=customer.telegram_id, product_id=body.get("product_id")):
        raise NotInCart()
    return cart_answer(customer)


@endpoint("POST", limit=ratelimit.PROMO)
def cart_promo(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    code = body.get("code")
    catalog.apply_promo_to_cart_line(
        telegram_id=customer.telegram_id,
        product_id=body.get("product_id"),
        code=code if isinstance(code, str) else "",
    )
    return cart_answer(customer)


@endpoint("POST")
def cart_promo_remove(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    catalog.remove_promo_from_cart_line(telegram_id=customer.telegram_id, product_id=body.get("product_id"))
    return cart_answer(customer)


@endpoint("POST")
def cart_quote(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Price the cart for the checkout confirmation; its Pay names the intent this writes."""
    found = catalog.quote_cart(telegram_id=customer.telegram_id, answers=body.get("answers"))
    return {"cart": present.cart(found), "intent_id": found.intent_id}


@endpoint("POST", limit=ratelimit.PURCHASE)
def checkout(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Buy the whole cart from the balance at the total its confirmation showed, once."""
    purchases = catalog.checkout_cart(
        telegram_id=customer.telegram_id, intent_id=intent_of(body), receipt_in_chat=True
    )
    return bought(customer, purchases)


@endpoint("POST")
def buy_quote(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Price one unit for the Buy confirmation; its Pay names the intent this writes."""
    quote = catalog.quote_product(
        telegram_id=customer.telegram_id, product_id=body.get("product_id"), answers=body.get("answers")
    )
    return {"quote": present.quote(quote)}


@endpoint("POST", limit=ratelimit.PURCHASE)
def buy(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Buy the unit its confirmation showed, at that price, once."""
    purchase = catalog.purchase_product(
        telegram_id=customer.telegram_id, intent_id=intent_of(body), receipt_in_chat=True
    )
    return bought(customer, [purchase])


def intent_of(body: Body) -> object:
    # Without an intent the services sell at today's price; the page must always name what it showed.
    intent_id = body.get("intent_id")
    return "" if intent_id is None else intent_id


def bought(customer: Customer, purchases: list[Any]) -> dict[str, Any]:
    customer.refresh_from_db(fields=["balance"])
    return {
        "purchases": [present.purchase(item, telegram_id=customer.telegram_id) for item in purchases],
        "me": present.customer(customer),
    }


@endpoint("GET")
def purchases(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    result = selectors.list_purchases(telegram_id=customer.telegram_id, page=request.GET.get("page"))
    return present.page(result, history(customer, result.items))


@endpoint("GET")
def purchase(request: HttpRequest, customer: Customer, body: Body, purchase_id: int) -> dict[str, Any]:
    found = selectors.get_purchase(telegram_id=customer.telegram_id, purchase_id=purchase_id)
    return {"purchase": history(customer, [found])[0]}


def history(customer: Customer, items: list[Any]) -> list[dict[str, Any]]:
    """Purchases as the history shows them: with their warranty, newest claim and whether one may be opened."""
    states = claim_selectors.get_claim_states(items)
    return [present.purchase(item, telegram_id=customer.telegram_id, state=states[item.pk]) for item in items]


@endpoint("POST", limit=ratelimit.PAYMENT)
def stars_product(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Open a Stars invoice for one unit: the chat's order service, ``createInvoiceLink`` instead of ``sendInvoice``."""
    payment = orders.start_product_order(
        telegram_id=customer.telegram_id, product_id=body.get("product_id"), answers=body.get("answers")
    )
    return invoice(payment)


@endpoint("POST", limit=ratelimit.PAYMENT)
def stars_cart(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Open a Stars invoice for the whole cart at list prices."""
    return invoice(orders.start_cart_order(telegram_id=customer.telegram_id, answers=body.get("answers")))


@endpoint("POST", limit=ratelimit.PAYMENT)
def stars_top_up(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Open a Stars invoice topping up the balance by the amount typed."""
    payment = start_top_up(
        telegram_id=customer.telegram_id, provider=Payment.Provider.STARS, amount=body.get("amount")
    )
    return invoice(payment)


@endpoint("POST", limit=ratelimit.PAYMENT)
def crypto_top_up(request: HttpRequest, customer: Customer, body: Body) -> dict[str, Any]:
    """Open a CryptoPay invoice topping up the balance by the amount typed; the page opens its link."""
    payment = invoices.open_crypto_top_up(telegram_id=customer.telegram_id, amount=body.get("amount"))
    return {"payment_id": payment.pk, "pay_url": payment.pay_url}


@endpoint("POST", limit=ratelimit.PAYMENT)
def crypto_check(request: HttpRequest, customer: Customer, body: Body, payment_id: int) -> dict[str, Any]:
    """Ask CryptoPay whether the customer's invoice is paid, as the chat's "Check payment" does."""
    credit = invoices.check_crypto_payment(payment_id=payment_id, telegram_id=customer.telegram_id)
    customer.refresh_from_db(fields=["balance"])
    return {"status": credit.payment.status, "me": present.customer(customer)}


def invoice(payment: Payment) -> dict[str, Any]:
    link = async_to_sync(invoices.create_link)(invoices.describe(payment))
    if not link:
        raise PaymentProviderUnavailable(provider="Telegram")
    return {"payment_id": payment.pk, "invoice_link": link}


@endpoint("GET")
def order(request: HttpRequest, customer: Customer, body: Body, payment_id: int) -> dict[str, Any]:
    """The state of a Stars order after ``openInvoice``: delivered on ``successful_payment``, in the chat's handler."""
    payment, delivered = storefront.get_order(telegram_id=customer.telegram_id, payment_id=payment_id)
    customer.refresh_from_db(fields=["balance"])
    return {
        "order": present.order(payment, delivered, telegram_id=customer.telegram_id),
        "me": present.customer(customer),
    }
