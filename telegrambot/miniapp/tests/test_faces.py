"""The chat and the Mini App are two faces of one shop: one cart, one history, one channel gate, one Stars flow."""

from __future__ import annotations

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.models import Purchase
from payments.models import Payment
from payments.tests.test_admin_refunds import BotApiThread
from shopbot.test import ledger_matches_balance
from telegrambot.miniapp.tests.helpers import AppClient, signed_init_data
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.driver import TOKEN
from telegrambot.tests.helpers import BotTestCase

CHANNEL = "@shopnews"


@override_settings(TOKEN=TOKEN, STARS_PER_VALUE=Decimal(1))
class FacesTestCase(BotTestCase):
    """The bot on a fake Telegram, the same fake served over HTTP for the web process's Bot API calls."""

    def setUp(self) -> None:
        self.telegram = FakeTelegram()
        self.bot_api = BotApiThread(self.telegram).__enter__()
        self.addCleanup(self.bot_api.__exit__)
        settings = override_settings(TELEGRAM_API_URL=self.bot_api.url)
        settings.enable()
        self.addCleanup(settings.disable)

    @sync_to_async
    def app(self, telegram_id: int) -> AppClient:
        app = AppClient()
        response = app.sign_in(signed_init_data(telegram_id))
        self.assertEqual(response.status_code, 200, response.content)
        return app

    @staticmethod
    @sync_to_async
    def call(app: AppClient, method: str, path: str, body: dict | None = None):
        return app.post(path, body) if method == "POST" else app.get(path)


class SharedCartTests(FacesTestCase):
    async def test_it_shows_a_line_added_in_the_app_in_the_chats_cart(self):
        app = await self.app(self.alice.telegram_id)
        response = await self.call(app, "POST", "cart/add", {"product_id": self.key.pk, "quantity": 2})
        self.assertEqual(response.status_code, 200)
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)

        await alice.send("/start")
        await alice.press("🛒 Cart (2)")

        self.assertIn("Game key", alice.screen.text)
        self.assertIn("19.98 RUB", alice.screen.text)

    async def test_it_shows_a_purchase_made_in_the_chat_in_the_apps_history(self):
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await alice.press("🛍 Shop")
        await alice.press("📂 Games")
        await alice.press_data(f"prod:{self.key.pk}:1")
        await alice.press("💰 Buy")
        await alice.press("✅ Pay 9.99 RUB")

        app = await self.app(self.alice.telegram_id)
        items = (await self.call(app, "GET", "purchases")).json()["items"]

        self.assertEqual([(item["product"], item["value"]) for item in items], [("Game key", "AAA-111")])


@override_settings(CHANNEL_ID=CHANNEL, CHANNEL_URL="https://t.me/shopnews")
class ChannelGateTests(FacesTestCase):
    async def test_it_asks_a_non_member_to_join_the_channel(self):
        response = await sync_to_async(AppClient().sign_in)(signed_init_data(self.bob.telegram_id))

        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "join_channel")
        self.assertEqual(response.json()["channel_url"], "https://t.me/shopnews")

    async def test_it_lets_a_member_in_and_remembers_them_for_the_chat_too(self):
        self.telegram.set_channel_member(CHANNEL, self.bob.telegram_id)

        app = await self.app(self.bob.telegram_id)
        await self.call(app, "GET", "categories")
        shop = await self.start_shop(self.telegram)
        bob = await shop.user(self.bob.telegram_id)
        await bob.send("/start")

        self.assertEqual(len(self.telegram.calls_to("getChatMember")), 1)
        self.assertIn("Choose a section", bob.screen.text)


class StarsCheckoutTests(FacesTestCase):
    async def test_it_opens_an_invoice_link_and_the_bot_delivers_on_successful_payment(self):
        shop = await self.start_shop(self.telegram)
        bob = await shop.user(self.bob.telegram_id)
        await bob.send("/start")
        app = await self.app(self.bob.telegram_id)

        response = await self.call(app, "POST", "stars/product", {"product_id": self.key.pk})
        self.assertEqual(response.status_code, 200, response.content)
        link, payment_id = response.json()["invoice_link"], response.json()["payment_id"]
        invoice = self.telegram.invoice_links[link]
        self.assertEqual(
            (invoice["currency"], invoice["prices"]), ("XTR", [{"label": "Order", "amount": 10}])
        )
        pending = (await self.call(app, "GET", f"orders/{payment_id}")).json()["order"]
        self.assertEqual((pending["status"], pending["purchases"]), ("pending", []))

        answer = await bob.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=10)
        await bob.successful_payment(payload=invoice["payload"], currency="XTR", total_amount=10)

        self.assertEqual(answer, {"ok": True, "error_message": None})
        self.assertIn("AAA-111", bob.screen.text)  # the chat's receipt
        order = (await self.call(app, "GET", f"orders/{payment_id}")).json()["order"]
        self.assertEqual(order["status"], Payment.Status.PAID)
        self.assertEqual([item["value"] for item in order["purchases"]], ["AAA-111"])
        self.assertEqual(await Purchase.objects.filter(buyer=self.bob).acount(), 1)
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.bob))

    async def test_it_pays_the_cart_and_empties_it(self):
        shop = await self.start_shop(self.telegram)
        bob = await shop.user(self.bob.telegram_id)
        await bob.send("/start")
        app = await self.app(self.bob.telegram_id)
        await self.call(app, "POST", "cart/add", {"product_id": self.gift.pk})

        response = await self.call(app, "POST", "stars/cart")
        invoice = self.telegram.invoice_links[response.json()["invoice_link"]]
        await bob.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=5)
        await bob.successful_payment(payload=invoice["payload"], currency="XTR", total_amount=5)

        cart = (await self.call(app, "GET", "cart")).json()["cart"]
        self.assertEqual(cart["items"], [])
        self.assertIn("example.com/gift", bob.screen.text)

    async def test_it_tops_up_the_balance_with_stars(self):
        shop = await self.start_shop(self.telegram)
        bob = await shop.user(self.bob.telegram_id)
        await bob.send("/start")
        app = await self.app(self.bob.telegram_id)

        response = await self.call(app, "POST", "stars/top-up", {"amount": "25"})
        invoice = self.telegram.invoice_links[response.json()["invoice_link"]]
        await bob.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=25)
        await bob.successful_payment(payload=invoice["payload"], currency="XTR", total_amount=25)

        me = (await self.call(app, "GET", "me")).json()["me"]
        self.assertEqual(me["balance"]["amount"], "25.00")

    async def test_it_refuses_junk_amounts_and_opens_no_invoice(self):
        app = await self.app(self.bob.telegram_id)

        for amount in ("-5", "abc", "1e9", None, "0"):
            response = await self.call(app, "POST", "stars/top-up", {"amount": amount})
            self.assertEqual(response.status_code, 409, amount)
        self.assertEqual(self.telegram.calls_to("createInvoiceLink"), [])
        self.assertFalse(await Payment.objects.aexists())
