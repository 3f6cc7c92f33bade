"""Buying one unit: the confirmation, the receipt, and every refusal on the way."""

from datetime import timedelta
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import Product, Purchase, PurchaseIntent
from catalog.services import purchase_product
from shopbot.test import give_money, make_customer, make_product, make_promo
from telegrambot import callbacks
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase, change_customer


class BuyTests(BotTestCase):
    async def open_confirmation(self, user: ChatUser, product: Product) -> None:
        await user.press_data(callbacks.PRODUCT.build(product.pk, 1))
        await user.press("💰 Buy")

    async def test_it_shows_the_price_and_the_balance_before_paying(self) -> None:
        shop, alice = await self.start_chat()

        await self.open_confirmation(alice, self.key)

        self.assertIn("Confirm the purchase", alice.screen.text)
        self.assertIn("Item: Game key\nPrice: 9.99 RUB", alice.screen.text)
        self.assertIn("It is paid from your balance (50.00 RUB).", alice.screen.text)
        self.assertEqual(alice.screen.labels, ["✅ Pay 9.99 RUB", "⬅️ Back", "🏠 Menu"])
        self.assertEqual(await Purchase.objects.acount(), 0)

    async def test_it_sends_a_value_too_long_for_a_message_as_a_file(self) -> None:
        value = "K" * 3900 + " <&> " + "🔑" * 200
        product = await sync_to_async(make_product)(self.games, "Long key", "1.00", units=[value])
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice, product)

        await alice.press("✅ Pay 1.00 RUB")

        receipt, document = alice.messages[-2:]
        self.assertIn("sent as a file", receipt.text)
        self.assertIn("Order: #", receipt.text)
        self.assertEqual(document.kind, "document")
        self.assertEqual(document.media["content"].decode(), value)
        self.assertTrue(document.media["filename"].endswith(".txt"))

    async def test_it_escapes_a_value_that_looks_like_html(self) -> None:
        product = await sync_to_async(make_product)(self.games, "Odd key", "1.00", units=["<b>&amp; </code>"])
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice, product)

        await alice.press("✅ Pay 1.00 RUB")

        self.assertIn("<b>&amp; </code>", alice.screen.text)
        self.assertIn("<code>&lt;b&gt;&amp;amp; &lt;/code&gt;</code>", alice.screen.html)

    async def test_it_sells_once_when_pay_is_pressed_twice(self) -> None:
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice, self.gift)
        pay = alice.keyboard_data()[0]

        await alice.press("✅ Pay 5.00 RUB")
        await alice.press_data(pay)

        self.assertEqual(alice.alert, "This confirmation has been paid already.")
        self.assertEqual(await Purchase.objects.acount(), 1)
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("45.00"))

    async def test_it_says_when_the_item_sold_out_meanwhile(self) -> None:
        carol = await sync_to_async(make_customer)(5201, balance="50")
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice, self.key)
        for _ in range(2):
            await sync_to_async(purchase_product)(telegram_id=carol.telegram_id, product_id=self.key.pk)

        await alice.press("✅ Pay 9.99 RUB")

        self.assertEqual(alice.alert, "Game key is out of stock.")
        self.assertEqual(await Purchase.objects.filter(buyer=self.alice).acount(), 0)
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("50.00"))

    async def test_it_says_when_the_item_is_no_longer_sold(self) -> None:
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice, self.key)
        await Product.objects.filter(pk=self.key.pk).aupdate(is_active=False)

        await alice.press("✅ Pay 9.99 RUB")

        self.assertEqual(alice.alert, "This item is no longer sold.")
        self.assertEqual(await Purchase.objects.acount(), 0)

    async def test_it_shows_the_new_price_when_it_changed_before_paying(self) -> None:
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice, self.key)
        await Product.objects.filter(pk=self.key.pk).aupdate(price=Decimal("12.00"))

        await alice.press("✅ Pay 9.99 RUB")

        self.assertEqual(alice.alert, "The price of Game key has changed. Please check it again.")
        self.assertIn("✅ Pay 12.00 RUB", alice.screen.labels)
        self.assertEqual(await Purchase.objects.acount(), 0)
        await alice.press("✅ Pay 12.00 RUB")
        self.assertEqual((await Purchase.objects.aget()).price, Decimal("12.00"))

    async def test_it_says_so_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5202, language_code="ru")
        await sync_to_async(make_customer)(5203, balance="50")
        await change_customer((await Customer.objects.aget(telegram_id=5202)).pk, balance=Decimal("0"))
        await ivan.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await ivan.press_data(callbacks.BUY.build(self.key.pk))
        await Product.objects.filter(pk=self.key.pk).aupdate(is_active=False)

        await ivan.press_data(ivan.keyboard_data()[0])

        self.assertEqual(ivan.alert, "Этот товар больше не продаётся.")


