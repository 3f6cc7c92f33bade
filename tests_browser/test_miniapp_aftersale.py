"""After the sale in the Mini App, in a phone-sized browser: the warranty, Report a problem, file deliveries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from catalog.models import Category, Claim, Product
from catalog.services import purchase_product
from catalog.services.delivery_files import FileSpec, add_file_stock, set_shared_file
from payments.models import PaymentNotice
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


def test_it_downloads_a_stored_file_and_sends_a_telegram_file_to_the_chat(
    page: Any, steps: Steps, telegram: Any, settings: Any, tmp_path: Any
):
    settings.MEDIA_ROOT = str(tmp_path)
    make_customer(BUYER, first_name="Mia", balance="100.00")
    games = Category.objects.create(name="Games")
    owner = make_customer(settings.OWNER_ID)
    ebook = make_product(games, "E-book", "3.00", delivery=Product.DeliveryKind.FILE)
    add_file_stock(actor=owner, product_id=ebook.pk, files=[FileSpec("book.pdf", 2048, file_id="TG-BOOK")])
    guide = make_product(games, "Guide", "1.00", is_unlimited=True, delivery=Product.DeliveryKind.SHARED_FILE)
    set_shared_file(
        actor=owner, product_id=guide.pk, file=FileSpec("Setup guide.pdf", 4, upload=ContentFile(b"%PDF"))
    )
    ebook_sale = purchase_product(telegram_id=BUYER, product_id=ebook.pk)
    guide_sale = purchase_product(telegram_id=BUYER, product_id=guide.pk)

    open_app(page, telegram, "light")
    page.click("#tab-history")
    stored = page.locator(f"[data-purchase='{guide_sale.pk}']")
    expect(stored.locator(".file-name")).to_have_text("📎 Setup guide.pdf · 4 B")
    expect(page.locator(f"[data-purchase='{ebook_sale.pk}'] .file-name")).to_have_text("📎 book.pdf · 2.0 KB")
    steps.shot("history with files")

    with page.expect_download() as download:
        stored.locator("a.download-file").click()
    assert download.value.suggested_filename == "Setup guide.pdf"
    assert Path(download.value.path()).read_bytes() == b"%PDF"

    page.locator(f"[data-purchase='{ebook_sale.pk}'] button.send-file").click()
    expect(page.locator("#toast")).to_contain_text("on its way to your chat")
    steps.shot("file sent to the chat")
    notice = PaymentNotice.objects.get()
    assert (notice.kind, notice.params) == ("purchase_file", {"purchase": ebook_sale.pk})
