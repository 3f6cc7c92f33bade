"""Notify me on a sold-out card: joining, leaving, and forged presses that change nothing."""

from asgiref.sync import sync_to_async

from catalog.models import StockUnit, WaitlistEntry
from catalog.services import add_stock
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase


class NotifyMeTests(BotTestCase):
    async def sold_out(self):
        await StockUnit.objects.filter(product=self.key).adelete()

    async def test_a_sold_out_card_offers_notify_me_and_toggles_it(self):
        await self.sold_out()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertIn("🔔 Notify me", alice.screen.labels)
        self.assertNotIn("💰 Buy", alice.screen.labels)

        await alice.press("🔔 Notify me")
        self.assertEqual(alice.alert, "You'll be told when it's back.")
        self.assertIn("🔕 Stop notifying", alice.screen.labels)
        self.assertEqual(await WaitlistEntry.objects.filter(customer=self.alice).acount(), 1)

        await alice.press("🔕 Stop notifying")
        self.assertEqual(alice.alert, "You will not be told when it's back.")
        self.assertIn("🔔 Notify me", alice.screen.labels)
        self.assertEqual(await WaitlistEntry.objects.acount(), 0)

    async def test_a_card_in_stock_has_no_notify_me_and_a_forged_press_joins_nothing(self):
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertNotIn("🔔 Notify me", alice.screen.labels)

        await alice.press_data(callbacks.WAITLIST.build(self.key.pk, 1))
        for forged in (callbacks.WAITLIST.build(999999, 1), "wait:<b>:1", "wait:" + "9" * 5000):
            await alice.press_data(forged, strict=False)

        self.assertEqual(await WaitlistEntry.objects.acount(), 0)

    async def test_restocking_releases_the_customer_once(self):
        await self.sold_out()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.WAITLIST.build(self.key.pk, 1))

        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))

        self.assertIn("💰 Buy", alice.screen.labels)
        entry = await WaitlistEntry.objects.aget()
        self.assertIsNotNone(entry.restocked_at)
