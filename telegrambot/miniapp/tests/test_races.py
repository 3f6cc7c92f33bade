"""The Mini App and the chat racing for the last unit, on PostgreSQL's real row locks."""

from __future__ import annotations

import queue
from decimal import Decimal

import pytest
from django.test import override_settings

from catalog.models import Category, Purchase, StockUnit
from catalog.services import add_to_cart, purchase_product, quote_product
from payments.models import LedgerEntry
from shopbot.errors import NotEnoughStock, OutOfStock
from shopbot.test import is_postgresql, ledger_matches_balance, make_customer, make_product, race
from telegrambot.miniapp.tests.helpers import AppClient, signed_init_data
from telegrambot.testing.driver import TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


@override_settings(TOKEN=TOKEN)
def test_it_sells_the_last_unit_once_between_an_app_checkout_and_a_chat_purchase():
    category = Category.objects.create(name="Games")
    last = make_product(category, "Last key", "10.00", units=["ONLY-ONE"])
    app_buyers = [make_customer(7300 + n, balance="100.00") for n in range(4)]
    chat_buyers = [make_customer(7400 + n, balance="100.00") for n in range(4)]
    apps = queue.Queue()
    for buyer in app_buyers:
        add_to_cart(telegram_id=buyer.telegram_id, product_id=last.pk)
        app = AppClient()
        assert app.sign_in(signed_init_data(buyer.telegram_id)).status_code == 200
        apps.put((app, app.post("cart/quote").json()["intent_id"]))  # each page shows its confirmation
    turns = queue.Queue()
    for buyer in chat_buyers:
        turns.put(("app", None, None))
        turns.put(("chat", buyer, quote_product(telegram_id=buyer.telegram_id, product_id=last.pk).intent_id))

    def buy():
        face, buyer, intent_id = turns.get()
        if face == "app":
            app, cart_intent = apps.get()
            response = app.post("cart/checkout", {"intent_id": cart_intent})
            return response.status_code, response.json()
        return purchase_product(telegram_id=buyer.telegram_id, intent_id=intent_id)

    results = race(8, buy)

    sold_in_chat = [result for result in results if isinstance(result, Purchase)]
    sold_in_app = [result for result in results if isinstance(result, tuple) and result[0] == 200]
    refused_in_chat = [result for result in results if isinstance(result, (OutOfStock, NotEnoughStock))]
    refused_in_app = [result for result in results if isinstance(result, tuple) and result[0] == 409]
    assert len(sold_in_chat) + len(sold_in_app) == 1, results
    assert len(refused_in_chat) + len(refused_in_app) == 7, results
    assert Purchase.objects.count() == 1
    assert not StockUnit.objects.filter(sold_at__isnull=True).exists()
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PURCHASE).count() == 1
    for buyer in app_buyers + chat_buyers:
        buyer.refresh_from_db()
        assert ledger_matches_balance(buyer)
    assert sum(buyer.balance for buyer in app_buyers + chat_buyers) == Decimal("790.00")
