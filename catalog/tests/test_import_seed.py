"""manage.py import_seed: a seed-bot database moves over whole, once, and checkably."""

from __future__ import annotations

import io
import unittest
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test import TestCase

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE, OWNER_ROLE, ensure_builtin_roles, role_permissions
from catalog.importing.seed import import_seed
from catalog.importing.seed import run as run_module
from catalog.models import CartLine, Category, Product, PromoCode, PromoUsage, Purchase, Review, StockUnit
from catalog.selectors import find_purchase_by_order_number
from catalog.tests import seed_rows
from catalog.tests.seed_database import seed_database
from catalog.tests.seed_rows import ALICE, ALICE_ORDER, BALANCES, BOB, CAROL, NOROLE, ORPHAN, OWNER, WAREHOUSE
from payments.models import LedgerEntry, Payment, ReferralReward
from payments.selectors import list_ledger_drift
from payments.services.cryptopay import credit_crypto_invoice
from shopbot.errors import SeedRefused
from shopbot.test import ledger_matches_balance, make_customer, row_counts

MODELS = [
    Group,
    Customer,
    LedgerEntry,
    Category,
    Product,
    StockUnit,
    Purchase,
    Payment,
    ReferralReward,
    PromoCode,
    PromoUsage,
    Review,
    CartLine,
    AuditEntry,
]


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@unittest.skipUnless(connection.vendor == "postgresql", "the seed bot's database is PostgreSQL")
class SeedTestCase(TestCase):
    def setUp(self) -> None:
        ensure_builtin_roles()
        context = seed_database()
        self.seed = context.__enter__()
        self.addCleanup(context.__exit__, None, None, None)

    def tearDown(self) -> None:
        self.assertEqual(list_ledger_drift(), [], "these balances no longer match their ledgers")
        super().tearDown()


