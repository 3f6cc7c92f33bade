"""Reviews: buyers rate 1–5 and may add a text; everyone pages through them."""

from asgiref.sync import sync_to_async

from catalog.models import Review
from catalog.services import purchase_product
from shopbot.test import make_customer
from telegrambot import callbacks
from telegrambot.models import DialogState
from telegrambot.tests.helpers import BotTestCase

REFUSED = "Only buyers of this item can review it."


def make_reviews(product, count: int, text: str = "") -> None:  # type: ignore[no-untyped-def]
    for number in range(count):
        customer = make_customer(6000 + number, first_name=f"Buyer{number:02d}")
        Review.objects.create(
            product=product, customer=customer, rating=1 + number % 5, text=text or f"Text {number}"
        )


class RatingTests(BotTestCase):
    async def buy_key(self) -> None:
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

    async def test_it_lets_a_buyer_rate_from_the_receipt_and_add_a_text(self) -> None:
        shop, alice = await self.start_chat(first_name="Alice")
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")
        await alice.press("✅ Pay 9.99 RUB")
        await alice.press("⭐ Rate this item")
        self.assertIn("Rate Game key", alice.screen.text)

        await alice.press("⭐⭐⭐⭐")
        self.assertIn("Your rating: ★★★★☆", alice.screen.text)
        await alice.send("Great <b>key</b> & 🎮 \u200b")

        self.assertEqual(alice.screen.text, "✅ Thank you! Your review is published.")
        review = await Review.objects.aget()
        self.assertEqual((review.rating, review.text), (4, "Great <b>key</b> & 🎮 \u200b"))
        await alice.press("💬 Reviews")
        self.assertIn("★★★★☆ Alice", alice.screen.text)
        self.assertIn("Great &lt;b&gt;key&lt;/b&gt; &amp; 🎮", alice.screen.html)
        await alice.press("⬅️ Back")
        self.assertIn("⭐ Rating: 4.0/5 (1 reviews)", alice.screen.text)

    async def test_it_saves_the_rating_alone_when_the_text_is_skipped(self) -> None:
        await self.buy_key()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.RATE.build(self.key.pk))
        await alice.press("⭐⭐⭐⭐⭐")

        await alice.press("⏭ Skip")

        self.assertIn("Thank you! Your review is published.", alice.screen.text)
        review = await Review.objects.aget()
        self.assertEqual((review.rating, review.text), (5, ""))
        self.assertFalse(await DialogState.objects.filter(telegram_id=alice.id).aexists())

    async def test_it_refuses_a_text_too_long_and_keeps_asking(self) -> None:
        await self.buy_key()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.RATE.build(self.key.pk))
        await alice.press("⭐⭐⭐")

        await alice.send("<i>" + "x" * 5000)
        self.assertEqual(alice.screen.text, "⚠️ A review must be at most 500 characters long.")
        self.assertEqual((await Review.objects.aget()).text, "")
        await alice.send("1e9 & <i>fine</i>")

        self.assertEqual((await Review.objects.aget()).text, "1e9 & <i>fine</i>")

    async def test_it_refuses_a_customer_who_did_not_buy(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.REVIEWS.build(self.key.pk, 1))
        await bob.press("⭐ Rate this item")

        await bob.press("⭐⭐⭐⭐⭐")

        self.assertEqual(bob.alert, REFUSED)
        self.assertEqual(await Review.objects.acount(), 0)
        self.assertIn("Rate Game key", bob.screen.text)

    async def test_it_refuses_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5501, language_code="ru")

        await ivan.press_data(callbacks.RATE_WITH.build(self.key.pk, "5"))

        self.assertEqual(ivan.alert, "Оставить отзыв могут только покупатели этого товара.")

    async def test_it_refuses_forged_presses(self) -> None:
        await self.buy_key()
        shop, bob = await self.start_chat(self.bob.telegram_id)
        before = bob.screen.text

        await bob.press_data(callbacks.RATE_WITH.build(self.key.pk, "5"))  # Alice bought it, Bob did not
        self.assertEqual(bob.alert, REFUSED)
        await bob.press_data(callbacks.SKIP_REVIEW_TEXT.build(self.key.pk))
        self.assertEqual(bob.alert, "That question has expired. Open the menu with /start.")
        for data in (
            callbacks.RATE_WITH.build(int("9" * 18), "5"),
            callbacks.RATE.build(int("9" * 18)),
            callbacks.REVIEWS.build(int("9" * 18), 1),
        ):
            await bob.press_data(data)
            self.assertIn(bob.alert, (REFUSED, "This item is no longer sold."), data)
        # Malformed on purpose, so written by hand: Route.build refuses to make any of these.
        for data in (
            f"rated:{self.key.pk}:6",
            f"rated:{self.key.pk}:0",
            f"rated:{self.key.pk}:-1",
            "rate:",
            f"revs:{self.key.pk}:0",
            f"revs:{self.key.pk}",
            "revskip:x",
        ):
            await bob.press_data(data)
            self.assertEqual(bob.alert, "This button is no longer valid. Open the menu with /start.", data)

        self.assertEqual(bob.screen.text, before)
        self.assertEqual(await Review.objects.acount(), 0)