class NotEnoughMoneyTests(BotTestCase):
    async def test_it_offers_to_top_up_at_least_the_minimum(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await bob.press("💰 Buy")

        with self.settings(MIN_AMOUNT=Decimal("20")):
            await bob.press("✅ Pay 9.99 RUB")
            self.assertEqual(bob.screen.labels, ["💳 Top up 20.00 RUB", "⬅️ Back", "🏠 Menu"])
            await bob.press("💳 Top up 20.00 RUB")

        self.assertIn("Top up by 20.00 RUB", bob.screen.text)
        self.assertEqual(await Purchase.objects.acount(), 0)

    async def test_it_keeps_the_confirmation_and_its_promo_code_after_a_refusal(self) -> None:
        await sync_to_async(make_promo)("TENOFF")
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await bob.press("🎟 Apply promo code")
        await bob.send("TENOFF")
        pay = bob.keyboard_data()[0]
        await bob.press("✅ Pay 8.99 RUB")
        self.assertIn("Not enough money", bob.screen.text)

        await sync_to_async(give_money)(self.bob, "20.00")
        await bob.press_data(pay)  # the Pay button of the confirmation again

        purchase = await Purchase.objects.select_related("promo_code").aget()
        self.assertEqual((purchase.price, purchase.promo_code.code), (Decimal("8.99"), "TENOFF"))

    async def test_it_explains_the_refusal(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await bob.press("💰 Buy")

        await bob.press("✅ Pay 9.99 RUB")

        self.assertIn("Not enough money", bob.screen.text)
        self.assertIn("The price is 9.99 RUB and your balance is 0.00 RUB.", bob.screen.text)
        self.assertEqual(bob.screen.labels, ["💳 Top up 9.99 RUB", "⬅️ Back", "🏠 Menu"])
        await bob.press("⬅️ Back")
        self.assertIn("Game key", bob.screen.text)

    @override_settings(TELEGRAM_PROVIDER_TOKEN="provider", STARS_PER_VALUE=Decimal("1"))
    async def test_it_offers_the_difference_with_the_configured_methods(self) -> None:
        dear = await sync_to_async(make_product)(self.games, "Dear key", "75.50", units=["D"])
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(dear.pk, 1))
        await alice.press("💰 Buy")
        await alice.press("✅ Pay 75.50 RUB")

        await alice.press("💳 Top up 25.50 RUB")

        self.assertIn("Choose how to pay:", alice.screen.text)
        self.assertEqual(alice.screen.labels[:2], ["⭐ Telegram Stars · 26 ⭐", "💳 Card · 25.50 RUB"])
        await alice.press("⭐ Telegram Stars")
        self.assertEqual(alice.messages[-1].kind, "invoice")

    async def test_it_refuses_a_forged_amount(self) -> None:
        shop, alice = await self.start_chat()
        before = alice.screen.text

        for data in (
            callbacks.TOP_UP_SHORTFALL.build(Decimal("0.01")),
            callbacks.TOP_UP_SHORTFALL.build(Decimal("9999999999.99")),
        ):
            await alice.press_data(data)
            self.assertEqual(alice.alert, "Enter an amount from 1.00 RUB to 10000.00 RUB.", data)
        # Malformed on purpose, so written by hand: Route.build refuses to make any of these.
        for data in ("tud:0", "tud:-5", "tud:1e9", "tud:abc"):
            await alice.press_data(data)
            self.assertEqual(alice.alert, "This button is no longer valid. Open the menu with /start.")

        self.assertEqual(alice.screen.text, before)


class ForgedBuyTests(BotTestCase):
    async def test_it_refuses_to_pay_without_a_confirmation(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.CONFIRM_BUY.build(999))

        self.assertEqual(alice.alert, "This confirmation is not valid. Please open it again.")
        self.assertEqual(await Purchase.objects.acount(), 0)

    async def test_it_refuses_another_customers_confirmation_and_changes_nothing(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await bob.press("💰 Buy")
        bobs_pay = bob.keyboard_data()[0]
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")

        await alice.press_data(bobs_pay)

        self.assertEqual(alice.alert, "This confirmation is not valid. Please open it again.")
        self.assertEqual(await Purchase.objects.acount(), 0)
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("50.00"))
        self.assertIsNone((await PurchaseIntent.objects.aget(customer=self.bob)).used_at)

    async def test_it_shows_the_confirmation_again_when_the_price_changed(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")
        await Product.objects.filter(pk=self.key.pk).aupdate(price=Decimal("12.00"))

        await alice.press("✅ Pay 9.99 RUB")

        self.assertEqual(alice.alert, "The price of Game key has changed. Please check it again.")
        self.assertEqual(await Purchase.objects.acount(), 0)
        self.assertIn("✅ Pay 12.00 RUB", alice.screen.labels)

    async def test_it_shows_the_confirmation_again_when_it_expired(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")
        await PurchaseIntent.objects.aupdate(expires_at=now() - timedelta(seconds=1))

        await alice.press("✅ Pay 9.99 RUB")

        self.assertEqual(
            alice.alert, "This confirmation has expired and prices may have changed. Here it is again."
        )
        self.assertEqual(await Purchase.objects.acount(), 0)
        await alice.press("✅ Pay 9.99 RUB")  # today's confirmation works
        self.assertIn("Thank you for your purchase!", alice.screen.text)

    async def test_it_refuses_malformed_and_huge_data(self) -> None:
        shop, alice = await self.start_chat()
        # Malformed on purpose, so written by hand: Route.build refuses to make any of these.
        for data in (
            "buy:0",
            "buy:-1",
            "buy:abc",
            f"buy:{'9' * 19}",
            "buyok:",
            "buyok:1:999",
            "buyok:1.5",
            "buyok:-1",
            "buyok:abc",
            "prod:1",
            "prod:1:0",
            "cat:1",
            "cats:0",
            "ppr:",
            "pprx:x",
            "tud:",
        ):
            await alice.press_data(data)
            self.assertEqual(alice.alert, "This button is no longer valid. Open the menu with /start.", data)
        for data in (
            callbacks.BUY.build(int("9" * 18)),
            callbacks.PRODUCT.build(int("9" * 18), 99999),
            callbacks.CATEGORY.build(int("9" * 18), 1),
            callbacks.DROP_PRODUCT_PROMO.build(int("9" * 18)),
        ):
            await alice.press_data(data)
            self.assertIn("no longer", alice.alert, data)
        self.assertEqual(await Purchase.objects.acount(), 0)
