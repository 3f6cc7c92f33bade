from catalog.models import Review
from catalog.services import purchase_product, save_review
from shopbot.errors import CustomerBlocked, InvalidInput, ProductNotFound, ReviewNotAllowed
from shopbot.test import ShopTestCase


class SaveReviewTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        purchase_product(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk)

    def test_it_saves_a_buyers_review(self):
        review = save_review(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5, text="  Works!  "
        )

        self.assertEqual((review.rating, review.text), (5, "Works!"))
        self.assertEqual(review.customer, self.alice)

    def test_it_edits_the_review_on_a_second_call(self):
        save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=2, text="Slow")

        review = save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating="4")

        self.assertEqual(Review.objects.count(), 1)
        self.assertEqual((review.rating, review.text), (4, "Slow"))

    def test_it_clears_the_text_only_when_asked(self):
        save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=2, text="Slow")

        review = save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=3, text="")

        self.assertEqual((review.rating, review.text), (3, ""))

    def test_it_keeps_html_and_sql_looking_text_as_plain_text(self):
        text = "<b>great</b> & '; DROP TABLE catalog_review; --"

        review = save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=3, text=text)

        self.assertEqual(Review.objects.get(pk=review.pk).text, text)  # escaped when shown, never here

    def test_it_drops_control_characters(self):
        review = save_review(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=3, text="ok\x00\x07\nfine"
        )

        self.assertEqual(review.text, "ok\nfine")

    def test_it_refuses_someone_who_did_not_buy_the_product(self):
        for product_id, telegram_id in [
            (self.key.pk, self.bob.telegram_id),
            (self.gift.pk, self.alice.telegram_id),
        ]:
            with self.subTest(product_id=product_id), self.assertRaises(ReviewNotAllowed):
                save_review(telegram_id=telegram_id, product_id=product_id, rating=5)
        self.assertEqual(Review.objects.count(), 0)

    def test_it_refuses_ratings_outside_one_to_five(self):
        for rating in [0, 6, -1, 10**9, "five", "", None, 4.5, True, "<5>"]:
            with self.subTest(rating=rating), self.assertRaisesMessage(InvalidInput, "from 1 to 5"):
                save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=rating)
        self.assertEqual(Review.objects.count(), 0)

    def test_it_refuses_text_over_500_characters(self):
        with self.assertRaisesMessage(InvalidInput, "at most 500 characters"):
            save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5, text="a" * 501)
        with self.assertRaises(InvalidInput):
            save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5, text=["list"])
        self.assertEqual(Review.objects.count(), 0)

    def test_it_accepts_exactly_500_characters_after_trimming(self):
        review = save_review(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5, text="  " + "я" * 500 + "  "
        )

        self.assertEqual(len(review.text), 500)

    def test_it_refuses_missing_products_and_blocked_customers(self):
        with self.assertRaises(ProductNotFound):
            save_review(telegram_id=self.alice.telegram_id, product_id=999_999, rating=5)
        self.alice.is_blocked = True
        self.alice.save()
        with self.assertRaises(CustomerBlocked):
            save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5)
        self.assertEqual(Review.objects.count(), 0)
