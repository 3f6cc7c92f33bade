"""The profile: balance, purchase history, operation history, balance promo codes."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.db import transaction

from accounts.models import Customer
from catalog.models import PromoCode
from catalog.services import purchase_product
from payments.models import LedgerEntry
from payments.services import change_balance
from shopbot.test import make_product, make_promo
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase


def add_ledger_entry(customer: Customer, amount: str, kind: str) -> None:
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        change_balance(customer=locked, amount=Decimal(amount), kind=kind, reason="test")


class ProfileTests(BotTestCase):
    async def test_it_shows_the_balance_and_totals(self) -> None:
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        shop, alice = await self.start_chat()

        await alice.press("👤 Profile")

        self.assertIn("Balance: 40.01 RUB", alice.screen.text)
        self.assertIn("Spent from the balance: 9.99 RUB", alice.screen.text)
        self.assertEqual(
            alice.screen.labels,
            ["🧾 Purchase history", "📒 Operation history", "🎟 Redeem a promo code", "💳 Top up", "🏠 Menu"],
        )

    async def test_it_opens_with_the_profile_command_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5201, language_code="ru")

        await ivan.send("/profile")

        self.assertIn("Баланс: 0.00 RUB", ivan.screen.text)
        self.assertIn("🧾 История покупок", ivan.screen.labels)


class PurchaseHistoryTests(BotTestCase):
    async def test_it_pages_purchases_and_reopens_each_with_its_value(self) -> None:
        gift = self.gift
        await self.give(self.alice, "30")
        for _ in range(8):
            await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=gift.pk)
        for _ in range(2):
            await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=gift.pk)
        shop, alice = await self.start_chat()

        await alice.press("👤 Profile")
        await alice.press("🧾 Purchase history")
        self.assertIn("Page 1", alice.screen.labels)
        self.assertEqual(len([label for label in alice.screen.labels if label.startswith("#")]), 10)
        await alice.press("▶️")
        self.assertEqual(len([label for label in alice.screen.labels if label.startswith("#")]), 1)
        await alice.press("#")
        self.assertIn("https://example.com/gift", alice.screen.text)
        self.assertIn("<code>https://example.com/gift</code>", alice.screen.html)
        await alice.press("⬅️ Back")
        self.assertIn("Page 2", alice.screen.labels)

    async def test_it_says_when_there_is_nothing_yet(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press("👤 Profile")
        await bob.press("🧾 Purchase history")

        self.assertIn("You have not bought anything yet.", bob.screen.text)

    async def test_it_sends_a_value_too_long_for_a_message_as_a_file(self) -> None:
        long_value = "🔑" * 100 + "K" * 3897 + "<&>"  # 4,000 characters; emoji count twice
        product = await sync_to_async(make_product)(self.games, "Long key", "1.00", units=[long_value])
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=product.pk
        )
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PURCHASE.build(purchase.pk, 1))

        self.assertIn("sent as a file", alice.messages[-2].text)
        document = alice.messages[-1]
        self.assertEqual(document.kind, "document")
        self.assertEqual(document.media["content"].decode(), long_value)

    async def test_it_refuses_another_customers_purchase(self) -> None:
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        shop, bob = await self.start_chat(self.bob.telegram_id)
        before = bob.screen.text

        await bob.press_data(callbacks.PURCHASE.build(purchase.pk, 1))

        self.assertEqual(bob.alert, "This order was not found.")
        self.assertEqual(bob.screen.text, before)
        self.assertNotIn("AAA-111", "".join(message.text for message in bob.messages))

    async def give(self, customer: Customer, amount: str) -> None:
        await sync_to_async(add_ledger_entry)(customer, amount, LedgerEntry.Kind.ADMIN_CREDIT)


class LedgerTests(BotTestCase):
    async def test_it_pages_every_kind_of_operation(self) -> None:
        for kind in [
            LedgerEntry.Kind.TOP_UP,
            LedgerEntry.Kind.REFUND,
            LedgerEntry.Kind.REFERRAL_REWARD,
            LedgerEntry.Kind.PROMO,
        ] * 3:
            await sync_to_async(add_ledger_entry)(self.alice, "1.00", kind)
        await sync_to_async(add_ledger_entry)(self.alice, "-2.00", LedgerEntry.Kind.ADMIN_DEBIT)
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        shop, alice = await self.start_chat()

        await alice.press("👤 Profile")
        await alice.press("📒 Operation history")
        first_page = alice.screen.text
        await alice.press("▶️")
        text = first_page + alice.screen.text

        for label in (
            "Top-up",
            "Refund",
            "Referral reward",
            "Promo code",
            "Debit by the shop",
            "Purchase",
            "Credit by the shop",
        ):
            self.assertIn(label, text)
        self.assertIn("−9.99 RUB", first_page)
        self.assertIn("−2.00 RUB", first_page)

    async def test_it_shows_an_empty_page_past_the_end(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.LEDGER.build(99999))

        self.assertIn("Nothing here yet.", bob.screen.text)


class RedeemPromoTests(BotTestCase):
    async def test_it_redeems_a_balance_code(self) -> None:
        await sync_to_async(make_promo)("GIFT25", PromoCode.Kind.BALANCE, "25")
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press("👤 Profile")
        await bob.press("🎟 Redeem a promo code")
        self.assertIn("Send the promo code", bob.screen.text)
        await bob.send("gift25")

        self.assertIn("25.00 RUB added. Your balance: 25.00 RUB.", bob.screen.text)
        self.assertEqual((await Customer.objects.aget(pk=self.bob.pk)).balance, Decimal("25.00"))

    async def test_it_refuses_unknown_used_and_hostile_codes_and_keeps_asking(self) -> None:
        await sync_to_async(make_promo)("ONCE", PromoCode.Kind.BALANCE, "5")
        await sync_to_async(make_promo)("TENOFF", PromoCode.Kind.PERCENT, "10")
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press("👤 Profile")
        await bob.press("🎟 Redeem a promo code")

        answers = {
            "NOPE": "There is no such promo code.",
            "TENOFF": "apply it to an item",
            "x" * 5000: "one word of up to 32 characters",
            "<b>GIFT</b> & co": "one word of up to 32 characters",
            "\u200b\u200b": "",
            "🎁🎁🎁": "",
        }
        for text, expected in answers.items():
            await bob.send(text)
            self.assertIn(expected, bob.screen.text)
            self.assertNotIn("<b>GIFT", bob.screen.html)
        await bob.send("ONCE")
        await bob.press("🎟 Redeem a promo code")
        await bob.send("ONCE")

        self.assertIn("You have already used this promo code.", bob.screen.text)
        self.assertEqual((await Customer.objects.aget(pk=self.bob.pk)).balance, Decimal("5.00"))
