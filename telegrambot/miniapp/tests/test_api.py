"""The Mini App's API: signing in with initData, the gate's checks, and the shop through the same services."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core import signing
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from accounts.models import AuditEntry, Customer
from accounts.services import set_blocked
from catalog.models import CartLine, Category, Product, Purchase, PurchaseIntent, StockUnit
from catalog.services import add_to_cart, purchase_product, save_review
from shopbot.test import ShopTestCase, ledger_matches_balance, make_customer, make_product
from telegrambot import ratelimit
from telegrambot.miniapp.tests.helpers import AppClient, signed_init_data
from telegrambot.services import maintenance
from telegrambot.testing.driver import TOKEN


@override_settings(TOKEN=TOKEN, MINIAPP_AUTH_SECONDS=3600)
class MiniAppTestCase(ShopTestCase):
    def quote(self, app: AppClient, product_id: int | None = None) -> int:
        """Open the Buy confirmation as the page does; return the intent its Pay names."""
        response = app.post("buy/quote", {"product_id": product_id or self.key.pk})
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["quote"]["intent_id"]

    def app(self, telegram_id: int | None = None, **user: object) -> AppClient:
        """A page signed in as Alice (or ``telegram_id``)."""
        app = AppClient()
        response = app.sign_in(signed_init_data(telegram_id or self.alice.telegram_id, **user))
        self.assertEqual(response.status_code, 200, response.content)
        return app


class SignInTests(MiniAppTestCase):
    def test_it_registers_a_new_user_as_start_does(self):
        app = AppClient()

        response = app.sign_in(signed_init_data(5005, username="nina", first_name="Nina", language_code="ru"))

        self.assertEqual(response.status_code, 200)
        customer = Customer.objects.get(telegram_id=5005)
        self.assertEqual((customer.username, customer.first_name, customer.language), ("nina", "Nina", "ru"))
        self.assertEqual(response.json()["me"]["balance"]["amount"], "0.00")
        self.assertEqual(app.get("me").json()["me"]["id"], 5005)

    def test_it_takes_the_referrer_from_the_start_parameter(self):
        raw = signed_init_data(5006)
        app = AppClient()
        from urllib.parse import parse_qsl

        from telegrambot.miniapp import initdata

        fields = dict(parse_qsl(raw))
        fields.pop("hash")
        fields["start_param"] = str(self.alice.telegram_id)

        self.assertEqual(app.sign_in(initdata.sign(fields, token=TOKEN)).status_code, 200)
        self.assertEqual(Customer.objects.get(telegram_id=5006).referrer, self.alice)

    def test_it_refuses_expired_init_data(self):
        response = AppClient().sign_in(signed_init_data(1001, auth_date=time.time() - 3601))

        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["reason"], "expired")

    def test_it_refuses_tampered_init_data(self):
        raw = signed_init_data(1001).replace("1001", "1002")

        response = AppClient().sign_in(raw)

        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["reason"], "bad signature")
        self.assertFalse(Customer.objects.filter(telegram_id=1002, last_seen__gt=self.bob.last_seen).exists())

    def test_it_refuses_init_data_exchanged_before(self):
        raw = signed_init_data(1001)
        self.assertEqual(AppClient().sign_in(raw).status_code, 200)

        replayed = AppClient().sign_in(raw)

        self.assertEqual(replayed.status_code, 401)
        self.assertEqual(replayed.json()["reason"], "replayed")

    def test_it_refuses_calls_without_a_valid_session(self):
        app = AppClient()
        self.assertEqual(app.get("cart").status_code, 401)
        app.token = signing.TimestampSigner(salt="another").sign_object({"id": 1001, "hash": "x"})
        self.assertEqual(app.get("cart").status_code, 401)
        app.token = "1001"
        self.assertEqual(app.get("cart").status_code, 401)

    def test_it_ends_a_session_after_the_auth_period(self):
        app = self.app()
        later = time.time() + 3601

        with mock.patch.object(signing.time, "time", return_value=later):
            response = app.get("cart")

        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "session")

    def test_it_sets_no_cookie(self):
        app = AppClient()
        response = app.sign_in(signed_init_data(1001))

        self.assertFalse(response.cookies)
        self.assertFalse(app.get("cart").cookies)


class GateTests(MiniAppTestCase):
    def test_it_turns_away_a_blocked_customer(self):
        set_blocked(actor=self.owner, telegram_id=self.bob.telegram_id, blocked=True, reason="Chargebacks")

        response = AppClient().sign_in(signed_init_data(self.bob.telegram_id))

        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "blocked")

    def test_it_turns_away_a_session_of_someone_blocked_since(self):
        app = self.app(self.bob.telegram_id)
        set_blocked(actor=self.owner, telegram_id=self.bob.telegram_id, blocked=True, reason="Chargebacks")

        response = app.post("cart/add", {"product_id": self.key.pk})

        self.assertEqual(response.status_code, 403)
        self.assertFalse(CartLine.objects.exists())

    def test_it_is_closed_to_customers_in_maintenance_but_not_to_admins(self):
        app, admin = self.app(), self.app(self.admin.telegram_id)
        maintenance.set_maintenance(actor=self.owner, enabled=True)

        self.assertEqual(app.get("categories").status_code, 503)
        self.assertEqual(app.get("categories").json()["code"], "maintenance")
        self.assertEqual(admin.get("categories").status_code, 200)

    def test_it_counts_writes_against_the_chats_global_limit(self):
        app = self.app()
        with self.settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="3/m"):
            statuses = [app.post("cart/add", {"product_id": self.key.pk}).status_code for _ in range(4)]

            self.assertEqual(statuses[:2], [200, 200])
            self.assertEqual(statuses[-1], 429)
            self.assertIsNotNone(ratelimit.check_update(telegram_id=self.alice.telegram_id))

    def test_it_shares_the_purchase_limit_with_the_chat(self):
        app = self.app()
        with self.settings(RATE_LIMITS=True, RATE_LIMIT_PURCHASE="1/m"):
            self.assertIsNone(ratelimit.check_action(ratelimit.PURCHASE, telegram_id=self.alice.telegram_id))

            response = app.post("buy", {"intent_id": self.quote(app)})

        self.assertEqual(response.status_code, 429)
        self.assertFalse(Purchase.objects.exists())


class BrowsingTests(MiniAppTestCase):
    def test_it_lists_categories_and_products_with_stock(self):
        app = self.app()

        categories = app.get("categories").json()
        products = app.get(f"categories/{self.games.pk}").json()

        self.assertEqual([item["name"] for item in categories["items"]], ["Games"])
        by_name = {item["name"]: item for item in products["items"]}
        self.assertEqual(by_name["Game key"]["stock"], 2)
        self.assertEqual(by_name["Game key"]["price"], {"amount": "9.99", "text": "9.99 RUB"})
        self.assertIs(by_name["Gift link"]["unlimited"], True)
        self.assertIs(by_name["Gift link"]["in_stock"], True)

    def test_it_shows_a_product_card(self):
        product = self.app().get(f"products/{self.key.pk}").json()["product"]

        self.assertEqual(
            (product["name"], product["description"], product["stock"]), ("Game key", "A key", 2)
        )
        self.assertEqual(product["reviews"], [])

    def test_it_searches_names_and_descriptions(self):
        make_product(self.games, "Space saga", "4.00", units=["S-1"], description="A long galactic adventure")
        app = self.app()

        by_name = [item["name"] for item in app.get("search", q="saga").json()["items"]]
        by_description = [item["name"] for item in app.get("search", q="galactic").json()["items"]]
        nothing = app.get("search", q="<script>alert(1)</script>").json()["items"]

        self.assertEqual(by_name, ["Space saga"])
        self.assertEqual(by_description, ["Space saga"])
        self.assertEqual(nothing, [])
        self.assertEqual(app.get("search", q="x" * 5000).status_code, 200)

    def test_it_answers_unknown_ids_with_404(self):
        app = self.app()

        self.assertEqual(app.get("products/999999").status_code, 404)
        self.assertEqual(app.get("categories/999999").status_code, 404)


class CartTests(MiniAppTestCase):
    def test_it_fills_the_same_cart_as_the_chat(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)  # in the chat
        app = self.app()

        response = app.post("cart/add", {"product_id": self.key.pk, "quantity": 2})

        cart = response.json()["cart"]
        self.assertEqual(
            [(item["name"], item["quantity"]) for item in cart["items"]], [("Gift link", 1), ("Game key", 2)]
        )
        self.assertEqual(cart["total"]["amount"], "24.98")
        self.assertEqual(CartLine.objects.filter(customer=self.alice).count(), 2)

    def test_it_refuses_bad_quantities_and_changes_nothing(self):
        app = self.app()
        app.post("cart/add", {"product_id": self.key.pk})

        for quantity in (-1, 0, "ten", 10**9, 1.5, None):
            response = app.post("cart/set", {"product_id": self.key.pk, "quantity": quantity})
            self.assertEqual(response.status_code, 409, quantity)
        self.assertEqual(CartLine.objects.get(customer=self.alice).quantity, 1)

    def test_it_answers_another_customers_cart_line_with_404_and_audits_it(self):
        add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        app = self.app()

        removed = app.post("cart/remove", {"product_id": self.key.pk})
        changed = app.post("cart/set", {"product_id": self.key.pk, "quantity": 5})

        self.assertEqual((removed.status_code, changed.status_code), (404, 404))
        self.assertEqual(CartLine.objects.get(customer=self.bob).quantity, 1)
        entries = AuditEntry.objects.filter(action="miniapp_not_found")
        self.assertEqual([entry.actor for entry in entries], [self.alice, self.alice])

    def test_it_refuses_junk_bodies(self):
        app = self.app()
        response = app.client.post(
            "/app/api/cart/add", "[1]", content_type="application/json", **app.headers()
        )

        self.assertEqual(response.status_code, 400)
        self.assertEqual(app.get("cart/add").status_code, 405)

    def test_it_checks_out_from_the_balance_at_the_total_shown(self):
        app = self.app()
        app.post("cart/add", {"product_id": self.key.pk, "quantity": 2})

        quote = app.post("cart/quote").json()
        response = app.post("cart/checkout", {"intent_id": quote["intent_id"]})

        self.assertEqual(quote["cart"]["total"]["amount"], "19.98")
        self.assertEqual(response.status_code, 200, response.content)
        values = sorted(item["value"] for item in response.json()["purchases"])
        self.assertEqual(values, ["AAA-111", "BBB-222"])
        self.assertEqual(response.json()["me"]["balance"]["amount"], "30.02")
        self.assertFalse(CartLine.objects.exists())
        self.assertTrue(ledger_matches_balance(Customer.objects.get(pk=self.alice.pk)))

    def test_it_refuses_a_cart_changed_since_its_confirmation(self):
        app = self.app()
        app.post("cart/add", {"product_id": self.key.pk})
        intent_id = app.post("cart/quote").json()["intent_id"]
        app.post("cart/set", {"product_id": self.key.pk, "quantity": 2})

        response = app.post("cart/checkout", {"intent_id": intent_id})

        self.assertEqual((response.status_code, response.json()["code"]), (409, "CartChanged"))
        self.assertFalse(Purchase.objects.exists())

    def test_it_checks_out_once_when_pay_is_pressed_twice(self):
        app = self.app()
        app.post("cart/add", {"product_id": self.gift.pk})
        intent_id = app.post("cart/quote").json()["intent_id"]
        app.post("cart/checkout", {"intent_id": intent_id})
        app.post("cart/add", {"product_id": self.gift.pk})  # the same cart again, as the confirmation showed

        again = app.post("cart/checkout", {"intent_id": intent_id})

        self.assertEqual((again.status_code, again.json()["code"]), (409, "IntentUsed"))
        self.assertEqual(Purchase.objects.filter(buyer=self.alice).count(), 1)

    def test_it_offers_no_checkout_for_an_empty_cart(self):
        quote = self.app().post("cart/quote").json()

        self.assertEqual((quote["intent_id"], quote["cart"]["can_checkout"]), (None, False))


class BuyingTests(MiniAppTestCase):
    def test_it_sells_one_unit_from_the_balance_at_the_price_shown(self):
        app = self.app()
        quote = app.post("buy/quote", {"product_id": self.key.pk}).json()["quote"]

        response = app.post("buy", {"intent_id": quote["intent_id"]})

        self.assertEqual(quote["price"], {"amount": "9.99", "text": "9.99 RUB"})
        self.assertEqual(response.status_code, 200, response.content)
        [bought] = response.json()["purchases"]
        self.assertEqual(bought["value"], "AAA-111")
        alice = Customer.objects.get(pk=self.alice.pk)
        self.assertEqual(alice.balance, Decimal("40.01"))
        self.assertTrue(ledger_matches_balance(alice))

    def test_it_buys_once_when_pay_is_pressed_twice(self):
        app = self.app()
        intent_id = self.quote(app)

        first = app.post("buy", {"intent_id": intent_id})
        second = app.post("buy", {"intent_id": intent_id})

        self.assertEqual((first.status_code, second.status_code), (200, 409))
        self.assertEqual(second.json()["code"], "IntentUsed")
        self.assertEqual(Purchase.objects.count(), 1)

    def test_it_refuses_a_price_changed_since_the_confirmation(self):
        app = self.app()
        intent_id = self.quote(app)
        Product.objects.filter(pk=self.key.pk).update(price=Decimal("12.00"))

        response = app.post("buy", {"intent_id": intent_id})

        self.assertEqual((response.status_code, response.json()["code"]), (409, "PriceChanged"))
        self.assertFalse(Purchase.objects.exists())
        today = app.post("buy/quote", {"product_id": self.key.pk}).json()["quote"]  # what the page shows next
        self.assertEqual(today["price"]["amount"], "12.00")

    def test_it_asks_again_after_the_confirmation_expired(self):
        app = self.app()
        intent_id = self.quote(app)
        PurchaseIntent.objects.filter(pk=intent_id).update(expires_at=now() - timedelta(seconds=1))

        response = app.post("buy", {"intent_id": intent_id})

        self.assertEqual((response.status_code, response.json()["code"]), (409, "IntentExpired"))
        self.assertFalse(Purchase.objects.exists())

    def test_it_answers_another_customers_intent_with_404_and_audits_it(self):
        bobs = self.quote(self.app(self.bob.telegram_id))
        app = self.app()

        response = app.post("buy", {"intent_id": bobs})

        self.assertEqual(response.status_code, 404)
        self.assertEqual(AuditEntry.objects.get(action="miniapp_not_found").actor, self.alice)
        self.assertFalse(Purchase.objects.exists())

    def test_it_refuses_forged_or_missing_intents_and_sells_nothing(self):
        app = self.app()

        for forged in ("0.01", "abc", None, -5, ["9.99"], 10**30, "x" * 5000):
            response = app.post("buy", {"intent_id": forged, "product_id": self.key.pk})
            self.assertIn(response.status_code, (404, 413), forged)
        self.assertFalse(Purchase.objects.exists())
        self.assertEqual(StockUnit.objects.filter(sold_at__isnull=True).count(), 2)

    def test_it_refuses_without_money(self):
        app = self.app(self.bob.telegram_id)

        response = app.post("buy", {"intent_id": self.quote(app)})

        self.assertEqual(response.status_code, 409)
        self.assertIn("Not enough money", response.json()["error"])

    def test_it_answers_in_the_customers_language(self):
        make_customer(5010, language="ru")
        app = self.app(5010)

        response = app.post("buy", {"intent_id": self.quote(app)})

        self.assertEqual(response.status_code, 409)
        self.assertNotIn("Not enough money", response.json()["error"])


class HistoryTests(MiniAppTestCase):
    def test_it_lists_purchases_made_in_the_chat(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        items = self.app().get("purchases").json()["items"]

        self.assertEqual([(item["product"], item["value"]) for item in items], [("Game key", "AAA-111")])

    def test_it_answers_another_customers_purchase_with_404_and_audits_it(self):
        bobs = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        app = self.app(self.bob.telegram_id)

        response = app.get(f"purchases/{bobs.pk}")

        self.assertEqual(response.status_code, 404)
        self.assertNotIn("example.com", response.content.decode())
        self.assertEqual(AuditEntry.objects.get(action="miniapp_not_found").actor, self.bob)

    def test_it_offers_a_long_value_as_a_short_lived_download(self):
        book = make_product(self.games, "Book", "1.00", is_unlimited=True, unlimited_value="x" * 3000)
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=book.pk)
        app = self.app()

        item = app.get(f"purchases/{purchase.pk}").json()["purchase"]
        download = app.client.get(item["download"])
        later = time.time() + 11 * 60
        with mock.patch.object(signing.time, "time", return_value=later):
            expired = app.client.get(item["download"])

        self.assertEqual(item["value"], "")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content.decode(), "x" * 3000)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(expired.status_code, 404)
        self.assertEqual(app.client.get(item["download"][:-2] + "xx").status_code, 404)


class PageTests(MiniAppTestCase):
    def test_it_serves_the_page_with_every_languages_texts_and_telegrams_script_only(self):
        response = self.client.get("/app/")

        html = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn("https://telegram.org/js/telegram-web-app.js", html)
        self.assertEqual(response.context["texts"]["en"]["addToCart"], "Add to cart")
        self.assertEqual(response.context["texts"]["ru"]["addToCart"], "В корзину")
        self.assertNotIn("X-Frame-Options", response.headers)
        external = [line for line in html.splitlines() if 'src="http' in line or 'href="http' in line]
        self.assertEqual(len(external), 1, external)

    def test_it_loads_the_screens_scripts_in_order_each_a_small_file(self):
        html = self.client.get("/app/").content.decode()

        scripts = re.findall(r'src="/static/miniapp/([\w-]+\.js)"', html)
        self.assertEqual(
            scripts,
            [
                "core.js",
                "catalog.js",
                "manual.js",
                "cart.js",
                "history.js",
                "claims.js",
                "balance.js",
                "shop.js",
            ],
        )
        for name in scripts:
            lines = (
                (Path(settings.BASE_DIR) / "telegrambot" / "static" / "miniapp" / name)
                .read_text()
                .count("\n")
            )
            self.assertLess(lines, 300, name)


class BoundedQueriesTests(MiniAppTestCase):
    def queries(self, app: AppClient, path: str, **params: object) -> int:
        app.get(path, **params)  # warms the catalog cache, as a busy shop has it
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(app.get(path, **params).status_code, 200)
        return len(captured)

    def test_it_reads_a_product_page_or_a_search_in_as_many_queries_for_a_big_catalog(self):
        small = Category.objects.create(name="Small")
        big = Category.objects.create(name="Big")
        make_product(small, "Lonely thing", "1.00", units=["L-1"])
        for number in range(40):
            product = make_product(
                big, f"Thing {number}", "1.00", units=[f"T-{number}-{n}" for n in range(3)]
            )
            purchase_product(telegram_id=self.alice.telegram_id, product_id=product.pk)
            save_review(telegram_id=self.alice.telegram_id, product_id=product.pk, rating=4)
        app = self.app()

        self.assertEqual(
            self.queries(app, f"categories/{big.pk}"), self.queries(app, f"categories/{small.pk}")
        )
        self.assertEqual(self.queries(app, "search", q="Thing"), self.queries(app, "search", q="Lonely"))

    def test_it_shows_ratings_on_the_grid(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5)

        items = self.app().get(f"categories/{self.games.pk}").json()["items"]

        by_name = {item["name"]: item for item in items}
        self.assertEqual((by_name["Game key"]["rating"], by_name["Game key"]["review_count"]), ("5.0", 1))
        self.assertIsNone(by_name["Gift link"]["rating"])