class ImportTests(SeedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ids = seed_rows.fill_seed(self.seed)

    def test_it_imports_customers_with_roles_referrers_and_balances(self) -> None:
        report = import_seed(url=self.seed.url, owner_id=OWNER)
        self.assertEqual(Customer.objects.count(), 8)
        alice, bob, carol = (Customer.objects.get(telegram_id=tid) for tid in (ALICE, BOB, CAROL))
        self.assertEqual((bob.referrer, carol.referrer), (alice, bob))
        self.assertTrue(carol.is_blocked)
        self.assertIsNone(Customer.objects.get(telegram_id=ORPHAN).referrer)
        self.assertEqual(str(alice.created), "2024-03-01 12:30:00+00:00")
        for telegram_id, balance in BALANCES.items():
            customer = Customer.objects.get(telegram_id=telegram_id)
            self.assertEqual(customer.balance, balance)
            self.assertTrue(ledger_matches_balance(customer))
            self.assertEqual(customer.ledger.get().kind, LedgerEntry.Kind.OPENING_BALANCE)
        self.assertEqual(report.balances_seed, Decimal("168.28"))
        self.assertEqual(report.balances_carried, Decimal("168.28"))
        self.assertTrue(report.balances_equal)
        self.assertEqual(Customer.objects.get(telegram_id=OWNER).role.name, OWNER_ROLE)
        self.assertEqual(Customer.objects.get(telegram_id=2001).role.name, ADMIN_ROLE)
        self.assertIsNone(alice.role)  # the seed's USER: no role, as a new customer here
        self.assertIsNone(Customer.objects.get(telegram_id=NOROLE).role)

    def test_it_maps_a_custom_roles_bits_and_reports_an_unknown_one(self) -> None:
        report = import_seed(url=self.seed.url)
        warehouse = Customer.objects.get(telegram_id=WAREHOUSE).role
        self.assertEqual(warehouse.name, "Склад")
        self.assertEqual(
            role_permissions(warehouse.pk),
            {"broadcast", "manage_catalog", "manage_stock", "view_statistics", "view_audit"},
        )
        self.assertEqual(role_permissions(Group.objects.get(name="Странная").pk), frozenset())
        self.assertIn("roles Странная: unknown permission bits 4096: not granted", report.problems)

    def test_it_imports_the_catalog_with_its_unsold_keys_and_shared_values(self) -> None:
        report = import_seed(url=self.seed.url)
        key = Product.objects.get(name=seed_rows.PRODUCT_NAME)
        self.assertEqual(len(key.name), 100)
        self.assertEqual(key.price, Decimal("199.99"))
        self.assertEqual(
            sorted(key.stock.values_list("value", flat=True)),
            ["AAAA-1111", "BBBB-2222", seed_rows.LONG_VALUE],
        )
        self.assertEqual(len(seed_rows.LONG_VALUE), 3500)
        premium = Product.objects.get(name="Подписка Premium")
        self.assertTrue(premium.is_unlimited)
        self.assertEqual(premium.unlimited_value, "https://t.me/+premium")
        self.assertEqual(premium.stock.count(), 0)
        self.assertTrue(any("a second shared value of Подписка Premium" in line for line in report.problems))
        self.assertEqual(Product.objects.count(), 3)
        self.assertEqual(report["stock units"].added, 4)

    def test_it_keeps_purchases_with_their_order_numbers_even_of_deleted_goods(self) -> None:
        import_seed(url=self.seed.url)
        purchase = find_purchase_by_order_number(order_number=f"#{ALICE_ORDER}")
        self.assertEqual(purchase.buyer.telegram_id, ALICE)
        self.assertEqual((purchase.value, purchase.price), ("OLD-KEY-1", Decimal("199.99")))
        self.assertEqual(purchase.product, Product.objects.get(name=seed_rows.PRODUCT_NAME))
        gone = Purchase.objects.get(order_number=str(seed_rows.DELETED_ITEM_ORDER))
        self.assertIsNone(gone.product)
        self.assertEqual((gone.product_name, gone.value), ("Снятый товар", "gone-key"))
        self.assertEqual(
            run("check_ledger").splitlines()[-1],
            "Every balance matches its ledger and every sold unit has its purchase.",
        )

    def test_it_keeps_payments_so_an_old_one_is_never_credited_again(self) -> None:
        import_seed(url=self.seed.url)
        paid = Payment.objects.get(provider=Payment.Provider.CRYPTOPAY, external_id="12345")
        self.assertEqual(
            (paid.status, paid.amount, paid.customer.telegram_id), ("paid", Decimal("100.00"), ALICE)
        )
        self.assertEqual(Payment.objects.get(external_id="stars-charge-1").provider, Payment.Provider.STARS)
        self.assertEqual(Payment.objects.get(external_id="12346").status, Payment.Status.EXPIRED)
        self.assertEqual(Payment.objects.get(external_id="seed-operation-1").amount, Decimal("150.50"))
        credit = credit_crypto_invoice(
            invoice_id=12345, status="paid", amount=Decimal("100.00"), currency="RUB"
        )
        self.assertFalse(credit.credited)
        self.assertEqual(Customer.objects.get(telegram_id=ALICE).balance, BALANCES[ALICE])

    def test_it_imports_rewards_promo_codes_reviews_carts_and_the_audit_log(self) -> None:
        report = import_seed(url=self.seed.url)
        reward = ReferralReward.objects.get()
        self.assertEqual((reward.referrer.telegram_id, reward.referee.telegram_id), (ALICE, BOB))
        self.assertIsNone(reward.payment)
        percent = PromoCode.objects.get(code="SKIDKA10")
        self.assertEqual(
            (percent.kind, percent.value, percent.max_uses, percent.uses), ("percent", 10, 100, 3)
        )
        self.assertEqual(
            percent.category.name, Category.objects.get(products__name=seed_rows.PRODUCT_NAME).name
        )
        # Its product was deleted in the seed, which then applied it to everything: so does the shop.
        fixed = PromoCode.objects.get(code="MINUS50")
        self.assertEqual((fixed.product, fixed.category, fixed.is_active), (None, None, True))
        self.assertFalse(PromoCode.objects.get(code="OLD").is_active)
        self.assertEqual(PromoUsage.objects.get().customer.telegram_id, BOB)
        review = Review.objects.get()
        self.assertEqual((review.customer.telegram_id, review.rating), (ALICE, 5))
        self.assertEqual(report["reviews"].skipped, {"its product or customer is gone": 1})
        line = CartLine.objects.get()
        self.assertEqual((line.customer.telegram_id, line.quantity), (BOB, 2))
        imported = AuditEntry.objects.filter(details__imported_from="seed")
        self.assertEqual(imported.count(), 2)
        self.assertEqual(imported.get(action="item_added").actor.telegram_id, 2001)
        self.assertEqual(report.other_tables, ["bot_settings"])

    def test_it_writes_nothing_in_a_dry_run(self) -> None:
        before = row_counts(*MODELS)
        output = run("import_seed", "--from", self.seed.url, "--dry-run")
        self.assertEqual(row_counts(*MODELS), before)
        self.assertIn("Customers: 8 read, 8 imported, 0 skipped", output)
        self.assertIn("Balances: 168.28 in the seed, 0.00 refused, 168.28 carried over: equal.", output)
        self.assertIn("Dry run: nothing was written.", output)

    def test_a_second_run_with_merge_changes_nothing(self) -> None:
        import_seed(url=self.seed.url)
        before = row_counts(*MODELS)
        balances = dict(Customer.objects.values_list("telegram_id", "balance"))
        report = import_seed(url=self.seed.url, merge=True)
        self.assertEqual(row_counts(*MODELS), {**before, "AuditEntry": before["AuditEntry"] + 1})
        self.assertEqual(dict(Customer.objects.values_list("telegram_id", "balance")), balances)
        self.assertEqual(
            {kind: tally.added + tally.updated for kind, tally in report.kinds.items()},
            dict.fromkeys(report.kinds, 0),
        )
        self.assertTrue(report.balances_equal)

    def test_it_refuses_a_shop_that_has_customers_unless_merging(self) -> None:
        make_customer(ALICE, username="alice", balance="5.00")
        make_customer(4242)
        before = row_counts(*MODELS)
        with self.assertRaisesMessage(CommandError, "add --merge"):
            run("import_seed", "--from", self.seed.url)
        self.assertEqual(row_counts(*MODELS), before)
        report = import_seed(url=self.seed.url, merge=True)
        self.assertEqual(Customer.objects.count(), 9)
        alice = Customer.objects.get(telegram_id=ALICE)
        self.assertEqual((alice.username, alice.balance), ("alice", Decimal("155.50")))
        self.assertTrue(ledger_matches_balance(alice))
        self.assertTrue(report.balances_equal)


class RefusedDatabaseTests(SeedTestCase):
    def test_it_refuses_a_database_without_the_seeds_tables(self) -> None:
        self.seed.execute("DROP TABLE reviews, cart_items")
        with self.assertRaisesMessage(SeedRefused, "missing tables cart_items, reviews"):
            import_seed(url=self.seed.url)

    def test_it_refuses_another_alembic_head(self) -> None:
        self.seed.execute("UPDATE alembic_version SET version_num = 'a1b2c3d4e5f6'")
        with self.assertRaisesMessage(SeedRefused, "Alembic version a1b2c3d4e5f6, not e5f6a7b8c9d0"):
            import_seed(url=self.seed.url)

    def test_it_refuses_a_database_it_cannot_reach(self) -> None:
        with self.assertRaisesMessage(CommandError, "cannot connect to the seed database"):
            run("import_seed", "--from", self.seed.url.rsplit("/", 1)[0] + "/no_such_database")


class HostileValueTests(SeedTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A hand-edited seed: prices with any number of decimals.
        self.seed.execute("ALTER TABLE goods ALTER COLUMN price TYPE numeric")
        self.ids = seed_rows.fill_seed(self.seed)
        self.seed.execute("UPDATE users SET balance = -5.00 WHERE telegram_id = %s", [CAROL])
        self.seed.execute("UPDATE goods SET price = 9.999 WHERE id = %s", [self.ids["book"]])
        self.seed.execute(
            "INSERT INTO item_values (item_id, value, is_infinity) VALUES (%s, NULL, false)",
            [self.ids["key"]],
        )

    def test_it_reports_hostile_values_and_imports_the_rest(self) -> None:
        report = import_seed(url=self.seed.url)
        self.assertIn("opening balances 1003: balance -5.00 refused: starts at 0.00", report.problems)
        carol = Customer.objects.get(telegram_id=CAROL)
        self.assertEqual((carol.balance, carol.ledger.count()), (Decimal("0.00"), 0))
        self.assertEqual(report.balances_seed - report.balances_refused, report.balances_carried)
        self.assertTrue(report.balances_equal)
        book = Product.objects.get(name="Книга")
        self.assertFalse(book.is_active)
        self.assertTrue(
            any(line.startswith("products Книга: price 9.999 refused") for line in report.problems)
        )
        self.assertEqual(
            report["stock units"].skipped, {"empty value": 1, "a second shared value of Подписка Premium": 1}
        )
        self.assertEqual(Product.objects.get(name=seed_rows.PRODUCT_NAME).stock.count(), 3)
        self.assertEqual(Customer.objects.count(), 8)

    def test_a_row_the_database_refuses_late_writes_nothing(self) -> None:
        def refuse(state: object) -> None:
            raise IntegrityError("duplicate key value violates unique constraint")

        before = row_counts(*MODELS)
        with (
            mock.patch.object(run_module, "STEPS", [*run_module.STEPS, refuse]),
            self.assertRaisesMessage(SeedRefused, "nothing was written: duplicate key value"),
        ):
            import_seed(url=self.seed.url)
        self.assertEqual(row_counts(*MODELS), before)


class CategoryNameTests(SeedTestCase):
    def test_it_keeps_a_category_name_of_100_characters(self) -> None:
        seed_rows.fill_seed(self.seed)
        report = import_seed(url=self.seed.url)
        self.assertEqual(Category.objects.filter(name=seed_rows.CATEGORY_NAME).count(), 1)
        self.assertFalse(any(line.startswith("categories") for line in report.problems))
