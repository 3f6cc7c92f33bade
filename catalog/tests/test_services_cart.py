from decimal import Decimal

from catalog.models import CartLine, Product, PromoUsage, Purchase, StockUnit
from catalog.selectors import get_cart
from catalog.services import (
    add_to_cart,
    apply_promo_to_cart_line,
    checkout_cart,
    clear_cart,
    quote_cart,
    remove_from_cart,
    remove_promo_from_cart_line,
    set_cart_quantity,
    set_product_active,
)
from catalog.services.cart import MAX_LINES
from payments.models import LedgerEntry
from shopbot.errors import (
    CartChanged,
    CartEmpty,
    CustomerBlocked,
    InsufficientFunds,
    InvalidInput,
    NotEnoughStock,
    NotInCart,
    OutOfStock,
    ProductNotFound,
    ProductUnavailable,
    PromoAlreadyUsed,
    PromoNotApplicable,
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

HOSTILE_QUANTITIES = [
    0,
    -1,
    51,
    10**9,
    "",
    "abc",
    "1e3",
    "2.5",
    2.5,
    None,
    True,
    "<b>1</b>",
    "1; DROP TABLE x",
]


def written() -> dict[str, int]:
    return row_counts(Purchase, LedgerEntry, PromoUsage, CartLine)


class AddToCartTests(MoneyTestCase):
    def test_it_adds_a_line_and_then_adds_to_it(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        line = add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity="3")

        self.assertEqual(line.quantity, 4)
        self.assertEqual(CartLine.objects.count(), 1)

    def test_it_refuses_more_units_than_in_stock(self):
        with self.assertRaisesMessage(NotEnoughStock, "Only 2 of Game key left."):
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=3)
        self.assertEqual(CartLine.objects.count(), 0)

    def test_it_refuses_a_sold_out_product(self):
        StockUnit.objects.filter(product=self.key).update(sold_at="2026-01-01T00:00:00Z")

        with self.assertRaises(OutOfStock):
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

    def test_it_refuses_hostile_quantities(self):
        for quantity in HOSTILE_QUANTITIES:
            with self.subTest(quantity=quantity), self.assertRaises(InvalidInput):
                add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=quantity)
        self.assertEqual(CartLine.objects.count(), 0)

    def test_it_bounds_one_line_to_fifty_units(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=50)

        with self.assertRaisesMessage(InvalidInput, "at most 50 of one item"):
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)

    def test_it_bounds_the_number_of_lines(self):
        products = [
            make_product(self.games, f"Item {n}", "1.00", is_unlimited=True, unlimited_value="v")
            for n in range(MAX_LINES + 1)
        ]
        for product in products[:MAX_LINES]:
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=product.pk)

        with self.assertRaisesMessage(InvalidInput, "at most 50 different items"):
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=products[-1].pk)
        self.assertEqual(CartLine.objects.count(), MAX_LINES)

    def test_it_refuses_hidden_products_and_blocked_customers(self):
        set_product_active(actor=self.owner, product_id=self.gift.pk, active=False)
        with self.assertRaises(ProductNotFound):
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)

        self.bob.is_blocked = True
        self.bob.save()
        with self.assertRaises(CustomerBlocked):
            add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        self.assertEqual(CartLine.objects.count(), 0)


