"""Names as long as the seed bot stores (100 characters) go in through the admin wizard and show on every screen."""

from catalog.models import Category, Product
from telegrambot.tests.admin_support import AdminTestCase

# 100 Cyrillic characters each: two bytes apiece in UTF-8, where button data counts bytes.
CATEGORY = ("Ключи активации для компьютерных игр, подписки и дополнения " * 2)[:100]
PRODUCT = ("Годовая подписка на облачное хранилище с семейным доступом, " * 2)[:100]


class LongNameTests(AdminTestCase):
    async def test_it_takes_100_character_names_in_the_wizard_and_shows_them_to_customers(self) -> None:
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        await adam.press("🗂 Catalog")
        await adam.press("➕ New category")
        self.assertIn("1 to 100 characters", adam.screen.text)
        await adam.send(CATEGORY + "ы")  # one too many
        self.assertTrue(adam.screen.text.startswith("⚠️"))
        await adam.send(CATEGORY)
        category = await Category.objects.aget(name=CATEGORY)
        await adam.press("➕ New product")
        await adam.send(PRODUCT)
        await adam.send("Описание")
        await adam.send("5")
        await adam.press("⏭ Skip")
        await adam.press("♾ Unlimited")
        await adam.send("https://example.com/redeem")
        product = await Product.objects.aget(name=PRODUCT, category=category)
        self.assertIn(PRODUCT, adam.screen.text)

        alice = await adam.shop.user(self.alice.telegram_id, username="alice")
        await alice.send("/start")
        await alice.press("🛍 Shop")
        await alice.press(f"📂 {CATEGORY[:30]}")  # buttons shorten long names
        self.assertIn(CATEGORY, alice.screen.text)
        await alice.press(PRODUCT[:30])
        self.assertIn(PRODUCT, alice.screen.text)
        await alice.press("🛒 Add to cart")
        await alice.press("🛒 Cart")
        self.assertIn(PRODUCT[:50], alice.screen.text)  # a cart of many lines shortens each name
        await alice.press("🛍 Shop")
        await alice.press(f"📂 {CATEGORY[:30]}")  # buttons shorten long names
        await alice.press(PRODUCT[:30])
        await alice.press("💰 Buy")
        await alice.press("✅ Pay 5.00 RUB")
        self.assertIn("Thank you for your purchase!", alice.screen.text)
        self.assertIn(PRODUCT, alice.screen.text)
        purchase = await product.purchases.aget()
        self.assertEqual((purchase.product_name, purchase.category_name), (PRODUCT, CATEGORY))
