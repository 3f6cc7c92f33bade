"""The web admin and the dashboard in a browser: a staff member's day."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils.timezone import localdate

from accounts.models import Customer
from accounts.services import register_customer
from catalog.importing import load_demo_catalog
from catalog.models import Product, StockUnit
from catalog.services import purchase_product
from payments.services import adjust_balance
from tests_browser.conftest import PLAYWRIGHT_MISSING, STAFF_PASSWORD, Steps

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect


def success(page: Any) -> Any:
    return page.locator("ul.messagelist li.success")


def test_it_runs_the_catalog_balances_and_exports_from_the_admin(page: Any, staff: Any, steps: Steps) -> None:
    register_customer(telegram_id=5551001, username="alice", first_name="Alice")

    page.goto("/admin/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    steps.shot("signed in")

    page.goto("/admin/catalog/category/add/")
    page.fill("#id_name", "Gift cards")
    page.click("input[name=_save]")
    expect(success(page)).to_contain_text("Gift cards")
    steps.shot("category added")

    page.goto("/admin/catalog/product/add/")
    page.locator("#id_category + .select2").click()  # the admin's autocomplete widget
    page.locator(".select2-search__field").fill("Gift")
    page.locator(".select2-results__option", has_text="Gift cards").click()
    page.fill("#id_name", "Store card 500")
    page.fill("#id_description", "A gift card for the store.")
    page.fill("#id_price", "500")
    page.click("input[name=_continue]")
    expect(success(page)).to_contain_text("Store card 500")
    steps.shot("product added")

    page.get_by_role("link", name="Upload stock").click()
    page.fill("textarea[name=values]", "CARD-0001\nCARD-0002\nCARD-0002\n")
    page.click("input[name=preview]")
    expect(page.locator("#content")).to_contain_text("2 new units will be added")
    steps.shot("stock preview")
    page.click("input[name=add]")
    expect(success(page)).to_contain_text("Added 2 units")
    steps.shot("stock added")
    product = Product.objects.get(name="Store card 500")
    assert StockUnit.objects.filter(product=product).count() == 2

    page.goto("/admin/accounts/customer/")
    page.locator("tr", has_text="alice").locator("input.action-select").check()
    page.select_option("select[name=action]", label="Credit balance…")
    page.click("button[name=index]")
    page.fill("input[name=amount]", "750")
    page.fill("textarea[name=reason]", "Welcome bonus")
    steps.shot("credit form")
    page.click("button[name=apply], input[name=apply]")
    expect(success(page)).to_be_visible()
    steps.shot("balance credited")
    assert Customer.objects.get(telegram_id=5551001).balance == Decimal("750.00")

    purchase_product(telegram_id=5551001, product_id=product.pk)
    page.goto("/admin/catalog/purchase/")
    expect(page.locator("#result_list")).to_contain_text("Store card 500")
    page.get_by_role("link", name="Export CSV").click()
    today = localdate().isoformat()
    page.fill("input[name=date_from]", today)
    page.fill("input[name=date_to]", today)
    steps.shot("export form")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["order_number", "created", "telegram_id"]
    assert [(row[2], row[5]) for row in rows[1:]] == [("5551001", "Store card 500")]
    assert download.suggested_filename.endswith(".csv")


def test_it_draws_the_dashboard_charts_with_sales(staff_page: Any, staff: Any, steps: Steps) -> None:
    load_demo_catalog()
    for number, name in enumerate(("Pixel Racers", "Starfall Odyssey (PC)", "Pixel Racers")):
        telegram_id = 5552000 + number
        register_customer(telegram_id=telegram_id, username=f"buyer{number}", first_name="Buyer")
        adjust_balance(actor=staff, telegram_id=telegram_id, amount="5000", reason="Test money", credit=True)
        purchase_product(telegram_id=telegram_id, product_id=Product.objects.get(name=name).pk)

    staff_page.goto("/dashboard/")
    figures = staff_page.locator(".dashboard-figures")
    expect(figures).to_contain_text("Units sold")
    expect(figures.locator("div", has_text="Units sold").locator("strong")).to_have_text("3")
    charts = staff_page.locator(".dashboard-grid svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    sales = staff_page.locator(".module", has_text="Sales").locator("svg").first
    heights = [float(bar.get_attribute("height") or 0) for bar in sales.locator("rect").all()]
    assert any(height > 0 for height in heights), "the sales chart has no bar for today's sales"
    box = sales.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    steps.shot("dashboard")
