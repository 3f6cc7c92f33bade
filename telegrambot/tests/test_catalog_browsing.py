"""The shop: categories, products and the product card, paged, hidden things never shown."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer
from catalog.models import Category, Product, Review, StockUnit
from catalog.selectors import STOCK_SHOWN_MAX
from catalog.services import purchase_product
from shopbot.test import give_money, make_customer, make_product
from telegrambot import callbacks
from telegrambot.simulator.fake_telegram import FakeTelegram, Rejected
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase


class PictureRefusingTelegram(FakeTelegram):
    """A Bot API that cannot fetch the picture at a URL, as Telegram answers for a dead link."""

    def api_sendPhoto(self, params: dict) -> object:  # type: ignore[type-arg]
        raise Rejected("Bad Request: wrong file identifier/HTTP URL specified")


def make_many(count: int) -> Category:
    category = Category.objects.create(name="Many", position=5)
    for number in range(count):
        make_product(category, f"Item {number:02d}", "1.00", units=["X"], position=number)
    return category


class JourneyTests(BotTestCase):
    async def test_it_takes_a_new_user_from_start_to_a_delivered_key(self) -> None:
        shop, eve = await self.start_chat(5101, first_name="Eve")
        customer = await self.customer(5101)
        await sync_to_async(give_money)(customer, "30.00")

        await eve.press("🛍 Shop")
        self.assertIn("Choose a category:", eve.screen.text)
        await eve.press("📂 Games")
        self.assertEqual(eve.screen.labels[:2], ["Game key · 9.99 RUB", "Gift link · 5.00 RUB"])
        await eve.press("Game key")
        self.assertIn("📦 In stock: 2", eve.screen.text)
        await eve.press("💰 Buy")
        self.assertIn("Price: 9.99 RUB", eve.screen.text)
        await eve.press("✅ Pay 9.99 RUB")

        self.assertIn("Thank you for your purchase!", eve.screen.text)
        purchase = await customer.purchases.aget()
        self.assertIn(f"Order: #{purchase.order_number}", eve.screen.text)
        self.assertIn("<code>AAA-111</code>", eve.screen.html)
        self.assertEqual((await self.customer(5101)).balance, Decimal("20.01"))
        self.assertIn("⭐ Rate this item", eve.screen.labels)

    async def test_it_takes_a_russian_user_to_a_delivered_key(self) -> None:
        shop, ivan = await self.start_chat(5102, language_code="ru")
        await sync_to_async(give_money)(await self.customer(5102), "30.00")

        await ivan.press("🛍 Магазин")
        await ivan.press("📂 Games")
        await ivan.press("Gift link")
        await ivan.press("💰 Купить")
        self.assertIn("Подтвердите покупку", ivan.screen.text)
        await ivan.press("✅ Оплатить 5.00 RUB")

        self.assertIn("Спасибо за покупку!", ivan.screen.text)
        self.assertIn("<code>https://example.com/gift</code>", ivan.screen.html)

    async def test_it_opens_with_the_shop_command(self) -> None:
        shop, alice = await self.start_chat()

        await alice.send("/shop")

        self.assertIn("📂 Games", alice.screen.labels)

    async def customer(self, telegram_id: int) -> Customer:
        return await Customer.objects.aget(telegram_id=telegram_id)


class PaginationTests(BotTestCase):
    async def test_it_pages_25_products_ten_at_a_time(self) -> None:
        category = await sync_to_async(make_many)(25)
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.CATEGORY.build(category.pk, 1))

        self.assertEqual(alice.screen.labels[0], "Item 00 · 1.00 RUB")
        self.assertEqual(alice.screen.buttons[10], ["Page 1", "▶️"])
        await alice.press("▶️")
        self.assertEqual(alice.screen.labels[0], "Item 10 · 1.00 RUB")
        self.assertEqual(alice.screen.buttons[10], ["◀️", "Page 2", "▶️"])
        await alice.press("▶️")
        self.assertEqual(len([label for label in alice.screen.labels if label.startswith("Item")]), 5)
        self.assertEqual(alice.screen.buttons[5], ["◀️", "Page 3"])
        await alice.press("Page 3")  # the indicator is answered and changes nothing
        await alice.press("◀️")
        self.assertIn("Page 2", alice.screen.labels)

    async def test_it_goes_back_from_a_card_to_the_page_it_came_from(self) -> None:
        category = await sync_to_async(make_many)(25)
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.CATEGORY.build(category.pk, 3))

        await alice.press("Item 21")
        await alice.press("⬅️ Back")

        self.assertIn("Page 3", alice.screen.labels)

    async def test_it_pages_categories(self) -> None:
        for number in range(12):
            await Category.objects.acreate(name=f"Section {number:02d}", position=10 + number)
        shop, alice = await self.start_chat()

        await alice.press("🛍 Shop")
        self.assertEqual(alice.screen.buttons[10], ["Page 1", "▶️"])
        await alice.press("▶️")

        self.assertEqual(alice.screen.labels[:3], ["📂 Section 09", "📂 Section 10", "📂 Section 11"])

    async def test_it_shows_an_empty_page_past_the_end(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.CATEGORIES.build(99999))
        self.assertIn("Nothing here yet.", alice.screen.text)
        await alice.press_data(callbacks.CATEGORY.build(self.games.pk, 99999))
        self.assertIn("Nothing here yet.", alice.screen.text)

    async def test_it_says_when_the_shop_or_a_category_is_empty(self) -> None:
        empty = await Category.objects.acreate(name="Soon", position=9)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.CATEGORY.build(empty.pk, 1))
        self.assertIn("There are no items in this category yet.", alice.screen.text)
        await Category.objects.all().aupdate(is_active=False)
        await alice.press("🏠 Menu")
        await alice.press("🛍 Shop")
        self.assertIn("There is nothing for sale yet.", alice.screen.text)


class QueryCountTests(BotTestCase):
    async def count_queries(self, user: ChatUser, data: str) -> int:
        # Entered on the ORM's thread, where the adapter runs the selectors.
        queries = CaptureQueriesContext(connection)
        await sync_to_async(queries.__enter__)()
        await user.press_data(data)
        await sync_to_async(queries.__exit__)(None, None, None)
        return await sync_to_async(len)(queries)

    async def test_it_queries_the_same_for_a_small_and_a_large_category(self) -> None:
        small = await sync_to_async(make_many)(25)
        large = await Category.objects.acreate(name="Large", position=6)
        await Product.objects.abulk_create(
            Product(
                category=large,
                name=f"Bulk {number:04d}",
                price=Decimal("1.00"),
                is_unlimited=True,
                delivery=Product.DeliveryKind.SHARED,  # bulk_create skips save(), which sets it
                unlimited_value="v",
            )
            for number in range(2000)
        )
        shop, alice = await self.start_chat()

        small_page = await self.count_queries(alice, callbacks.CATEGORY.build(small.pk, 2))
        large_page = await self.count_queries(alice, callbacks.CATEGORY.build(large.pk, 150))

        self.assertEqual(small_page, large_page)
        self.assertGreater(small_page, 1)  # built, not cached: the category and its page of products
        self.assertIn("Bulk 1490", " ".join(alice.screen.labels))


class HiddenTests(BotTestCase):
    async def test_it_never_lists_hidden_categories_and_products(self) -> None:
        hidden = await Category.objects.acreate(name="Secret", position=2, is_active=False)
        await sync_to_async(make_product)(hidden, "Secret key", "1.00", units=["S"])
        await sync_to_async(make_product)(self.games, "Retired key", "1.00", units=["R"], is_active=False)
        shop, alice = await self.start_chat()

        await alice.press("🛍 Shop")
        self.assertEqual(alice.screen.labels, ["📂 Games", "🏠 Menu"])
        await alice.press("📂 Games")
        self.assertNotIn("Retired", " ".join(alice.screen.labels))

    async def test_it_refuses_forged_ids_of_hidden_or_missing_things(self) -> None:
        hidden = await Category.objects.acreate(name="Secret", position=2, is_active=False)
        secret = await sync_to_async(make_product)(hidden, "Secret key", "1.00", units=["S"])
        retired = await sync_to_async(make_product)(
            self.games, "Retired", "1.00", units=["R"], is_active=False
        )
        shop, alice = await self.start_chat()
        before = alice.screen.text

        await alice.press_data(callbacks.CATEGORY.build(hidden.pk, 1))
        self.assertEqual(alice.alert, "This category is no longer available.")
        for product in (secret, retired):
            for data in (
                callbacks.PRODUCT.build(product.pk, 1),
                callbacks.BUY.build(product.pk),
                callbacks.CART_ADD.build(product.pk),
                callbacks.PRODUCT_PROMO.build(product.pk),
                callbacks.REVIEWS.build(product.pk, 1),
                callbacks.RATE.build(product.pk),
            ):
                await alice.press_data(data)
                self.assertEqual(alice.alert, "This item is no longer sold.", data)
        await alice.press_data(callbacks.PRODUCT.build(999999999999999999, 1))
        self.assertEqual(alice.alert, "This item is no longer sold.")

        self.assertEqual(alice.screen.text, before)
        self.assertNotIn("Secret", "".join(message.text for message in alice.messages))
        self.assertEqual(await secret.cart_lines.acount() + await retired.cart_lines.acount(), 0)

    async def test_it_refuses_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5103, language_code="ru")

        await ivan.press_data(callbacks.PRODUCT.build(999999, 1))

        self.assertEqual(ivan.alert, "Этот товар больше не продаётся.")


class CardTests(BotTestCase):
    async def test_it_shows_a_big_stock_as_more_than_it_counts(self) -> None:
        drop = await sync_to_async(make_product)(self.games, "Drop key", "1.00")
        units = [StockUnit(product=drop, value=f"D-{n}") for n in range(STOCK_SHOWN_MAX + 1)]
        await StockUnit.objects.abulk_create(units)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(drop.pk, 1))

        self.assertIn("📦 In stock: 1000+", alice.screen.text)

    async def test_it_shows_price_stock_rating_and_reviews(self) -> None:
        carol = await sync_to_async(make_customer)(5104, first_name="Carol", balance="20")
        for buyer, rating in ((self.alice, 5), (carol, 4)):
            await sync_to_async(purchase_product)(telegram_id=buyer.telegram_id, product_id=self.gift.pk)
            await Review.objects.acreate(product=self.gift, customer=buyer, rating=rating)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(self.gift.pk, 1))

        self.assertIn("💰 Price: 5.00 RUB", alice.screen.text)
        self.assertIn("📦 In stock: unlimited", alice.screen.text)
        self.assertIn("⭐ Rating: 4.5/5 (2 reviews)", alice.screen.text)
        self.assertIn("💬 Reviews (2)", alice.screen.labels)
        self.assertEqual(
            alice.screen.labels[:4], ["💰 Buy", "🛒 Add to cart", "🛒 Cart", "🎟 Apply promo code"]
        )

    async def test_it_escapes_what_the_admin_typed(self) -> None:
        product = await sync_to_async(make_product)(
            self.games,
            "<b>Bold</b> & co",
            "1.00",
            units=["X"],
            description="<script>alert(1)</script> & \u200b 🎮",
        )
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(product.pk, 1))

        self.assertIn("&lt;b&gt;Bold&lt;/b&gt; &amp; co", alice.screen.html)
        self.assertIn("<script>alert(1)</script> & \u200b 🎮", alice.screen.text)

    async def test_it_shows_a_sold_out_item_without_buying_buttons(self) -> None:
        sold_out = await sync_to_async(make_product)(self.games, "Sold out key", "1.00")
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(sold_out.pk, 1))

        self.assertIn("📦 Sold out", alice.screen.text)
        self.assertEqual(alice.screen.labels, ["🔔 Notify me", "💬 Reviews (0)", "⬅️ Back", "🏠 Menu"])
        await alice.press("⬅️ Back")
        self.assertIn("Sold out key · 1.00 RUB · sold out", alice.screen.labels)

    async def test_it_sends_a_card_with_a_picture_as_a_photo(self) -> None:
        product = await sync_to_async(make_product)(
            self.games, "Pretty", "2.00", units=["P"], image="https://example.com/p.png"
        )
        shop, alice = await self.start_chat()
        await alice.press("🛍 Shop")
        await alice.press("📂 Games")

        await alice.press("Pretty")

        card = alice.messages[-1]
        self.assertEqual((card.kind, card.media), ("photo", "https://example.com/p.png"))
        self.assertIn("💰 Price: 2.00 RUB", card.text)
        self.assertEqual(len(alice.messages), 1)  # the list it was opened from is gone
        await alice.press("⬅️ Back")
        self.assertEqual([message.kind for message in alice.messages], ["text"])
        self.assertIn("Pretty · 2.00 RUB", alice.screen.labels)
        self.assertEqual(product.pk, (await Product.objects.aget(name="Pretty")).pk)

    async def test_it_puts_a_long_description_under_the_picture(self) -> None:
        await sync_to_async(make_product)(
            self.games,
            "Wordy",
            "2.00",
            units=["W"],
            image="photo-file-id",
            description="Long & <detailed>. " * 100,
        )
        shop, alice = await self.start_chat()
        await alice.press("🛍 Shop")
        await alice.press("📂 Games")

        await alice.press("Wordy")

        photo, card = alice.messages[-2:]
        self.assertEqual((photo.kind, photo.text), ("photo", "Wordy\n2.00 RUB"))
        self.assertEqual(card.kind, "text")
        self.assertIn("Long & <detailed>.", card.text)
        self.assertIn("💰 Buy", alice.screen.labels)

    async def test_it_shortens_a_description_of_emoji_to_fit_a_message(self) -> None:
        product = await sync_to_async(make_product)(
            self.games, "Emoji", "1.00", units=["E"], description="🎮" * 3000
        )
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(product.pk, 1))  # Telegram counts each emoji twice

        self.assertIn("🎮" * 1000, alice.screen.text)
        self.assertIn("💰 Price: 1.00 RUB", alice.screen.text)

    async def test_it_shows_the_card_without_a_picture_telegram_cannot_fetch(self) -> None:
        await sync_to_async(make_product)(
            self.games, "Broken", "2.00", units=["B"], image="https://dead.example/x.png"
        )
        shop = await self.start_shop(PictureRefusingTelegram())
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/shop")
        await alice.press("📂 Games")

        with alice.allowing_rejections():
            await alice.press("Broken")

        self.assertEqual([message.kind for message in alice.messages], ["text"])
        self.assertIn("💰 Price: 2.00 RUB", alice.screen.text)
        self.assertIn("💰 Buy", alice.screen.labels)
        self.assertEqual(shop.errors, [])

    @override_settings(STARS_PER_VALUE=Decimal("0.5"))
    async def test_it_offers_stars_when_the_shop_takes_them(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))

        self.assertIn("⭐ Pay 5 Stars", alice.screen.labels)
        button = [b for row in alice.screen.message.buttons for b in row if b["text"] == "⭐ Pay 5 Stars"][0]
        self.assertEqual(button["callback_data"], callbacks.PAY_STARS_PRODUCT.build(self.key.pk))

    async def test_it_hides_stars_when_the_shop_does_not_take_them(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))

        self.assertFalse(any("Stars" in label for label in alice.screen.labels))

    async def test_it_renders_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5105, language_code="ru")

        await ivan.press("🛍 Магазин")
        await ivan.press("📂 Games")
        await ivan.press("Game key")

        self.assertIn("💰 Цена: 9.99 RUB\n📦 В наличии: 2", ivan.screen.text)
        self.assertIn("🛒 В корзину", ivan.screen.labels)
