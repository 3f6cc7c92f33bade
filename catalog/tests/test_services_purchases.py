from decimal import Decimal

from prometheus_client import REGISTRY

from catalog.models import Product, PromoUsage, Purchase, StockUnit
from catalog.services import (
    add_to_cart,
    checkout_cart,
    purchase_product,
    quote_product,
    save_product,
    set_category_active,
)
from payments.models import LedgerEntry
from shopbot.errors import (
    CustomerBlocked,
    CustomerNotFound,
    InsufficientFunds,
    OutOfStock,
    PriceChanged,
    ProductNotFound,
    PromoNotFound,
)
from shopbot.test import (
    MoneyTestCase,
    give_money,
    ledger_matches_balance,
    make_product,
    make_promo,
    row_counts,
)

FORGED_IDS = [0, -1, 2**63, 10**30, "1; DROP TABLE catalog_product", "abc", None, True, 1.5, "²"]


def nothing_sold() -> dict[str, int]:
    return row_counts(Purchase, LedgerEntry, PromoUsage)


class QuoteProductTests(MoneyTestCase):
    def test_it_quotes_the_list_price_without_a_code(self):
        quote = quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(quote.product, self.key)
        self.assertEqual(quote.list_price, Decimal("9.99"))
        self.assertEqual(quote.discount, Decimal("0"))
        self.assertEqual(quote.price, Decimal("9.99"))
        self.assertIsNone(quote.promo)

    def test_it_quotes_the_price_after_a_promo_code(self):
        make_promo("TEN", value="10")

        quote = quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code=" ten ")

        self.assertEqual(quote.discount, Decimal("1.00"))
        self.assertEqual(quote.price, Decimal("8.99"))
        self.assertEqual(quote.promo.code, "TEN")

    def test_it_refuses_a_sold_out_product(self):
        StockUnit.objects.filter(product=self.key).delete()

        with self.assertRaisesMessage(OutOfStock, "Game key is out of stock."):
            quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

    def test_it_refuses_hidden_and_missing_products(self):
        hidden = make_product(self.games, "Hidden", "1.00", units=["X"], is_active=False)

        for product_id in [hidden.pk, 999_999, *FORGED_IDS]:
            with self.subTest(product_id=product_id), self.assertRaises(ProductNotFound):
                quote_product(telegram_id=self.alice.telegram_id, product_id=product_id)

    def test_it_refuses_products_of_a_hidden_category(self):
        set_category_active(actor=self.owner, category_id=self.games.pk, active=False)

        with self.assertRaises(ProductNotFound):
            quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

    def test_it_refuses_blocked_and_unknown_customers(self):
        self.bob.is_blocked = True
        self.bob.save()

        with self.assertRaises(CustomerBlocked):
            quote_product(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        with self.assertRaises(CustomerNotFound):
            quote_product(telegram_id=424242, product_id=self.key.pk)


class PurchaseProductTests(MoneyTestCase):
    def test_it_sells_the_oldest_unit_and_debits_the_balance(self):
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(purchase.value, "AAA-111")
        self.assertEqual(purchase.price, Decimal("9.99"))
        self.assertEqual(purchase.list_price, Decimal("9.99"))
        self.assertEqual((purchase.product_name, purchase.category_name), ("Game key", "Games"))
        self.assertIsNotNone(StockUnit.objects.get(value="AAA-111").sold_at)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("40.01"))
        entry = self.alice.ledger.first()
        self.assertEqual(
            (entry.kind, entry.amount, entry.reference), ("purchase", Decimal("-9.99"), purchase.order_number)
        )
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_returns_the_purchase_with_what_the_bot_shows_already_loaded(self):
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        with self.assertNumQueries(0):
            self.assertEqual(purchase.product.category.name, "Games")
            self.assertEqual(purchase.buyer.telegram_id, self.alice.telegram_id)
            self.assertIsNone(purchase.promo_code)

    def test_it_counts_the_sale_in_metrics_once_committed(self):
        def sold() -> tuple[float, float]:
            labels = {"method": "balance"}
            return (
                REGISTRY.get_sample_value("shopbot_purchases_total", labels) or 0.0,
                REGISTRY.get_sample_value("shopbot_revenue_total", labels) or 0.0,
            )

        before = sold()
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
            self.assertEqual(sold(), before)  # nothing counted before the commit
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(InsufficientFunds):
            purchase_product(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        self.assertEqual(len(callbacks), 1)
        self.assertEqual(sold()[0], before[0] + 1)
        self.assertAlmostEqual(sold()[1], before[1] + 9.99)

    def test_it_delivers_the_unlimited_value_to_every_buyer(self):
        first = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        second = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)

        self.assertEqual(first.value, "https://example.com/gift")
        self.assertEqual(second.value, first.value)
        self.assertNotEqual(second.order_number, first.order_number)
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_gives_each_unit_once(self):
        values = [
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk).value
            for _ in range(2)
        ]

        self.assertEqual(values, ["AAA-111", "BBB-222"])
        with self.assertRaises(OutOfStock):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_keeps_the_snapshot_when_the_product_changes_later(self):
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        save_product(
            actor=self.owner, product_id=self.key.pk, category_id=self.games.pk, name="Renamed", price="1"
        )
        purchase.refresh_from_db()

        self.assertEqual((purchase.product_name, purchase.price), ("Game key", Decimal("9.99")))

    def test_it_refuses_without_enough_money_and_sells_nothing(self):
        before = nothing_sold()

        with self.assertRaisesMessage(InsufficientFunds, "the price is 9.99"):
            purchase_product(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        self.assertEqual(nothing_sold(), before)
        self.assertFalse(StockUnit.objects.filter(sold_at__isnull=False).exists())
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_refuses_a_blocked_customer(self):
        self.alice.is_blocked = True
        self.alice.save()

        with self.assertRaises(CustomerBlocked):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertEqual(Purchase.objects.count(), 0)

    def test_it_refuses_hidden_missing_and_forged_products(self):
        hidden = make_product(self.games, "Hidden", "1.00", units=["X"], is_active=False)
        before = nothing_sold()

        for product_id in [hidden.pk, 999_999, *FORGED_IDS]:
            with self.subTest(product_id=product_id), self.assertRaises(ProductNotFound):
                purchase_product(telegram_id=self.alice.telegram_id, product_id=product_id)
        self.assertEqual(nothing_sold(), before)

    def test_it_refuses_an_unlimited_product_without_a_value(self):
        broken = make_product(self.games, "Broken", "1.00", is_unlimited=True, unlimited_value="")

        with self.assertRaises(OutOfStock):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=broken.pk)

    def test_it_refuses_when_the_price_changed_since_the_confirmation(self):
        shown = quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        Product.objects.filter(pk=self.key.pk).update(price=Decimal("10.99"))
        before = nothing_sold()

        with self.assertRaisesMessage(PriceChanged, "Game key"):
            purchase_product(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)

        self.assertEqual(nothing_sold(), before)
        self.assertFalse(StockUnit.objects.filter(sold_at__isnull=False).exists())

    def test_it_sells_what_the_confirmation_showed_when_its_price_still_holds(self):
        shown = quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        purchase = purchase_product(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)

        self.assertEqual((purchase.product_id, purchase.price), (self.key.pk, Decimal("9.99")))

    def test_it_applies_and_counts_a_promo_code(self):
        promo = make_promo("HALF", value="50")

        purchase = purchase_product(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="half"
        )

        self.assertEqual((purchase.list_price, purchase.price), (Decimal("9.99"), Decimal("4.99")))
        self.assertEqual(purchase.promo_code, promo)
        promo.refresh_from_db()
        self.assertEqual(promo.uses, 1)
        usage = PromoUsage.objects.get()
        self.assertEqual(
            (usage.customer, usage.purchase, usage.discount), (self.alice, purchase, Decimal("5.00"))
        )
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_sells_for_nothing_when_a_fixed_discount_exceeds_the_price(self):
        make_promo("BIG", kind="fixed", value="100")
        entries = LedgerEntry.objects.count()

        purchase = purchase_product(
            telegram_id=self.bob.telegram_id, product_id=self.key.pk, promo_code="BIG"
        )

        self.assertEqual(purchase.price, Decimal("0.00"))
        self.assertEqual(LedgerEntry.objects.count(), entries)  # no money moved, so no ledger row
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_refuses_an_unknown_code_and_sells_nothing(self):
        before = nothing_sold()

        for code in ["NOPE", "", "   ", "a" * 5000, "<b>X</b>", "' OR 1=1 --", "ÄÖÜ", None]:
            with self.subTest(code=code), self.assertRaises(PromoNotFound):
                purchase_product(
                    telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code=code or ""
                )
        self.assertEqual(nothing_sold(), before)

    def test_it_lets_money_arrive_later(self):
        with self.assertRaises(InsufficientFunds):
            purchase_product(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        give_money(self.bob, "10.00")

        purchase = purchase_product(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        self.assertEqual(purchase.value, "AAA-111")
        self.assertTrue(ledger_matches_balance(self.bob))


class UnlimitedAfterStockTests(MoneyTestCase):
    """A product switched from stock to unlimited sells its unlimited value on every path."""

    def setUp(self):
        super().setUp()
        save_product(
            actor=self.owner,
            product_id=self.key.pk,
            category_id=self.games.pk,
            name="Game key",
            price="9.99",
            is_unlimited=True,
            unlimited_value="SHARED-KEY",
        )

    def test_it_sells_the_unlimited_value_from_the_balance_and_keeps_the_leftover_units(self):
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(purchase.value, "SHARED-KEY")
        self.assertEqual(StockUnit.objects.filter(product=self.key, sold_at__isnull=True).count(), 2)

    def test_it_sells_the_unlimited_value_from_the_cart(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=3)

        purchases = checkout_cart(telegram_id=self.alice.telegram_id)

        self.assertEqual([purchase.value for purchase in purchases], ["SHARED-KEY"] * 3)
        self.assertEqual(StockUnit.objects.filter(product=self.key, sold_at__isnull=True).count(), 2)
