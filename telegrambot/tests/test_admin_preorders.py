"""Pre-orders in the admin menu: the product's switch, the queue count on the stock screen, refusals."""

from asgiref.sync import sync_to_async

from catalog.models import Product, StockUnit
from catalog.services.preorders import place_preorder
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase


class AdminPreOrderTests(AdminTestCase):
    async def test_it_switches_pre_orders_on_and_off_audited(self):
        adam = await self.chat(self.admin)
        await adam.press_data(callbacks.ADMIN_PRODUCT.build(self.key.pk))
        self.assertIn("Pre-orders: off", adam.screen.text)

        await adam.press("🕒 Take pre-orders when sold out")
        self.assertIn("Pre-orders: taken while sold out", adam.screen.text)
        self.assertTrue((await Product.objects.aget(pk=self.key.pk)).preorders)

        await adam.press("🚫 Stop taking pre-orders")
        self.assertFalse((await Product.objects.aget(pk=self.key.pk)).preorders)
        self.assertEqual(await self.audits("set_preorders", self.admin), 2)

    async def test_an_unlimited_product_has_no_switch(self):
        adam = await self.chat(self.admin)
        await adam.press_data(callbacks.ADMIN_PRODUCT.build(self.gift.pk))
        self.assertNotIn("🕒 Take pre-orders when sold out", adam.screen.labels)
        self.assertNotIn("Pre-orders:", adam.screen.text)

    async def test_the_stock_screen_counts_the_open_queue(self):
        await StockUnit.objects.filter(product=self.key).adelete()
        await Product.objects.filter(pk=self.key.pk).aupdate(preorders=True)
        await sync_to_async(place_preorder)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        carl = await self.chat(self.carl)  # may manage stock

        await carl.press_data(callbacks.ADMIN_STOCK_PRODUCT.build(self.key.pk))

        self.assertIn("Paid pre-orders waiting, filled first by new units: 1", carl.screen.text)

    async def test_it_refuses_staff_without_manage_catalog_and_forged_presses(self):
        carl = await self.chat(self.carl)  # may manage stock only
        await self.refused(carl, callbacks.ADMIN_PRODUCT_PREORDERS.build(self.key.pk, "on"), self.carl)

        adam = await self.chat(self.admin)
        await adam.press_data(callbacks.ADMIN_PRODUCT_PREORDERS.build(999_999, "on"))
        self.assertIn("no longer sold", adam.alert or "")
        for data in ("admppo:1:maybe", "admppo:<b>1</b>:on", "admppo:-1:on", "admppo:" + "9" * 5000 + ":on"):
            await adam.press_data(data)
        self.assertFalse(await Product.objects.filter(preorders=True).aexists())
