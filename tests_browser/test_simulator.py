"""The chat simulator in a phone-sized browser: the shop's real bot, bought from and run by its owner."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.importing import load_demo_catalog
from catalog.models import Product, Purchase, StockUnit
from tests_browser.conftest import PLAYWRIGHT_MISSING, Steps

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def chat(simulator: Any, staff_page: Any) -> Any:
    # The simulator first, so it is stopped only after the page has stopped polling it.
    load_demo_catalog()
    staff_page.set_viewport_size(PHONE)
    return staff_page


def press(page: Any, label: str) -> None:
    """Press the button labelled ``label`` on the latest message that has it."""
    page.locator("#messages .key", has_text=label).last.click()


def send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def chat_as(page: Any, key: str) -> None:
    page.goto(f"/simulator/?as={key}")
    expect(page.locator("#persona")).to_be_visible()


def test_it_lets_a_new_customer_top_up_with_stars_and_buy_a_key(chat: Any, steps: Steps) -> None:
    messages = chat.locator("#messages")
    chat_as(chat, "new-1")
    expect(chat.locator("#empty")).to_be_visible()
    steps.shot("new chat")

    chat.click("#start")
    expect(messages).to_contain_text("Choose a section")
    steps.shot("main menu")

    press(chat, "🛍 Shop")
    press(chat, "Game keys")
    expect(messages).to_contain_text("Pixel Racers")
    steps.shot("category")

    press(chat, "🏠 Menu")
    press(chat, "💳 Top up")
    expect(messages).to_contain_text("Send the amount")
    send(chat, "500")
    press(chat, "⭐ Telegram Stars")
    invoice = chat.locator("#messages .row[data-kind=invoice]").last
    expect(invoice).to_contain_text("⭐ 500")
    steps.shot("stars invoice")

    press(chat, "Pay ⭐ 500")
    expect(chat.locator("#payment")).to_be_visible()
    steps.shot("payment sheet")
    chat.click("#payment-confirm")
    expect(chat.locator("#messages .service").last).to_contain_text("You paid ⭐ 500")
    expect(messages).to_contain_text("topped up by 500.00 RUB")
    expect(invoice).to_contain_text("Paid")
    steps.shot("topped up")

    send(chat, "/shop")
    press(chat, "Game keys")
    press(chat, "Pixel Racers")
    expect(messages).to_contain_text("Arcade racing")
    press(chat, "💰 Buy")
    press(chat, "✅ Pay 349.00 RUB")
    expect(messages).to_contain_text("Thank you for your purchase")
    expect(chat.locator("#messages .row").last.locator("code")).to_contain_text("DEMO-PXR3-")
    steps.shot("the key")

    purchase = Purchase.objects.get()
    assert purchase.value.startswith("DEMO-PXR3-")
    assert purchase.buyer.balance == 151


def test_it_shows_refusals_as_telegram_does(chat: Any, steps: Steps) -> None:
    chat_as(chat, "new-1")
    chat.click("#start")
    press(chat, "💳 Top up")
    send(chat, "ten roubles")
    expect(chat.locator("#messages .row.incoming").last).to_contain_text("RUB")
    steps.shot("amount refused")

    send(chat, "/nonsense")
    expect(chat.locator("#messages .row.outgoing").last).to_contain_text("/nonsense")
    steps.shot("unknown command")


def test_it_lets_a_customer_with_a_balance_buy_and_switch_users(chat: Any, steps: Steps) -> None:
    chat_as(chat, "rich")
    chat.click("#start")
    expect(chat.locator("#messages")).to_contain_text("5000.00 RUB")
    press(chat, "🛍 Shop")
    press(chat, "Software licences")
    press(chat, "OfficeSuite Pro")
    press(chat, "💰 Buy")
    press(chat, "✅ Pay")
    expect(chat.locator("#messages")).to_contain_text("DEMO-OSP-")
    steps.shot("bought from the balance")

    chat.select_option("#persona", index=0)
    expect(chat.locator("#empty")).to_be_visible()
    steps.shot("switched to a new customer")


def test_it_lets_the_owner_add_stock_from_a_file_in_the_admin_menu(
    chat: Any, steps: Steps, tmp_path: Any
) -> None:
    chat_as(chat, "owner")
    chat.click("#start")
    press(chat, "🛠 Admin panel")
    press(chat, "📦 Stock")
    press(chat, "Game keys")
    press(chat, "Pixel Racers")
    press(chat, "➕ Add units")
    steps.shot("asked for units")

    keys = tmp_path / "keys.txt"
    keys.write_text("SIM-STOCK-0001\nSIM-STOCK-0002\nSIM-STOCK-0001\n")
    chat.set_input_files("#file", str(keys))
    expect(chat.locator("#messages .row.outgoing").last).to_contain_text("keys.txt")
    expect(chat.locator("#messages")).to_contain_text("New units: 2")
    steps.shot("preview of the file")
    press(chat, "✅ Add 2 units")
    expect(chat.locator("#messages")).to_contain_text("Added 2 units")
    steps.shot("stock added")

    product = Product.objects.get(name="Pixel Racers")
    values = set(
        StockUnit.objects.filter(product=product, value__startswith="SIM-").values_list("value", flat=True)
    )
    assert values == {"SIM-STOCK-0001", "SIM-STOCK-0002"}
