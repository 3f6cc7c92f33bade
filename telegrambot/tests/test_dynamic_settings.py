"""A dynamic product set up in the admin menu: the seller's endpoint and secret, hostile input, permissions."""

from asgiref.sync import sync_to_async

from catalog.models import Product
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase

SECRET = "s3cr3t-Key_0123456789"


class DynamicSettingsTests(AdminTestCase):
    async def open_product(self):
        product = await sync_to_async(make_product)(self.games, "Licence", "4.00")
        adam = await self.chat(self.admin)
        await adam.press_data(callbacks.ADMIN_STOCK_PRODUCT.build(product.pk))
        return adam, product

    async def test_an_admin_sells_keys_from_their_own_api_without_touching_code(self):
        adam, product = await self.open_product()

        await adam.press("🔌 Deliver from the seller's system instead")
        self.assertIn("https:// address", adam.screen.text)
        for bad in (
            "http://keys.example.com/issue\n" + SECRET,
            "https://keys.example.com/issue\nshort",
            "https://keys.example.com/issue",  # no secret yet
            "<b>https://x</b>\n" + SECRET,
            "https://keys.example.com/" + "a" * 600 + "\n" + SECRET,
            "https://keys.example.com/issue\n" + "x" * 200,
            "-5",
        ):
            await adam.send(bad)
            self.assertIn("⚠️", adam.screen.text)
        await adam.send("https://keys.example.com/issue\n" + SECRET)

        self.assertIn("keys.example.com", adam.screen.text)
        self.assertIn("••••6789", adam.screen.text)
        self.assertNotIn(SECRET, adam.screen.text)
        saved = await Product.objects.aget(pk=product.pk)
        self.assertEqual((saved.delivery, saved.endpoint_secret), ("dynamic", SECRET))
        deleted = [call.params.get("message_id") for call in adam.shop.telegram.calls_to("deleteMessage")]
        self.assertGreaterEqual(len(deleted), 8)  # every typed message, the secret's among them

        await adam.press_data(callbacks.ADMIN_STOCK_PRODUCT.build(product.pk))
        self.assertIn("seller's system: keys.example.com", adam.screen.text)
        self.assertNotIn(SECRET, adam.screen.text)
        await adam.press("🔌 Seller's endpoint")
        await adam.send("https://keys.example.com/v2")  # keeps the secret
        saved = await Product.objects.aget(pk=product.pk)
        self.assertEqual((saved.endpoint_url, saved.endpoint_secret), ("https://keys.example.com/v2", SECRET))

    async def test_it_refuses_staff_without_manage_catalog(self):
        product = await sync_to_async(make_product)(self.games, "Licence", "4.00")
        carl = await self.chat(self.carl)  # may manage stock only
        await self.refused(carl, callbacks.ADMIN_DYNAMIC_ENDPOINT.build(product.pk), self.carl)
        self.assertEqual((await Product.objects.aget(pk=product.pk)).delivery, "stock")