class ReviewListTests(BotTestCase):
    async def test_it_pages_reviews_and_fits_long_ones_in_a_message(self) -> None:
        await sync_to_async(make_reviews)(self.key, 12, text="Long & <loud> review. " * 23)
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await bob.press("💬 Reviews (12)")

        self.assertEqual(bob.screen.text.count("…"), 10)  # each shortened to fit the page in a message
        self.assertEqual(bob.screen.text.count("Long & <loud> review."), 10 * 13)
        self.assertEqual(bob.screen.buttons[0], ["Page 1", "▶️"])
        await bob.press("▶️")
        self.assertEqual(bob.screen.text.count("Buyer"), 2)
        self.assertIn("Long & <loud> review. " * 22, bob.screen.text)  # two fit whole

    async def test_it_fits_a_page_of_emoji_reviews_in_a_message(self) -> None:
        await sync_to_async(make_reviews)(self.key, 10, text="😀" * 500)
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.REVIEWS.build(self.key.pk, 1))  # Telegram counts each emoji twice

        self.assertEqual(bob.screen.text.count("Buyer"), 10)

    async def test_it_names_reviewers_by_first_name_only(self) -> None:
        unnamed = await sync_to_async(make_customer)(6101, username="secret_user")
        tricky = await sync_to_async(make_customer)(6102, first_name="<b>Eve</b>", last_name="Hidden")
        await Review.objects.acreate(product=self.key, customer=unnamed, rating=5, text="")
        await Review.objects.acreate(product=self.key, customer=tricky, rating=2, text="Meh")
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.REVIEWS.build(self.key.pk, 1))

        self.assertIn("★★★★★ Customer", bob.screen.text)
        self.assertIn("&lt;b&gt;Eve&lt;/b&gt;", bob.screen.html)
        self.assertNotIn("secret_user", bob.screen.text)
        self.assertNotIn("Hidden", bob.screen.text)
        self.assertIn("Rating: 3.5/5 from 2 reviews", bob.screen.text)

    async def test_it_says_when_there_are_no_reviews(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.REVIEWS.build(self.key.pk, 1))
        self.assertIn("No reviews yet.", bob.screen.text)
        await bob.press_data(callbacks.REVIEWS.build(self.key.pk, 99999))
        self.assertIn("Nothing here yet.", bob.screen.text)

    async def test_it_renders_in_russian(self) -> None:
        await sync_to_async(make_reviews)(self.key, 3)
        shop, ivan = await self.start_chat(5502, language_code="ru")

        await ivan.press_data(callbacks.REVIEWS.build(self.key.pk, 1))

        self.assertIn("Отзывы о товаре Game key", ivan.screen.text)
        self.assertIn("Text 2", ivan.screen.text)
