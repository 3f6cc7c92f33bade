"""Press every shop, cart and review button a customer can reach: no dead button, no error."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.models import Category, Review
from catalog.services import add_to_cart, purchase_product
from shopbot.test import make_customer, make_product, make_promo
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase

# Every route of the shop, the cart and reviews that the crawl must have pressed.
SHOP_ROUTES = {
    route.prefix
    for route in (
        callbacks.SHOP,
        callbacks.CATEGORIES,
        callbacks.CATEGORY,
        callbacks.PRODUCT,
        callbacks.BUY,
        callbacks.CONFIRM_BUY,
        callbacks.PRODUCT_PROMO,
        callbacks.CART_ADD,
        callbacks.CART,
        callbacks.CART_LINE,
        callbacks.CART_QUANTITY,
        callbacks.CART_REMOVE,
        callbacks.CART_PROMO,
        callbacks.CART_CLEAR,
        callbacks.CHECKOUT,
        callbacks.CONFIRM_CHECKOUT,
        callbacks.REVIEWS,
        callbacks.RATE,
        callbacks.RATE_WITH,
        callbacks.PAY_STARS_PRODUCT,
        callbacks.PAY_STARS_CART,
    )
}


def prepare_shop(alice_id: int) -> None:
    """A shop with pages, pictures, reviews and a sold-out item; Alice with purchases and a cart."""
    many = Category.objects.create(name="Many", position=3)
    for number in range(12):
        make_product(many, f"Item {number:02d}", "1.00", units=["X"], position=number)
    games = Category.objects.get(name="Games")
    make_product(games, "Pretty", "2.00", units=["P1", "P2"], image="https://example.com/p.png")
    make_product(games, "Gone", "3.00")
    make_promo("TENOFF")
    purchase_product(telegram_id=alice_id, product_id=games.products.get(name="Gift link").pk)
    for number in range(3):
        reviewer = make_customer(7000 + number, first_name=f"Reviewer {number}")
        Review.objects.create(
            product=games.products.get(name="Gift link"), customer=reviewer, rating=5, text="<ok> &"
        )
    add_to_cart(telegram_id=alice_id, product_id=games.products.get(name="Game key").pk)
    add_to_cart(telegram_id=alice_id, product_id=games.products.get(name="Gift link").pk, quantity=2)


@override_settings(STARS_PER_VALUE=Decimal("1"))
class CrawlTests(BotTestCase):
    async def test_it_finds_no_dead_button_as_a_customer_with_a_cart_and_purchases(self) -> None:
        await sync_to_async(prepare_shop)(self.alice.telegram_id)
        shop, alice = await self.start_chat()

        pressed = await alice.crawl(limit=400, skip=("lang:",))

        prefixes = {data.split(":")[0] for data in pressed}
        self.assertLessEqual(SHOP_ROUTES, prefixes)
        self.assertEqual(shop.telegram.rejections, [])
        self.assertEqual(shop.errors, [])
        answered = [answer for answer in shop.telegram.callback_queries.values() if answer is not None]
        self.assertEqual(len(answered), len(shop.telegram.callback_queries))

    async def test_it_finds_no_dead_button_in_russian(self) -> None:
        await sync_to_async(prepare_shop)(self.alice.telegram_id)
        shop, ivan = await self.start_chat(5801, language_code="ru")
        await sync_to_async(add_to_cart)(telegram_id=5801, product_id=self.gift.pk)

        pressed = await ivan.crawl(limit=250, skip=("lang:",))

        self.assertLessEqual(
            {
                route.prefix
                for route in (
                    callbacks.SHOP,
                    callbacks.CATEGORY,
                    callbacks.PRODUCT,
                    callbacks.BUY,
                    callbacks.CART,
                    callbacks.CART_LINE,
                    callbacks.REVIEWS,
                )
            },
            {data.split(":")[0] for data in pressed},
        )
        self.assertEqual(shop.errors, [])
