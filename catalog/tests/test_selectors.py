from decimal import Decimal

from asgiref.sync import sync_to_async

from catalog import selectors
from catalog.models import Category, Product, PromoCode, Review, StockUnit
from catalog.selectors import MAX_PAGE, PAGE_SIZE, STOCK_SHOWN_MAX
from catalog.services import add_to_cart, apply_promo_to_cart_line, purchase_product, save_review
from shopbot.errors import CategoryNotFound, ProductNotFound, PurchaseNotFound
from shopbot.test import ShopTestCase, make_customer, make_product, make_promo


def make_products(category: Category, count: int) -> list[Product]:
    return [make_product(category, f"Item {n:03d}", "1.00", units=[f"U-{n}"]) for n in range(count)]


class ListCategoriesTests(ShopTestCase):
    def test_it_lists_active_categories_in_the_admins_order_in_one_query(self):
        Category.objects.create(name="Apps", position=2)
        Category.objects.create(name="Hidden", position=0, is_active=False)
        Category.objects.create(name="Books", position=0)

        with self.assertNumQueries(1):
            page = selectors.list_categories()

        self.assertEqual([c.name for c in page.items], ["Books", "Games", "Apps"])
        self.assertEqual((page.number, page.has_previous, page.has_next), (1, False, False))

    def test_it_pages_without_counting(self):
        Category.objects.bulk_create(Category(name=f"C{n:02d}", position=5) for n in range(PAGE_SIZE + 1))

        with self.assertNumQueries(1):
            second = selectors.list_categories(page=2)

        self.assertEqual(len(second.items), 2)
        self.assertEqual((second.has_previous, second.has_next), (True, False))
        self.assertIs(selectors.list_categories(page=1).has_next, True)

    def test_it_clamps_forged_page_numbers(self):
        for page, number in [(0, 1), (-7, 1), ("x", 1), (None, 1), (True, 1), ("3", 3), (10**12, MAX_PAGE)]:
            with self.subTest(page=page):
                self.assertEqual(selectors.list_categories(page=page).number, number)
        self.assertEqual(selectors.list_categories(page=10**12).items, [])


class ListProductsTests(ShopTestCase):
    def test_it_lists_active_products_in_position_name_id_order_in_two_queries(self):
        make_product(self.games, "Alpha", "1.00", position=5)
        make_product(self.games, "Zeta", "1.00", position=-1)
        make_product(self.games, "Hidden", "1.00", is_active=False)

        with self.assertNumQueries(2):
            page = selectors.list_products(category_id=self.games.pk)

        self.assertEqual([p.name for p in page.items], ["Zeta", "Game key", "Gift link", "Alpha"])

    def test_it_marks_what_is_in_stock_without_more_queries(self):
        empty = make_product(self.games, "Empty", "1.00")
        page = selectors.list_products(category_id=self.games.pk)

        with self.assertNumQueries(0):
            stock = {p.name: p.in_stock for p in page.items}
            categories = {p.category.name for p in page.items}

        self.assertEqual(stock, {"Game key": True, "Gift link": True, empty.name: False})
        self.assertEqual(categories, {"Games"})

    def test_it_costs_the_same_queries_for_a_large_category(self):
        make_products(self.games, 3 * PAGE_SIZE)

        with self.assertNumQueries(2):
            page = selectors.list_products(category_id=self.games.pk, page=3)

        self.assertEqual(len(page.items), PAGE_SIZE)
        self.assertIs(page.has_next, True)

    def test_it_hides_inactive_and_missing_categories(self):
        hidden = Category.objects.create(name="Hidden", is_active=False)
        make_product(hidden, "Secret", "1.00")

        for category_id in [hidden.pk, 999_999, "abc", None, -1]:
            with self.subTest(category_id=category_id), self.assertRaises(CategoryNotFound):
                selectors.list_products(category_id=category_id)


