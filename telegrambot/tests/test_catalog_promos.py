"""Promo codes typed on a product card: the discount on the confirmation, and every refusal."""

from datetime import timedelta
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import Category, PromoCode, Purchase
from catalog.services import purchase_product
from shopbot.test import make_promo
from telegrambot import callbacks
from telegrambot.models import DialogState
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase


class CardPromoTests(BotTestCase):
    async def ask_for_code(self, user: ChatUser) -> None:
        await user.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await user.press("🎟 Apply promo code")

    async def test_it_applies_a_percent_code_and_charges_the_discounted_price(self) -> None:
        await sync_to_async(make_promo)("TENOFF", PromoCode.Kind.PERCENT, "10")
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)
        self.assertIn("Send the promo code for Game key", alice.screen.text)

        await alice.send("  tenoff ")

        self.assertIn("Promo code accepted.", alice.screen.text)
        self.assertIn("Price: 9.99 RUB 8.99 RUB", alice.screen.text)
        self.assertIn("<s>9.99 RUB</s> <b>8.99 RUB</b>", alice.screen.html)
        self.assertIn("Promo code TENOFF: −1.00 RUB", alice.screen.text)
        await alice.press("✅ Pay 8.99 RUB")
        self.assertIn("Paid: 8.99 RUB", alice.screen.text)
        purchase = await Purchase.objects.select_related("promo_code").aget()
        self.assertEqual((purchase.price, purchase.promo_code.code), (Decimal("8.99"), "TENOFF"))
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("41.01"))

    async def test_it_keeps_the_code_on_the_card_until_removed(self) -> None:
        await sync_to_async(make_promo)("TENOFF", PromoCode.Kind.PERCENT, "10")
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)
        await alice.send("TENOFF")

        await alice.press("⬅️ Back")
        self.assertIn("Promo code TENOFF will be applied when you buy.", alice.screen.text)
        self.assertIn("✖️ Remove promo code", alice.screen.labels)
        await alice.press("💰 Buy")
        self.assertIn("✅ Pay 8.99 RUB", alice.screen.labels)
        await alice.press("✖️ Remove promo code")

        self.assertEqual(alice.alert, "Promo code removed.")
        self.assertNotIn("TENOFF", alice.screen.text)
        await alice.press("💰 Buy")
        self.assertIn("✅ Pay 9.99 RUB", alice.screen.labels)

    async def test_it_makes_an_item_free_with_a_large_fixed_code(self) -> None:
        await sync_to_async(make_promo)("ALLFREE", PromoCode.Kind.FIXED, "50")
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)
        await alice.send("ALLFREE")

        await alice.press("✅ Pay 0.00 RUB")

        self.assertIn("<code>AAA-111</code>", alice.screen.html)
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("50.00"))

    async def test_it_refuses_each_unusable_code_with_its_own_reason(self) -> None:
        other = await Category.objects.acreate(name="Other")
        past = now() - timedelta(days=1)
        await sync_to_async(make_promo)("OLD", expires_at=past)
        await sync_to_async(make_promo)("GONE", max_uses=1, uses=1)
        await sync_to_async(make_promo)("OFF", is_active=False)
        await sync_to_async(make_promo)("GIFTONLY", product=self.gift)
        await sync_to_async(make_promo)("OTHERCAT", category=other)
        await sync_to_async(make_promo)("MONEY", PromoCode.Kind.BALANCE, "5")
        await sync_to_async(make_promo)("ONCE")
        await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.gift.pk, promo_code="ONCE"
        )
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)

        answers = {
            "NOPE": "There is no such promo code.",
            "OLD": "This promo code has expired.",
            "GONE": "This promo code has been used up.",
            "OFF": "This promo code is not active.",
            "GIFTONLY": "This promo code does not apply to this item.",
            "OTHERCAT": "This promo code does not apply to this item.",
            "MONEY": "This code adds money to your balance: redeem it from your profile.",
            "ONCE": "You have already used this promo code.",
        }
        for code, reason in answers.items():
            await alice.send(code)
            self.assertEqual(alice.screen.text, "⚠️ " + reason, code)

        self.assertEqual(await Purchase.objects.acount(), 1)
        state = await DialogState.objects.aget(telegram_id=alice.id)
        self.assertEqual(state.state, "product_promo")  # still asking

    async def test_it_answers_hostile_text_clearly_and_keeps_asking(self) -> None:
        await sync_to_async(make_promo)("TENOFF")
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)

        answers = {
            "x" * 5000: "A promo code is one word of up to 32 characters.",
            "<b>TENOFF</b> & co": "A promo code is one word of up to 32 characters.",
            "<b>TENOFF</b>": "There is no such promo code.",
            "&": "There is no such promo code.",
            "🎁🎁🎁": "There is no such promo code.",
            "TEN\u200bOFF": "There is no such promo code.",
            "1e9": "There is no such promo code.",
            "-1": "There is no such promo code.",
        }
        for text, expected in answers.items():
            await alice.send(text)
            self.assertIn(expected, alice.screen.text, text)
            self.assertNotIn("<b>TENOFF", alice.screen.html)
        await alice.send("TENOFF")
        self.assertIn("Promo code accepted.", alice.screen.text)

    async def test_it_refuses_a_code_that_stopped_working_before_paying(self) -> None:
        promo = await sync_to_async(make_promo)("TENOFF")
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)
        await alice.send("TENOFF")
        await PromoCode.objects.filter(pk=promo.pk).aupdate(is_active=False)

        await alice.press("✅ Pay 8.99 RUB")

        self.assertEqual(alice.alert, "This promo code is not active.")
        self.assertEqual(await Purchase.objects.acount(), 0)

    async def test_it_remembers_the_question_and_the_code_across_a_restart(self) -> None:
        await sync_to_async(make_promo)("TENOFF")
        shop, alice = await self.start_chat()
        await self.ask_for_code(alice)

        await shop.restart()
        await alice.send("TENOFF")
        await shop.restart()
        await alice.press("✅ Pay 8.99 RUB")

        self.assertEqual((await Purchase.objects.aget()).price, Decimal("8.99"))

    async def test_it_does_not_take_text_typed_on_the_confirmation_for_anything(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")

        await alice.send("<b>yes</b> & buy 1e9")

        self.assertIn("I did not understand that.", alice.screen.text)
        await alice.press_data(alice.messages[-2].buttons[0][0]["callback_data"])  # Pay, still valid
        self.assertEqual(await Purchase.objects.acount(), 1)

    async def test_it_refuses_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5301, language_code="ru")
        await ivan.press_data(callbacks.PRODUCT_PROMO.build(self.key.pk))

        await ivan.send("NOPE")

        self.assertEqual(ivan.screen.text, "⚠️ Такого промокода нет.")
