from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.utils.timezone import now

from accounts.models import AuditEntry
from catalog.models import CartLine, Category, PromoCode, PromoUsage, Purchase
from catalog.selectors import get_cart
from catalog.services import (
    add_to_cart,
    apply_promo_to_cart_line,
    delete_promo,
    purchase_product,
    quote_product,
    redeem_balance_promo,
    save_promo,
    set_promo_active,
)
from payments.models import LedgerEntry
from shopbot.errors import (
    AmountOutOfRange,
    CategoryNotFound,
    CustomerBlocked,
    InvalidAmount,
    InvalidInput,
    MoneyEscalation,
    NameTaken,
    PermissionDenied,
    ProductNotFound,
    PromoAlreadyUsed,
    PromoExpired,
    PromoInactive,
    PromoNotApplicable,
    PromoNotFound,
    PromoUsedUp,
    PromoWrongKind,
    StaffCodeRefused,
)
from shopbot.test import (
    MoneyTestCase,
    give_money,
    ledger_matches_balance,
    make_customer,
    make_promo,
    row_counts,
)

HOSTILE_AMOUNTS = [
    "",
    "   ",
    "0",
    "0.00",
    "-5",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e3",
    "9.999",
    "99999999999",
    "<b>5</b>",
    "5; DROP TABLE catalog_promocode",
    float("nan"),
    5.5,
    None,
    True,
    Decimal("NaN"),
]


class PromoDiscountTests(MoneyTestCase):
    """The checks every discount code goes through, as the confirmation screen sees them."""

    def quote(self, code: str, telegram_id: int | None = None):
        return quote_product(
            telegram_id=telegram_id or self.alice.telegram_id, product_id=self.key.pk, promo_code=code
        )

    def test_it_takes_a_fixed_amount_off(self):
        make_promo("TWO", kind="fixed", value="2")

        self.assertEqual(self.quote("two").price, Decimal("7.99"))

    def test_it_applies_a_code_bound_to_the_category_or_the_product(self):
        make_promo("CAT", category=self.games)
        make_promo("PROD", product=self.key)

        self.assertEqual(self.quote("CAT").discount, Decimal("1.00"))
        self.assertEqual(self.quote("PROD").discount, Decimal("1.00"))

    def test_it_refuses_a_code_bound_elsewhere(self):
        make_promo("GIFT", product=self.gift)
        make_promo("ELSEWHERE", category=Category.objects.create(name="Films"))

        for code in ["GIFT", "ELSEWHERE"]:
            with self.subTest(code=code), self.assertRaises(PromoNotApplicable):
                self.quote(code)

    def test_it_refuses_each_unusable_code_with_its_own_error(self):
        make_promo("OFF", is_active=False)
        make_promo("OLD", expires_at=now() - timedelta(minutes=1))
        make_promo("GONE", max_uses=2, uses=2)
        make_promo("CASH", kind="balance", value="5")

        for code, error in [
            ("OFF", PromoInactive),
            ("OLD", PromoExpired),
            ("GONE", PromoUsedUp),
            ("CASH", PromoWrongKind),
            ("MISSING", PromoNotFound),
        ]:
            with self.subTest(code=code), self.assertRaises(error):
                self.quote(code)

    def test_it_refuses_a_second_use_of_a_once_per_user_code(self):
        make_promo("ONCE")
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="ONCE")

        with self.assertRaises(PromoAlreadyUsed):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="ONCE")
        self.assertEqual(Purchase.objects.count(), 1)
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_allows_repeat_uses_when_the_code_allows_them(self):
        make_promo("MANY", once_per_user=False)

        for _ in range(2):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="MANY")

        self.assertEqual(PromoCode.objects.get(code="MANY").uses, 2)

    def test_it_stops_at_max_uses(self):
        make_promo("TWICE", max_uses=2, once_per_user=False)
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, promo_code="TWICE")
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, promo_code="TWICE")

        with self.assertRaises(PromoUsedUp):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, promo_code="TWICE")