class GetProductCardTests(ShopTestCase):
    def test_it_shows_stock_rating_and_review_count_in_one_query(self):
        carol = make_customer(1003, balance="20")
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        purchase_product(telegram_id=carol.telegram_id, product_id=self.key.pk)
        save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5)
        save_review(telegram_id=carol.telegram_id, product_id=self.key.pk, rating=4)

        with self.assertNumQueries(1):
            card = selectors.get_product_card(product_id=self.key.pk)
            self.assertEqual(card.category.name, "Games")

        self.assertEqual((card.stock, card.rating, card.review_count), (0, Decimal("4.5"), 2))
        self.assertIs(card.in_stock, False)

    def test_it_counts_a_big_stock_only_up_to_what_customers_are_shown(self):
        drop = make_product(self.games, "Drop key", "1.00")
        StockUnit.objects.bulk_create(
            StockUnit(product=drop, value=f"D-{n}") for n in range(STOCK_SHOWN_MAX + 5)
        )

        card = selectors.get_product_card(product_id=drop.pk)
        listed = {
            product.pk: product.in_stock
            for product in selectors.list_products(category_id=self.games.pk).items
        }
        admin_card = selectors.get_product_card(product_id=drop.pk, include_hidden=True)

        self.assertEqual(card.stock, STOCK_SHOWN_MAX + 1)  # "more than shown"
        self.assertIs(listed[drop.pk], True)
        self.assertEqual(admin_card.stock, STOCK_SHOWN_MAX + 5)  # staff see every unit

    def test_it_shows_unlimited_products_without_a_count(self):
        card = selectors.get_product_card(product_id=self.gift.pk)

        self.assertEqual((card.stock, card.rating, card.review_count), (None, None, 0))
        self.assertIs(card.in_stock, True)

    def test_it_hides_hidden_and_missing_products_from_customers(self):
        hidden = make_product(self.games, "Hidden", "1.00", is_active=False)

        for product_id in [hidden.pk, 999_999, "1 OR 1=1", 0]:
            with self.subTest(product_id=product_id), self.assertRaises(ProductNotFound):
                selectors.get_product_card(product_id=product_id)
        self.assertEqual(
            selectors.get_product_card(product_id=hidden.pk, include_hidden=True).product, hidden
        )


class ListReviewsTests(ShopTestCase):
    def test_it_pages_reviews_newest_first_with_their_authors(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5, text="Good")

        with self.assertNumQueries(2):
            page = selectors.list_reviews(product_id=self.key.pk, page=1)
            self.assertEqual(page.items[0].customer.first_name, "Alice")

        self.assertEqual([r.text for r in page.items], ["Good"])

    def test_it_refuses_hidden_products(self):
        hidden = make_product(self.games, "Hidden", "1.00", is_active=False)
        Review.objects.create(product=hidden, customer=self.alice, rating=1)

        with self.assertRaises(ProductNotFound):
            selectors.list_reviews(product_id=hidden.pk)


