"""A product staff deliver by hand, bought in the Mini App in a phone-sized browser: its checkout question first."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from accounts.roles import ensure_builtin_roles
from catalog.manual_models import ManualOrder
from catalog.models import Category, Product, Purchase
from catalog.selectors import manual as manual_selectors
from catalog.services import add_to_cart
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.manual import set_product_questions
from shopbot.errors import PermissionDenied
from shopbot.test import make_customer, make_product
from tests_browser.conftest import PLAYWRIGHT_MISSING, Steps
from tests_browser.test_miniapp import BUYER, open_app

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect

ANSWER = "<b>mia</b>@example.com"  # kept and shown as text


def manual_product(owner: Any, category: Category, name: str, questions: list[tuple[str, int]]) -> Product:
    product = make_product(category, name, "7.00", is_unlimited=True)
    set_delivery_kind(actor=owner, product_id=product.pk, kind=Product.DeliveryKind.MANUAL)
    set_product_questions(actor=owner, product_id=product.pk, questions=questions)
    return product


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_it_asks_the_question_refuses_bad_answers_and_buys_an_order_being_prepared(
    page: Any, steps: Steps, telegram: Any, theme: str
):
    ensure_builtin_roles()
    owner = make_customer(settings.OWNER_ID)
    buyer = make_customer(BUYER, first_name="Mia", balance="100.00")
    games = Category.objects.create(name="Games")
    boost = manual_product(owner, games, "Rank boost", [("Your e-mail", 30)])
    problem = page.locator("#answers-problem")

    open_app(page, telegram, theme)
    page.goto(f"/app/#/p/{boost.pk}")
    expect(page.locator("#tg-main-button")).to_contain_text("Buy for")
    page.click("#tg-main-button")
    form = page.locator("#answers-form")
    expect(form.locator("legend")).to_have_text("Rank boost")
    expect(form.locator("label.question")).to_contain_text("Your e-mail")
    expect(page.locator("#answer-0")).to_have_attribute("maxlength", "30")
    expect(page.locator("#tg-main-button")).to_have_text("Continue")
    expect(problem).to_be_hidden()
    steps.shot(f"{theme} the question")

    page.click("#tg-main-button")  # nothing typed: the server's refusal, under the form
    expect(problem).to_have_text("Your e-mail: write an answer.")
    steps.shot(f"{theme} empty answer refused")

    # The field stops typing at 30 characters; a longer value set another way is refused by the server.
    page.locator("#answer-0").evaluate("(input) => { input.value = 'x'.repeat(31); }")
    page.click("#tg-main-button")
    expect(problem).to_have_text("Your e-mail must be at most 30 characters long.")
    assert not Purchase.objects.exists()
    steps.shot(f"{theme} too long answer refused")

    page.fill("#answer-0", ANSWER)
    page.click("#tg-main-button")
    expect(page.locator("#thanks")).to_be_visible()
    purchase = Purchase.objects.get()
    assert "Rank boost" in page.evaluate("window.__confirmed")  # the confirmation came after the answer
    line = page.locator(f"[data-purchase='{purchase.pk}']")
    expect(line.locator(".preparing")).to_contain_text("Being prepared, expected by")
    expect(line.locator(".value")).to_have_count(0)
    steps.shot(f"{theme} bought, being prepared")

    page.click("#tab-history")
    expect(page.locator(f"#purchases [data-purchase='{purchase.pk}'] .preparing")).to_contain_text(
        "Being prepared, expected by"
    )
    steps.shot(f"{theme} history, being prepared")

    # Staff read the answer in their queue; the buyer, without fulfil_orders, may not.
    order = ManualOrder.objects.get()
    waiting = manual_selectors.list_waiting_orders(actor=owner).items
    assert [item.pk for item in waiting] == [order.pk]
    found = manual_selectors.get_order(actor=owner, order_id=order.pk)
    assert found.answers == [{"label": "Your e-mail", "answer": ANSWER}]
    assert found.purchase == purchase
    with pytest.raises(PermissionDenied):
        manual_selectors.get_order(actor=buyer, order_id=order.pk)
    buyer.refresh_from_db()
    assert str(buyer.balance) == "93.00"


def test_the_cart_asks_each_manual_products_questions_and_stars_ask_them_too(
    page: Any, steps: Steps, telegram: Any
):
    owner = make_customer(settings.OWNER_ID)
    make_customer(BUYER, first_name="Mia", balance="100.00")
    games = Category.objects.create(name="Games")
    key = make_product(games, "Game key", "2.00", units=["AAA-111"])
    boost = manual_product(owner, games, "Rank boost", [("Your e-mail", 30), ("Server", 10)])
    portrait = manual_product(owner, games, "Portrait", [("Who is on it?", 50)])
    for product in (key, boost, portrait):
        add_to_cart(telegram_id=BUYER, product_id=product.pk)

    open_app(page, telegram, "light")
    page.click("#tab-cart")
    expect(page.locator("#tg-main-button")).to_contain_text("from the balance")
    page.click("#tg-main-button")
    form = page.locator("#answers-form")
    expect(form.locator("legend")).to_have_text(["Rank boost", "Portrait"])
    page.fill("#answer-0", "cart@example.com")
    page.fill("#answer-1", "EU-West")
    page.click("#tg-main-button")  # the portrait's question is left empty
    expect(page.locator("#answers-problem")).to_have_text("Who is on it?: write an answer.")
    expect(page.locator("#answer-0")).to_have_value("cart@example.com")  # kept to be corrected
    steps.shot("cart questions, one left empty")
    page.fill("#answer-2", "My cat")
    expect(page.locator("#answers-problem")).to_be_hidden()  # typing again clears the refusal
    page.click("#tg-main-button")

    expect(page.locator("#thanks")).to_be_visible()
    expect(page.locator(".preparing")).to_have_count(2)
    expect(page.locator(".value")).to_have_text(["AAA-111"])
    steps.shot("cart bought")
    answers = {
        order.purchase.product_id: order.answers for order in ManualOrder.objects.select_related("purchase")
    }
    assert answers == {
        boost.pk: [
            {"label": "Your e-mail", "answer": "cart@example.com"},
            {"label": "Server", "answer": "EU-West"},
        ],
        portrait.pk: [{"label": "Who is on it?", "answer": "My cat"}],
    }

    page.goto(f"/app/#/p/{portrait.pk}")
    page.click("#pay-stars")
    page.fill("#answer-0", "My dog")
    page.click("#tg-main-button")
    expect(page.locator("#thanks")).to_be_visible()
    expect(page.locator(".preparing")).to_contain_text("Being prepared")
    steps.shot("paid in stars")
    latest = ManualOrder.objects.order_by("-pk").first()
    assert latest.purchase.payment is not None
    assert latest.answers == [{"label": "Who is on it?", "answer": "My dog"}]