class RedeemBalancePromoTests(MoneyTestCase):
    def test_it_credits_the_balance_through_the_ledger(self):
        promo = make_promo("GIFT5", kind="balance", value="5.00")

        entry = redeem_balance_promo(telegram_id=self.bob.telegram_id, code="gift5")

        self.assertEqual((entry.kind, entry.amount, entry.reference), ("promo", Decimal("5.00"), "GIFT5"))
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("5.00"))
        promo.refresh_from_db()
        self.assertEqual(promo.uses, 1)
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_credits_each_customer_once(self):
        make_promo("GIFT5", kind="balance", value="5.00", once_per_user=True)
        redeem_balance_promo(telegram_id=self.bob.telegram_id, code="GIFT5")

        with self.assertRaises(PromoAlreadyUsed):
            redeem_balance_promo(telegram_id=self.bob.telegram_id, code="GIFT5")
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("5.00"))
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_refuses_each_unusable_code_and_credits_nothing(self):
        make_promo("OFF", kind="balance", value="5", is_active=False)
        make_promo("OLD", kind="balance", value="5", expires_at=now() - timedelta(seconds=1))
        make_promo("GONE", kind="balance", value="5", max_uses=1, uses=1)
        make_promo("DISCOUNT", value="10")
        before = row_counts(LedgerEntry, PromoUsage)

        for code, error in [
            ("OFF", PromoInactive),
            ("OLD", PromoExpired),
            ("GONE", PromoUsedUp),
            ("DISCOUNT", PromoWrongKind),
            ("NOPE", PromoNotFound),
            ("", PromoNotFound),
            ("x" * 10_000, PromoNotFound),
            ("<i>GIFT</i>", PromoNotFound),
            ("' OR ''='", PromoNotFound),
        ]:
            with self.subTest(code=code[:20]), self.assertRaises(error):
                redeem_balance_promo(telegram_id=self.bob.telegram_id, code=code)

        self.assertEqual(row_counts(LedgerEntry, PromoUsage), before)
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_refuses_a_blocked_customer(self):
        make_promo("GIFT5", kind="balance", value="5.00")
        self.bob.is_blocked = True
        self.bob.save()

        with self.assertRaises(CustomerBlocked):
            redeem_balance_promo(telegram_id=self.bob.telegram_id, code="GIFT5")
        self.assertEqual(LedgerEntry.objects.filter(customer=self.bob).count(), 0)