class GetCartTests(ShopTestCase):
    def test_it_prices_each_line_today_with_its_discount(self):
        make_promo("TEN", product=self.key)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="TEN")

        with self.assertNumQueries(3):
            cart = selectors.get_cart(telegram_id=self.alice.telegram_id)

        key_line, gift_line = cart.items
        self.assertEqual(
            (key_line.unit_price, key_line.discount, key_line.total),
            (Decimal("9.99"), Decimal("1.00"), Decimal("18.98")),
        )
        self.assertEqual(gift_line.total, Decimal("5.00"))
        self.assertEqual((cart.total, cart.count), (Decimal("23.98"), 3))
        self.assertIs(cart.can_checkout, True)

    def test_it_says_which_lines_cannot_be_bought_now(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        self.key.stock.filter(value="BBB-222").update(sold_at="2026-01-01T00:00:00Z")
        Product.objects.filter(pk=self.gift.pk).update(is_active=False)

        cart = selectors.get_cart(telegram_id=self.alice.telegram_id)

        self.assertEqual(
            [item.problem for item in cart.items],
            [
                "Only 1 of Game key left.",
                "Gift link is no longer sold. Remove it from your cart to continue.",
            ],
        )
        self.assertIs(cart.can_checkout, False)

    def test_it_returns_an_empty_cart_for_unknown_customers(self):
        cart = selectors.get_cart(telegram_id=424242)

        self.assertIs(cart.is_empty, True)
        self.assertEqual(cart.total, Decimal("0"))

    def test_it_counts_units_for_the_menu_badge_in_one_query_then_from_the_cache(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=3)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        with self.assertNumQueries(1):
            self.assertEqual(selectors.count_cart_items(customer_id=self.alice.pk), 4)
        with self.assertNumQueries(0):
            self.assertEqual(selectors.count_cart_items(customer_id=self.alice.pk), 4)
        self.assertEqual(selectors.count_cart_items(customer_id=self.bob.pk), 0)


class PurchaseSelectorTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.purchase = purchase_product(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk)

    def test_it_lists_a_customers_purchases_newest_first(self):
        newer = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)

        with self.assertNumQueries(1):
            page = selectors.list_purchases(telegram_id=self.alice.telegram_id, page=1)

        self.assertEqual(page.items, [newer, self.purchase])
        self.assertEqual(selectors.list_purchases(telegram_id=self.bob.telegram_id).items, [])

    def test_it_shows_a_purchase_only_to_its_buyer(self):
        purchase = selectors.get_purchase(telegram_id=self.alice.telegram_id, purchase_id=self.purchase.pk)
        self.assertEqual(purchase.value, "AAA-111")

        for telegram_id, purchase_id in [
            (self.bob.telegram_id, self.purchase.pk),
            (self.alice.telegram_id, 999_999),
            (self.alice.telegram_id, "1 OR 1=1"),
            (self.alice.telegram_id, -1),
        ]:
            with (
                self.subTest(telegram_id=telegram_id, purchase_id=purchase_id),
                self.assertRaises(PurchaseNotFound),
            ):
                selectors.get_purchase(telegram_id=telegram_id, purchase_id=purchase_id)

    def test_it_finds_a_purchase_by_its_order_number(self):
        number = self.purchase.order_number

        for typed in [number, f"#{number}", f"  {number.lower()} "]:
            with self.subTest(typed=typed):
                self.assertEqual(selectors.find_purchase_by_order_number(order_number=typed), self.purchase)
        for typed in ["", "NOPE", "x" * 5000, "' OR 1=1 --", None]:
            with self.subTest(typed=typed), self.assertRaises(PurchaseNotFound):
                selectors.find_purchase_by_order_number(order_number=typed)

    async def test_it_returns_data_async_code_can_read(self):
        purchase = await sync_to_async(selectors.get_purchase)(
            telegram_id=self.alice.telegram_id, purchase_id=self.purchase.pk
        )
        card = await sync_to_async(selectors.get_product_card)(product_id=self.key.pk)
        page = await sync_to_async(selectors.list_products)(category_id=self.games.pk)

        self.assertEqual(purchase.product.category_id, self.games.pk)
        self.assertEqual(card.category.name, "Games")
        self.assertEqual(page.items[0].category.name, "Games")


class AdminListTests(ShopTestCase):
    def test_it_lists_hidden_categories_and_products_for_admins(self):
        hidden = Category.objects.create(name="Hidden", is_active=False, position=9)
        make_product(hidden, "Secret", "1.00", is_active=False)

        self.assertEqual([c.name for c in selectors.list_all_categories().items], ["Games", "Hidden"])
        self.assertEqual(
            [p.name for p in selectors.list_all_products(category_id=hidden.pk).items], ["Secret"]
        )

    def test_it_lists_stock_units_unsold_or_sold(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        unsold = selectors.list_stock_units(product_id=self.key.pk)
        sold = selectors.list_stock_units(product_id=self.key.pk, sold=True)

        self.assertEqual([u.value for u in unsold.items], ["BBB-222"])
        self.assertEqual([u.value for u in sold.items], ["AAA-111"])
        with self.assertRaises(ProductNotFound):
            selectors.list_stock_units(product_id=999_999)

    def test_it_lists_promo_codes_newest_first(self):
        make_promo("OLD")
        make_promo("NEW", product=self.key)

        with self.assertNumQueries(1):
            codes = [(p.code, p.product) for p in selectors.list_promo_codes().items]

        self.assertEqual(codes, [("NEW", self.key), ("OLD", None)])
        self.assertEqual(PromoCode.objects.count(), 2)

    def test_it_lists_products_running_low(self):
        Product.objects.filter(pk=self.key.pk).update(low_stock_threshold=2)
        make_product(self.games, "Plenty", "1.00", units=["P1", "P2", "P3"], low_stock_threshold=2)

        self.assertEqual([p.name for p in selectors.list_low_stock()], ["Game key"])
