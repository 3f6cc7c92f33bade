"""A shared file not set yet is sold out on every face: no Buy, the sold-out line, Notify me."""

from asgiref.sync import sync_to_async

from catalog.models import Product
from catalog.selectors import get_product_card
from catalog.services.delivery_files import FileSpec, set_shared_file
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase

Kind = Product.DeliveryKind


class SharedFileWithoutItsFileTests(BotTestCase):
    @sync_to_async
    def make_config(self, *, with_file: bool) -> Product:
        config = make_product(self.games, "Config", "2.00", is_unlimited=True, delivery=Kind.SHARED_FILE)
        if with_file:
            set_shared_file(
                actor=self.owner, product_id=config.pk, file=FileSpec("vpn.conf", 10, file_id="TG-C")
            )
        return config

    async def test_it_shows_the_card_sold_out_without_buy(self):
        config = await self.make_config(with_file=False)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(config.pk, 1))

        self.assertIn("📦 Sold out", alice.screen)
        self.assertNotIn("unlimited", alice.screen.text)
        self.assertNotIn("💰 Buy", alice.screen.labels)
        self.assertNotIn("🛒 Add to cart", alice.screen.labels)
        self.assertIn("🔔 Notify me", alice.screen.labels)

    async def test_it_sells_once_the_file_is_set(self):
        config = await self.make_config(with_file=True)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(config.pk, 1))

        self.assertIn("📦 In stock: unlimited", alice.screen)
        self.assertIn("💰 Buy", alice.screen.labels)

    async def test_the_mini_app_card_says_it_is_not_in_stock(self):
        config = await self.make_config(with_file=False)

        card = await sync_to_async(get_product_card)(product_id=config.pk)

        self.assertIs(card.in_stock, False)