class SavePromoTests(MoneyTestCase):
    def save(self, **fields):
        return save_promo(
            actor=self.admin, **{"code": "SPRING-24", "kind": "percent", "value": "15", **fields}
        )

    def test_it_creates_a_code_upper_case_and_audits_it(self):
        promo = self.save(code=" spring_24 ", max_uses=100, expires_at=now() + timedelta(days=7))

        self.assertEqual((promo.code, promo.value, promo.max_uses), ("SPRING_24", Decimal("15.00"), 100))
        self.assertTrue(AuditEntry.objects.filter(action="save_promo", target="SPRING_24").exists())

    def test_it_binds_a_code_to_a_category_or_a_product(self):
        self.assertEqual(self.save(category_id=self.games.pk).category, self.games)
        self.assertEqual(self.save(code="KEY", product_id=self.key.pk).product, self.key)

    def test_it_edits_a_code(self):
        promo = self.save()

        edited = self.save(promo_id=promo.pk, code="SUMMER", kind="fixed", value="3.50", max_uses=None)

        self.assertEqual(
            (edited.pk, edited.code, edited.kind, edited.value),
            (promo.pk, "SUMMER", "fixed", Decimal("3.50")),
        )

    def test_it_makes_a_balance_code_once_per_user(self):
        promo = self.save(kind="balance", value="10", once_per_user=False)

        self.assertIs(promo.once_per_user, True)

    def test_it_refuses_bad_codes(self):
        for code in ["", "AB", "A" * 33, "with space", "<b>X</b>", "DROP;TABLE", "КОД", None, 123]:
            with self.subTest(code=code), self.assertRaisesMessage(InvalidInput, "3 to 32 characters"):
                self.save(code=code)
        self.assertEqual(PromoCode.objects.count(), 0)

    def test_it_refuses_bad_values(self):
        for value in HOSTILE_AMOUNTS:
            with self.subTest(value=value), self.assertRaises(InvalidAmount):
                self.save(value=value)
        with self.assertRaisesMessage(InvalidInput, "from 0.01 to 100"):
            self.save(value="100.01")
        with self.assertRaises(AmountOutOfRange):
            self.save(kind="fixed", value="10000.01")  # MAX_AMOUNT is 10000 in tests
        with self.assertRaises(AmountOutOfRange):
            self.save(kind="balance", value="99999")
        self.assertEqual(PromoCode.objects.count(), 0)

    def test_it_refuses_bad_limits_and_expiry(self):
        cases = [
            {"kind": "gift"},
            {"max_uses": 0},
            {"max_uses": -1},
            {"max_uses": 1_000_001},
            {"max_uses": "many"},
            {"once_per_user": "yes"},
            {"expires_at": now() - timedelta(seconds=1)},
            {"expires_at": "tomorrow"},
            {"category_id": self.games.pk, "product_id": self.key.pk},
            {"kind": "balance", "product_id": self.key.pk},
        ]
        for fields in cases:
            with self.subTest(fields=fields), self.assertRaises(InvalidInput):
                self.save(**fields)
        self.assertEqual(PromoCode.objects.count(), 0)

    def test_it_accepts_a_naive_expiry_in_the_shop_time_zone(self):
        promo = self.save(expires_at=datetime.now() + timedelta(days=1))

        self.assertIsNotNone(promo.expires_at.tzinfo)

    def test_it_refuses_missing_bindings_and_taken_codes(self):
        with self.assertRaises(CategoryNotFound):
            self.save(category_id=999_999)
        with self.assertRaises(ProductNotFound):
            self.save(product_id="x")
        self.save()
        with self.assertRaisesMessage(NameTaken, "SPRING-24"):
            self.save(code="spring-24")
        self.assertEqual(PromoCode.objects.count(), 1)

    def test_it_refuses_someone_without_the_permission(self):
        with self.assertRaises(PermissionDenied):
            save_promo(actor=self.alice, code="FREE", kind="balance", value="1000")
        self.assertEqual(PromoCode.objects.count(), 0)


class SetPromoActiveTests(MoneyTestCase):
    def test_it_switches_a_code_off_and_on(self):
        promo = make_promo("TEN")

        self.assertIs(set_promo_active(actor=self.admin, promo_id=promo.pk, active=False).is_active, False)
        with self.assertRaises(PromoInactive):
            quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="TEN")
        self.assertIs(set_promo_active(actor=self.admin, promo_id=promo.pk, active=True).is_active, True)

    def test_it_refuses_unknown_codes_and_customers(self):
        promo = make_promo("TEN")

        with self.assertRaises(PromoNotFound):
            set_promo_active(actor=self.admin, promo_id=999_999, active=False)
        with self.assertRaises(PermissionDenied):
            set_promo_active(actor=self.alice, promo_id=promo.pk, active=False)


class DeletePromoTests(MoneyTestCase):
    def test_it_deletes_a_code_and_purchases_keep_their_prices(self):
        promo = make_promo("TEN")
        purchase = purchase_product(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="TEN"
        )

        delete_promo(actor=self.admin, promo_id=promo.pk)

        purchase.refresh_from_db()
        self.assertIsNone(purchase.promo_code)
        self.assertEqual(purchase.price, Decimal("8.99"))
        self.assertTrue(AuditEntry.objects.filter(action="delete_promo", target="TEN").exists())

    def test_it_refuses_unknown_codes_and_customers(self):
        promo = make_promo("TEN")
        carol = make_customer(1003)

        with self.assertRaises(PromoNotFound):
            delete_promo(actor=self.admin, promo_id="1; DROP TABLE x")
        with self.assertRaises(PermissionDenied):
            delete_promo(actor=carol, promo_id=promo.pk)
        self.assertTrue(PromoCode.objects.filter(pk=promo.pk).exists())


