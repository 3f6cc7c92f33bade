"""Hide when sold out in the bot and the Mini App: the admin's switches, the lists, the badge, the card by id."""

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.models import Category, Product, StockUnit
from catalog.services import purchase_product, set_product_hide_when_sold_out
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.miniapp.tests.helpers import AppClient, signed_init_data
from telegrambot.testing.driver import TOKEN
from telegrambot.tests.admin_support import AdminTestCase


@sync_to_async
def sell_out(product: Product, telegram_id: int) -> None:
    for _unit in StockUnit.objects.filter(product=product, sold_at__isnull=True):
        purchase_product(telegram_id=telegram_id, product_id=product.pk)


class AdminSwitchTests(AdminTestCase):
    async def open_catalog(self, customer):
        user = await self.chat(customer)
        await user.send("/admin")
        await user.press("🗂 Catalog")
        await user.press("Games")
        return user

    async def test_it_switches_a_product_between_hiding_and_the_badge(self):
        adam = await self.open_catalog(self.admin)
        await adam.press("Game key · 9.99 RUB")
        self.assertIn("When sold out: listed with a “sold out” badge", adam.screen.text)

        await adam.press("🫥 Hide when sold out")
        self.assertIn("When sold out: hidden from the lists", adam.screen.text)
        self.assertTrue((await Product.objects.aget(pk=self.key.pk)).hide_when_sold_out)

        await adam.press("🏷 Show when sold out")
        self.assertFalse((await Product.objects.aget(pk=self.key.pk)).hide_when_sold_out)
        self.assertEqual(await self.audits("set_hide_when_sold_out", self.admin), 2)

    async def test_it_switches_a_category_and_its_products_say_so(self):
        adam = await self.open_catalog(self.admin)
        self.assertIn("listed with a “sold out” badge", adam.screen.text)

        await adam.press("🫥 Hide when sold out")
        self.assertIn("hidden from the lists, and the category once all are", adam.screen.text)
        self.assertTrue((await Category.objects.aget(pk=self.games.pk)).hide_when_sold_out)
        await adam.press("Game key · 9.99 RUB")
        self.assertIn("hidden from the lists (the category's setting)", adam.screen.text)

    async def test_it_refuses_staff_without_manage_catalog_and_forged_presses(self):
        carl = await self.chat(self.carl)  # may manage stock only
        await self.refused(carl, callbacks.ADMIN_PRODUCT_SOLD_OUT.build(self.key.pk, "on"), self.carl)
        await self.refused(carl, callbacks.ADMIN_CATEGORY_SOLD_OUT.build(self.games.pk, "on"), self.carl)

        adam = await self.chat(self.admin)
        await adam.press_data(callbacks.ADMIN_PRODUCT_SOLD_OUT.build(999_999, "on"))
        self.assertIn("no longer sold", adam.alert or "")
        await adam.press_data(callbacks.ADMIN_CATEGORY_SOLD_OUT.build(999_999, "on"))
        self.assertIn("no longer available", adam.alert or "")
        # Malformed on purpose: a state that is neither "on" nor "off", and an id that is not a number.
        for data in ("admph:1:maybe", "admch:<b>1</b>:on", "admph:-1:on"):
            await adam.press_data(data)
        self.assertFalse(await Product.objects.filter(hide_when_sold_out=True).aexists())
        self.assertFalse(await Category.objects.filter(hide_when_sold_out=True).aexists())


class CustomerListTests(AdminTestCase):
    async def test_a_sold_out_product_shows_its_badge_in_the_list(self):
        shop, alice = await self.start_chat()
        await sell_out(self.key, self.alice.telegram_id)

        await alice.press("🛍 Shop")
        await alice.press("📂 Games")

        self.assertIn("Game key · 9.99 RUB · sold out", alice.screen.labels)

    async def test_a_hidden_sold_out_product_and_category_leave_the_lists_but_the_card_stays(self):
        await Product.objects.filter(pk=self.key.pk).aupdate(hide_when_sold_out=True)
        films = await Category.objects.acreate(name="Films", position=2, hide_when_sold_out=True)
        film = await sync_to_async(make_product)(films, "Film", "3.00", units=["F-1"])
        shop, alice = await self.start_chat()
        await sell_out(self.key, self.alice.telegram_id)
        await sell_out(film, self.alice.telegram_id)

        await alice.press("🛍 Shop")
        self.assertNotIn("📂 Films", alice.screen.labels)
        await alice.press("📂 Games")
        self.assertEqual([label for label in alice.screen.labels if "RUB" in label], ["Gift link · 5.00 RUB"])

        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertIn("📦 Sold out", alice.screen)
        self.assertIn("🔔 Notify me", alice.screen.labels)


@override_settings(TOKEN=TOKEN, MINIAPP_AUTH_SECONDS=3600)
class MiniAppListTests(AdminTestCase):
    def app(self) -> AppClient:
        app = AppClient()
        app.sign_in(signed_init_data(self.alice.telegram_id))
        return app

    def test_the_grid_badges_or_hides_a_sold_out_product_as_the_chat_does(self):
        for _unit in range(2):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        app = self.app()
        items = app.get(f"categories/{self.games.pk}").json()["items"]
        self.assertEqual(
            {item["name"]: item["in_stock"] for item in items}, {"Game key": False, "Gift link": True}
        )

        set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=True)

        items = app.get(f"categories/{self.games.pk}").json()["items"]
        self.assertEqual([item["name"] for item in items], ["Gift link"])
        self.assertEqual(app.get("search", q="key").json()["items"], [])
        card = app.get(f"products/{self.key.pk}").json()["product"]
        self.assertIs(card["in_stock"], False)
