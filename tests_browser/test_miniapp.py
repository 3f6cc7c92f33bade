"""The Mini App in a phone-sized browser, light and dark: find, buy and receive a key; pay with Stars.

Telegram's ``telegram-web-app.js`` is answered by the simulator's stand-in
(``static/miniapp/simulated-telegram.js``) with initData signed for the test user; its
``openInvoice`` asks the test to pay, which sends the pre-checkout query and
``successful_payment`` to the shop's real bot on the fake Telegram, as Telegram would.
"""

from __future__ import annotations

import asyncio
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from catalog.importing import load_demo_catalog
from catalog.models import Product, Purchase
from payments.models import Payment
from payments.money import format_money
from payments.testing.fake_cryptopay import FakeCryptoPay
from shopbot.test import make_customer
from telegrambot.miniapp.tests.helpers import signed_init_data
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.driver import Shop
from tests_browser.conftest import PLAYWRIGHT_MISSING, Steps

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect

PHONE = {"width": 390, "height": 844}
STUB = (Path(settings.BASE_DIR) / "telegrambot" / "static" / "miniapp" / "simulated-telegram.js").read_text()
THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#8a8a8e",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f1f1f4",
        "destructive_text_color": "#d9534f",
    },
    "dark": {
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c",
        "destructive_text_color": "#ec3942",
    },
}
BUYER = 8101


def pay_in_the_bot(telegram: FakeTelegram, link: str) -> bool:
    """Do what Telegram does once the user pays: pre-checkout, then successful_payment, to the real bot."""
    invoice = telegram.invoice_links[link]
    total = invoice["prices"][0]["amount"]
    answers: list[Any] = []

    async def pay() -> None:
        shop = Shop(telegram)
        await shop.start()
        user = await shop.user(BUYER)
        answers.append(
            await user.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=total)
        )
        await user.successful_payment(payload=invoice["payload"], currency="XTR", total_amount=total)
        await shop.stop()
        await sync_to_async(connections.close_all)()  # the database is dropped after the test

    worker = threading.Thread(target=lambda: asyncio.run(pay()))
    worker.start()
    worker.join(30)
    return bool(answers and answers[0]["ok"])


def open_app(page: Any, telegram: FakeTelegram, theme: str) -> None:
    setup = {
        "initData": signed_init_data(BUYER, first_name="Mia", language_code="en"),
        "colorScheme": theme,
        "themeParams": THEMES[theme],
        "user": BUYER,
        "payUrl": "/stub-telegram/pay",
    }
    body = f"window.SIMULATED_TELEGRAM = {json.dumps(setup)};\n{STUB}"
    page.route(
        "https://telegram.org/js/telegram-web-app.js",
        lambda route: route.fulfill(body=body, content_type="application/javascript"),
    )

    def pay(route: Any) -> None:
        link = parse_qs(route.request.post_data)["link"][0]
        route.fulfill(json={"error": "" if pay_in_the_bot(telegram, link) else "declined"})

    page.route("**/stub-telegram/pay*", pay)
    page.set_viewport_size(PHONE)
    page.goto("/app/")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_it_finds_buys_from_the_balance_and_shows_the_key(page: Any, steps: Steps, telegram: Any, theme: str):
    load_demo_catalog()
    make_customer(BUYER, first_name="Mia", balance="5000.00")
    product = Product.objects.filter(is_unlimited=False, stock__sold_at__isnull=True).order_by("pk").first()
    view = page.locator("#view")

    open_app(page, telegram, theme)
    expect(page.locator("#categories")).to_be_visible()
    steps.shot(f"{theme} categories")

    page.locator("#categories a", has_text=product.category.name).click()
    expect(page.locator(f"#products [data-product='{product.pk}']")).to_be_visible()
    steps.shot(f"{theme} category")

    page.fill("#search", product.name.split()[0])
    page.press("#search", "Enter")
    expect(page.locator(f"#products [data-product='{product.pk}']")).to_be_visible()
    steps.shot(f"{theme} search")

    page.locator(f"#products [data-product='{product.pk}']").click()
    expect(view.locator("h1")).to_have_text(product.name)
    expect(page.locator("#tg-main-button")).to_contain_text("Buy for")
    expect(page.locator("#tg-back-button")).to_be_visible()
    steps.shot(f"{theme} product")

    page.click("#add-to-cart")
    expect(page.locator("#cart-count")).to_have_text("1")
    page.click("#tab-cart")
    expect(page.locator(f"[data-line='{product.pk}']")).to_be_visible()
    expect(page.locator("#tg-main-button")).to_contain_text("from the balance")
    steps.shot(f"{theme} cart")

    page.click("#tg-main-button")
    expect(page.locator("#thanks")).to_be_visible()
    purchase = Purchase.objects.get(buyer__telegram_id=BUYER)
    expect(page.locator(f"[data-purchase='{purchase.pk}'] .value")).to_have_text(purchase.value)
    steps.shot(f"{theme} key shown")

    page.click("#tab-history")
    expect(page.locator("#purchases")).to_contain_text(purchase.value)
    page.click("#tab-balance")
    expect(page.locator("#balance")).to_contain_text(str(Decimal("5000.00") - purchase.price))
    steps.shot(f"{theme} balance")