class BalanceCodePermissionTests(MoneyTestCase):
    """A balance code creates money: only someone who may change balances makes or uses one as staff."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Pat manages promo codes and nothing else: adjust_balance refuses her.
        role = Group.objects.create(name="Promos only")
        role.permissions.set(Permission.objects.filter(codename="manage_promos"))
        cls.pat = make_customer(3100, username="pat", role=role)

    def save_balance_code(self, actor, **fields):
        return save_promo(actor=actor, code="CASH", kind="balance", value="10000", **fields)

    def escalations(self):
        return list(AuditEntry.objects.filter(action="escalation_refused").values_list("target", "details"))

    def test_it_refuses_to_create_a_balance_code_without_manage_balances_and_audits_it(self):
        with self.assertRaisesMessage(MoneyEscalation, "they need the permission to change balances"):
            self.save_balance_code(self.pat)

        self.assertFalse(PromoCode.objects.exists())
        self.assertEqual(self.escalations(), [("save_promo", {"refusal": "MoneyEscalation"})])
        save_promo(actor=self.pat, code="TEN", kind="percent", value="10")  # discounts stay hers

    def test_it_refuses_to_edit_or_switch_on_a_balance_code_without_manage_balances(self):
        promo = make_promo("CASH", kind="balance", value="5", is_active=False)

        with self.assertRaises(MoneyEscalation):
            save_promo(actor=self.pat, code="CASH", kind="percent", value="5", promo_id=promo.pk)
        with self.assertRaises(MoneyEscalation):
            save_promo(actor=self.pat, code="CASH2", kind="balance", value="9000", promo_id=promo.pk)
        with self.assertRaises(MoneyEscalation):
            set_promo_active(actor=self.pat, promo_id=promo.pk, active=True)

        promo.refresh_from_db()
        self.assertEqual(
            (promo.code, promo.kind, promo.value, promo.is_active), ("CASH", "balance", 5, False)
        )
        self.assertEqual(len(self.escalations()), 3)

    def test_it_refuses_a_promo_admin_redeeming_a_balance_code_and_audits_it(self):
        make_promo("CASH", kind="balance", value="10000")

        with self.assertRaises(MoneyEscalation):
            redeem_balance_promo(telegram_id=self.pat.telegram_id, code="CASH")

        self.pat.refresh_from_db()
        self.assertEqual(self.pat.balance, Decimal("0"))
        self.assertFalse(PromoUsage.objects.exists())
        self.assertEqual(self.escalations(), [("redeem_balance_promo", {"refusal": "MoneyEscalation"})])

    def test_it_lets_an_admin_who_may_change_balances_make_one_and_customers_redeem_it(self):
        promo = self.save_balance_code(self.admin, max_uses=5)

        redeem_balance_promo(telegram_id=self.bob.telegram_id, code="CASH")
        redeem_balance_promo(telegram_id=self.admin.telegram_id, code="CASH")

        promo.refresh_from_db()
        self.assertEqual(promo.uses, 2)

    def test_it_refuses_a_promo_admin_a_discount_code_on_their_own_purchase(self):
        make_promo("FREE", kind="percent", value="100")
        give_money(self.pat, "20")

        with self.assertRaises(StaffCodeRefused):
            purchase_product(telegram_id=self.pat.telegram_id, product_id=self.key.pk, promo_code="FREE")
        purchase = purchase_product(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, promo_code="FREE"
        )

        self.assertEqual(purchase.price, Decimal("0.00"))  # customers still use it
        self.assertFalse(Purchase.objects.filter(buyer=self.pat).exists())

    def test_it_gives_no_discount_on_a_promo_admins_cart_line(self):
        promo = make_promo("FREE", kind="percent", value="100")
        add_to_cart(telegram_id=self.pat.telegram_id, product_id=self.key.pk)
        CartLine.objects.filter(customer=self.pat).update(promo_code=promo)

        with self.assertRaises(StaffCodeRefused):
            apply_promo_to_cart_line(telegram_id=self.pat.telegram_id, product_id=self.key.pk, code="FREE")
        cart = get_cart(telegram_id=self.pat.telegram_id)

        self.assertEqual(cart.total, Decimal("9.99"))
        self.assertIn("cannot use them yourself", cart.items[0].promo_problem)