class SetCartQuantityTests(MoneyTestCase):
    def test_it_changes_the_quantity(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        line = set_cart_quantity(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)

        self.assertEqual(line.quantity, 2)

    def test_it_refuses_a_product_not_in_the_cart(self):
        for product_id in [self.key.pk, 0, "x", None, 10**40]:
            with self.subTest(product_id=product_id), self.assertRaises(NotInCart):
                set_cart_quantity(telegram_id=self.alice.telegram_id, product_id=product_id, quantity=1)

    def test_it_refuses_hostile_quantities_and_keeps_the_line(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=2)

        for quantity in HOSTILE_QUANTITIES:
            with self.subTest(quantity=quantity), self.assertRaises(InvalidInput):
                set_cart_quantity(
                    telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=quantity
                )
        self.assertEqual(CartLine.objects.get().quantity, 2)

    def test_it_refuses_more_than_in_stock(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        with self.assertRaises(NotEnoughStock):
            set_cart_quantity(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=3)

    def test_it_refuses_a_product_hidden_since(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        set_product_active(actor=self.owner, product_id=self.key.pk, active=False)

        with self.assertRaisesMessage(ProductUnavailable, "Game key is no longer sold"):
            set_cart_quantity(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=1)


class RemoveFromCartTests(MoneyTestCase):
    def test_it_removes_a_line_and_a_repeat_is_harmless(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertIs(remove_from_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk), True)
        self.assertIs(remove_from_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk), False)
        self.assertEqual(CartLine.objects.count(), 0)

    def test_it_never_touches_another_customers_cart(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        remove_from_cart(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        clear_cart(telegram_id=self.bob.telegram_id)

        self.assertEqual(CartLine.objects.count(), 1)

    def test_it_refuses_forged_ids(self):
        with self.assertRaises(NotInCart):
            remove_from_cart(telegram_id=self.alice.telegram_id, product_id="1 OR 1=1")


class ClearCartTests(MoneyTestCase):
    def test_it_empties_the_cart(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)

        self.assertEqual(clear_cart(telegram_id=self.alice.telegram_id), 2)
        self.assertIs(get_cart(telegram_id=self.alice.telegram_id).is_empty, True)


class ApplyPromoToCartLineTests(MoneyTestCase):
    def test_it_attaches_a_code_without_redeeming_it(self):
        promo = make_promo("TEN")
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        line = apply_promo_to_cart_line(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="ten"
        )

        self.assertEqual(line.promo_code, promo)
        promo.refresh_from_db()
        self.assertEqual(promo.uses, 0)
        self.assertEqual(get_cart(telegram_id=self.alice.telegram_id).items[0].discount, Decimal("1.00"))

    def test_it_refuses_a_code_for_another_product(self):
        make_promo("GIFTONLY", product=self.gift)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        with self.assertRaises(PromoNotApplicable):
            apply_promo_to_cart_line(
                telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="GIFTONLY"
            )
        self.assertIsNone(CartLine.objects.get().promo_code)

    def test_it_keeps_a_once_per_user_code_on_one_line(self):
        make_promo("ONCE")
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="ONCE")

        with self.assertRaises(PromoAlreadyUsed):
            apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, code="ONCE")

    def test_it_refuses_hostile_codes_and_lines_not_in_the_cart(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        for code in ["", "x" * 4000, "<script>", "'; DELETE FROM catalog_promocode; --", None, 12]:
            with self.subTest(code=code), self.assertRaises(PromoNotFound):
                apply_promo_to_cart_line(
                    telegram_id=self.alice.telegram_id, product_id=self.key.pk, code=code
                )
        with self.assertRaises(NotInCart):
            apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, code="TEN")

    def test_it_detaches_a_code(self):
        make_promo("TEN")
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="TEN")

        line = remove_promo_from_cart_line(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertIsNone(line.promo_code)


class CheckoutCartTests(MoneyTestCase):
    def test_it_buys_every_line_at_once(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        shown = quote_cart(telegram_id=self.alice.telegram_id)

        purchases = checkout_cart(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)

        self.assertEqual(shown.total, Decimal("24.98"))
        self.assertEqual([p.value for p in purchases], ["AAA-111", "BBB-222", "https://example.com/gift"])
        self.assertEqual(CartLine.objects.count(), 0)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("25.02"))
        self.assertEqual(self.alice.ledger.filter(kind="purchase").count(), 3)
        self.assertEqual(
            set(self.alice.ledger.filter(kind="purchase").values_list("reference", flat=True)),
            {p.order_number for p in purchases},
        )
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_discounts_one_unit_of_a_line_and_counts_one_use(self):
        promo = make_promo("TEN")
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=3)
        apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, code="TEN")

        shown = quote_cart(telegram_id=self.alice.telegram_id)

        purchases = checkout_cart(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)

        self.assertEqual(shown.total, Decimal("14.50"))
        self.assertEqual([p.price for p in purchases], [Decimal("4.50"), Decimal("5.00"), Decimal("5.00")])
        promo.refresh_from_db()
        self.assertEqual(promo.uses, 1)
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_sells_nothing_when_one_line_cannot_be_delivered(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)
        StockUnit.objects.filter(value="BBB-222").update(sold_at="2026-01-01T00:00:00Z")
        before = written()

        with self.assertRaisesMessage(NotEnoughStock, "Only 1 of Game key left."):
            checkout_cart(telegram_id=self.alice.telegram_id)

        self.assertEqual(written(), before)
        self.assertIsNone(StockUnit.objects.get(value="AAA-111").sold_at)
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_names_a_product_hidden_since_it_was_added(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        set_product_active(actor=self.owner, product_id=self.key.pk, active=False)
        before = written()

        with self.assertRaisesMessage(ProductUnavailable, "Game key is no longer sold"):
            checkout_cart(telegram_id=self.alice.telegram_id)
        self.assertEqual(written(), before)

    def test_it_refuses_when_the_cart_changed_since_the_confirmation(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        changes = {
            "price": lambda: Product.objects.filter(pk=self.key.pk).update(price=Decimal("10.99")),
            "quantity": lambda: CartLine.objects.update(quantity=2),
            "another line": lambda: add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk),
        }
        for name, change in changes.items():
            with self.subTest(change=name):
                shown = quote_cart(telegram_id=self.alice.telegram_id)
                change()
                before = written()

                with self.assertRaises(CartChanged):
                    checkout_cart(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)

                self.assertEqual(written(), before)

    def test_it_refuses_an_empty_cart(self):
        with self.assertRaises(CartEmpty):
            checkout_cart(telegram_id=self.alice.telegram_id)

    def test_it_refuses_without_enough_money_for_the_total(self):
        give_money(self.bob, "10.00")
        add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)
        before = written()

        with self.assertRaisesMessage(InsufficientFunds, "the price is 14.99"):
            checkout_cart(telegram_id=self.bob.telegram_id)

        self.assertEqual(written(), before)
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_charges_full_price_for_a_code_that_stopped_working_as_the_cart_showed(self):
        promo = make_promo("TEN")
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="TEN")
        promo.is_active = False
        promo.save()
        shown = quote_cart(telegram_id=self.alice.telegram_id)

        [purchase] = checkout_cart(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)

        self.assertEqual(shown.items[0].promo_problem, "This promo code is not active.")
        self.assertEqual(purchase.price, Decimal("9.99"))
        self.assertIsNone(purchase.promo_code)
        self.assertEqual(PromoUsage.objects.count(), 0)

    def test_it_refuses_when_a_code_stopped_working_after_the_confirmation(self):
        promo = make_promo("TEN")
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        apply_promo_to_cart_line(telegram_id=self.alice.telegram_id, product_id=self.key.pk, code="TEN")
        shown = quote_cart(telegram_id=self.alice.telegram_id)
        promo.max_uses, promo.uses = 1, 1
        promo.save()

        with self.assertRaises(CartChanged):
            checkout_cart(telegram_id=self.alice.telegram_id, intent_id=shown.intent_id)
        self.assertEqual(Purchase.objects.count(), 0)

    def test_it_refuses_a_blocked_customer(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.alice.is_blocked = True
        self.alice.save()

        with self.assertRaises(CustomerBlocked):
            checkout_cart(telegram_id=self.alice.telegram_id)
        self.assertEqual(Purchase.objects.count(), 0)