def test_it_buys_from_the_product_page_once_at_the_quoted_price(page: Any, steps: Steps, telegram: Any):
    load_demo_catalog()
    make_customer(BUYER, first_name="Mia", balance="5000.00")
    product = Product.objects.filter(is_unlimited=False, stock__sold_at__isnull=True).order_by("pk").first()

    open_app(page, telegram, "light")
    page.goto(f"/app/#/p/{product.pk}")
    expect(page.locator("#tg-main-button")).to_contain_text("Buy for")
    page.locator("#tg-main-button").dblclick()  # an impatient double press

    expect(page.locator("#thanks")).to_be_visible()
    purchase = Purchase.objects.get(buyer__telegram_id=BUYER)
    expect(page.locator(f"[data-purchase='{purchase.pk}'] .value")).to_have_text(purchase.value)
    assert format_money(purchase.price) in page.evaluate("window.__confirmed")  # the server's quote
    steps.shot("bought on the product page")


def test_it_pays_a_product_with_stars_and_shows_the_key(page: Any, steps: Steps, telegram: Any):
    load_demo_catalog()
    make_customer(BUYER, first_name="Mia")
    product = Product.objects.filter(is_unlimited=False, stock__sold_at__isnull=True).order_by("pk").first()

    open_app(page, telegram, "light")
    page.goto(f"/app/#/p/{product.pk}")
    expect(page.locator("#pay-stars")).to_be_visible()
    steps.shot("product with stars")

    page.click("#pay-stars")
    expect(page.locator("#thanks")).to_be_visible()
    purchase = Purchase.objects.get(buyer__telegram_id=BUYER)
    expect(page.locator(f"[data-purchase='{purchase.pk}'] .value")).to_have_text(purchase.value)
    steps.shot("paid in stars")
    receipts = [message.text for message in telegram.bot_messages(BUYER)]
    assert any(purchase.value in text for text in receipts), receipts


def test_it_tops_up_with_cryptopay_through_its_invoice_link(
    page: Any, steps: Steps, telegram: Any, settings: Any
):
    make_customer(BUYER, first_name="Mia")
    with FakeCryptoPay() as cryptopay:
        settings.CRYPTO_PAY_API_URL = cryptopay.url
        settings.CRYPTO_PAY_TOKEN = cryptopay.token

        open_app(page, telegram, "dark")
        page.click("#tab-balance")
        page.fill("#amount", "25")
        page.click("#top-up-crypto")
        expect(page.locator("#crypto-invoice")).to_be_visible()
        payment = Payment.objects.get(customer__telegram_id=BUYER)
        assert page.evaluate("window.__opened") == payment.pay_url  # opened in Telegram, not in the page
        steps.shot("cryptopay invoice opened")

        page.click("#check-payment")
        expect(page.locator("#toast")).to_contain_text("not paid yet")
        cryptopay.mark_paid(int(payment.external_id))
        page.click("#check-payment")

        expect(page.locator("#balance")).to_contain_text("25.00")
        expect(page.locator("#toast")).to_have_text(
            "Paid. Your balance was topped up."
        )  # drawn after the screen
        steps.shot("cryptopay credited")


def test_it_refuses_a_page_opened_without_telegrams_signature(page: Any, steps: Steps, telegram: Any):
    page.route(
        "https://telegram.org/js/telegram-web-app.js",
        lambda route: route.fulfill(body="", content_type="application/javascript"),
    )
    page.set_viewport_size(PHONE)

    page.goto("/app/")

    expect(page.locator("#refusal")).to_contain_text("Could not sign you in")
    steps.shot("no signature")


def test_it_opens_in_the_simulators_panel_and_pays_with_simulated_stars(
    simulator: Any, staff_page: Any, steps: Steps
) -> None:
    load_demo_catalog()
    product = Product.objects.filter(is_unlimited=False, stock__sold_at__isnull=True).order_by("pk").first()
    chat = staff_page
    chat.set_viewport_size(PHONE)
    chat.goto("/simulator/?as=new-1")
    expect(chat.locator("#persona")).to_be_visible()
    chat.click("#start")
    expect(chat.locator("#messages")).to_contain_text("Choose a section")

    chat.click("#open-shop")
    app = chat.frame_locator("#miniapp-frame")
    expect(app.locator("#categories")).to_be_visible()
    steps.shot("panel")

    app.locator("#categories a", has_text=product.category.name).click()
    app.locator(f"[data-product='{product.pk}']").click()
    app.locator("#pay-stars").click()
    expect(app.locator("#thanks")).to_be_visible()
    purchase = Purchase.objects.get(product=product)
    expect(app.locator(f"[data-purchase='{purchase.pk}'] .value")).to_have_text(purchase.value)
    steps.shot("paid in the panel")

    chat.click("#miniapp-close")
    expect(chat.locator("#messages")).to_contain_text(purchase.value)  # the chat's receipt
    steps.shot("receipt in the chat")
