"""After the sale in the Mini App, in a phone-sized browser: the warranty, Report a problem, file deliveries."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.models import Category, Claim
from catalog.services import purchase_product
from shopbot.test import make_customer, make_product
from tests_browser.conftest import PLAYWRIGHT_MISSING, Steps
from tests_browser.test_miniapp import BUYER, open_app

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_it_shows_the_warranty_and_reports_a_problem_from_the_history(
    page: Any, steps: Steps, telegram: Any, theme: str
):
    make_customer(BUYER, first_name="Mia", balance="100.00")
    games = Category.objects.create(name="Games")
    key = make_product(games, "Game key", "9.99", units=["AAA-111", "BBB-222"], warranty_hours=48)
    purchase = purchase_product(telegram_id=BUYER, product_id=key.pk)

    open_app(page, telegram, theme)
    page.goto(f"/app/#/p/{key.pk}")
    expect(page.locator("#warranty")).to_have_text("🛡 Warranty: 48 h — report a problem from your purchases")
    steps.shot(f"{theme} product with warranty")

    page.click("#tab-history")
    line = page.locator(f"[data-purchase='{purchase.pk}']")
    expect(line.locator(".warranty")).to_contain_text("Warranty until")
    steps.shot(f"{theme} history with warranty")

    line.locator("a.report").click()
    expect(page.locator("#claim-form")).to_be_visible()
    page.locator("label.choice", has_text="Already used").click()
    page.fill("#claim-text", "<b>Redeemed</b> before I got it")
    steps.shot(f"{theme} report form")
    page.click("#tg-main-button")

    expect(page.locator("#claim-opened")).to_be_visible()
    claim = Claim.objects.get()
    expect(page.locator("#claim-opened")).to_contain_text(f"#{claim.pk}")
    assert (claim.reason, claim.text) == ("already_used", "<b>Redeemed</b> before I got it")
    steps.shot(f"{theme} claim opened")

    page.click("#tab-history")
    expect(line.locator(f"[data-claim='{claim.pk}']")).to_have_text(f"Claim #{claim.pk}: Open")
    expect(line.locator("a.report")).to_have_count(0)
    steps.shot(f"{theme} history with the claim")
