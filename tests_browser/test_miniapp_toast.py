"""A toast belongs to the screen it was shown on: the next screen starts without it."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.models import Category
from shopbot.test import make_customer, make_product
from tests_browser.conftest import PLAYWRIGHT_MISSING, Steps
from tests_browser.test_miniapp import BUYER, open_app

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect


def test_the_added_to_cart_toast_is_gone_when_the_purchase_screen_or_another_tab_appears(
    page: Any, steps: Steps, telegram: Any
):
    make_customer(BUYER, first_name="Mia", balance="100.00")
    games = Category.objects.create(name="Games")
    key = make_product(games, "Game key", "9.99", units=["AAA-111", "BBB-222"])
    toast = page.locator("#toast")

    open_app(page, telegram, "light")
    page.goto(f"/app/#/p/{key.pk}")
    page.click("#add-to-cart")
    expect(toast).to_have_text("Added to the cart.")
    page.click("#tab-cart")
    expect(page.locator(f"[data-line='{key.pk}']")).to_be_visible()
    # At once, not after the toast's own 2.5 seconds ran out.
    assert not toast.is_visible()
    steps.shot("cart without the toast")

    page.go_back()
    expect(page.locator("#add-to-cart")).to_be_visible()
    page.click("#add-to-cart")
    expect(toast).to_have_text("Added to the cart.")
    page.click("#tg-main-button")  # Buy, on the same page: no navigation
    expect(page.locator("#thanks")).to_be_visible()
    assert not toast.is_visible()
    steps.shot("purchase without the toast")
