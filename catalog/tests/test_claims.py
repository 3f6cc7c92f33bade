"""Warranty claims: opening one, and the staff decisions on it."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import AuditEntry
from accounts.roles import CUSTOMER_ROLE
from catalog.models import Claim, Product, Purchase, StockUnit, WaitlistEntry
from catalog.services import add_stock, purchase_product
from catalog.services.claims import (
    Attachment,
    open_claim,
    refund_claim,
    reject_claim,
    replace_claim,
    wait_for_stock,
)
from catalog.services.waitlist import toggle_waitlist
from payments.models import LedgerEntry, Payment
from shopbot.errors import (
    ClaimAlreadyDecided,
    ClaimLimit,
    ClaimNoStock,
    ClaimRefused,
    InvalidInput,
    PermissionDenied,
    PurchaseNotFound,
)
from shopbot.test import MoneyTestCase, make_customer, make_product, row_counts


class ClaimTestCase(MoneyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Alice bought the first game key (AAA-111); BBB-222 is left in stock.
        cls.purchase = purchase_product(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk)
        # Carol is support staff with only the Customer role: she may not decide claims.
        cls.carol = make_customer(3001, username="carol", role=Group.objects.get(name=CUSTOMER_ROLE))

    def claim(self, **fields: object) -> Claim:
        return open_claim(
            telegram_id=self.alice.telegram_id,
            purchase_id=self.purchase.pk,
            reason=fields.pop("reason", Claim.Reason.NOT_WORKING),
            **fields,
        )


class WarrantyTests(ClaimTestCase):
    def test_it_snapshots_the_warranty_at_the_sale(self) -> None:
        self.assertEqual(self.purchase.warranty_until, self.purchase.created + timedelta(hours=24))
        self.assertEqual(self.purchase.unit.value, "AAA-111")

    def test_it_keeps_a_sold_warranty_when_the_product_changes(self) -> None:
        Product.objects.filter(pk=self.key.pk).update(warranty_hours=0)
        self.purchase.refresh_from_db()

        self.assertIsNotNone(self.purchase.warranty_until)

    @override_settings(WARRANTY_HOURS=48)
    def test_it_gives_new_products_the_default_warranty(self) -> None:
        product = make_product(self.games, "DLC", "1.00")

        self.assertEqual(product.warranty_hours, 48)


class OpenClaimTests(ClaimTestCase):
    def test_it_opens_a_claim_with_text_and_a_photo(self) -> None:
        claim = self.claim(text="  It says <b>invalid</b> %(s)s ", attachment=Attachment("photo", "FILE-1"))

        self.assertEqual(claim.status, Claim.Status.OPEN)
        self.assertEqual(claim.text, "It says <b>invalid</b> %(s)s")
        self.assertEqual((claim.attachment_kind, claim.attachment_id), ("photo", "FILE-1"))
        self.assertTrue(AuditEntry.objects.filter(action="open_claim").exists())

    def test_it_refuses_a_second_open_claim(self) -> None:
        self.claim()

        with self.assertRaisesMessage(ClaimRefused, "already reported"):
            self.claim()

    def test_it_refuses_a_purchase_past_its_warranty(self) -> None:
        Purchase.objects.filter(pk=self.purchase.pk).update(warranty_until=now() - timedelta(seconds=1))

        with self.assertRaisesMessage(ClaimRefused, "warranty of this purchase has ended"):
            self.claim()

    def test_it_refuses_a_product_without_warranty(self) -> None:
        Purchase.objects.filter(pk=self.purchase.pk).update(warranty_until=None)

        with self.assertRaisesMessage(ClaimRefused, "no warranty"):
            self.claim()

    def test_it_refuses_another_customers_purchase_and_audits_it(self) -> None:
        with self.assertRaises(PurchaseNotFound):
            open_claim(telegram_id=self.bob.telegram_id, purchase_id=self.purchase.pk, reason="other")

        self.assertEqual(Claim.objects.count(), 0)
        refusal = AuditEntry.objects.get(action="open_claim_refused")
        self.assertEqual(refusal.actor, self.bob)

    def test_it_refuses_forged_ids_reasons_and_long_text(self) -> None:
        for purchase_id in ("abc", "-1", "²", 2**70, None):
            with self.assertRaises(PurchaseNotFound):
                open_claim(telegram_id=self.alice.telegram_id, purchase_id=purchase_id, reason="other")
        with self.assertRaises(InvalidInput):
            self.claim(reason="<b>free</b>")
        with self.assertRaisesMessage(InvalidInput, "at most 1000 characters"):
            self.claim(text="x" * 5000)
        with self.assertRaises(InvalidInput):
            self.claim(attachment=Attachment("video", "FILE-1"))

        self.assertEqual(Claim.objects.count(), 0)

    @override_settings(RATE_LIMITS=True, RATE_LIMIT_CLAIM="1/d")
    def test_it_limits_claims_per_customer(self) -> None:
        self.claim()
        give = add_stock(actor=self.admin, product_id=self.key.pk, values=["CCC-333"])
        self.assertEqual(give.new, 1)
        second = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        with self.assertRaises(ClaimLimit):
            open_claim(telegram_id=self.alice.telegram_id, purchase_id=second.pk, reason="other")


class ReplaceClaimTests(ClaimTestCase):
    def test_it_delivers_the_next_unit_and_marks_the_old_one_defective(self) -> None:
        claim = self.claim()

        replacement = replace_claim(actor=self.admin, claim_id=claim.pk)

        self.assertEqual(replacement.value, "BBB-222")
        self.assertEqual((replacement.price, replacement.replaces), (Decimal("0.00"), self.purchase))
        old = StockUnit.objects.get(value="AAA-111")
        self.assertIsNotNone(old.defective_at)
        self.assertEqual(old.defect_claim_id, claim.pk)
        claim.refresh_from_db()
        self.assertEqual((claim.status, claim.decided_by), (Claim.Status.REPLACED, self.admin))
        self.assertEqual(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count(), 0)

    def test_it_never_sells_the_defective_unit_again(self) -> None:
        replace_claim(actor=self.admin, claim_id=self.claim().pk)

        self.assertEqual(StockUnit.objects.filter(product=self.key, sold_at__isnull=True).count(), 0)

    def test_it_refuses_without_stock_and_changes_nothing(self) -> None:
        replace_claim(actor=self.admin, claim_id=self.claim().pk)  # takes BBB-222
        second = open_claim(
            telegram_id=self.alice.telegram_id,
            purchase_id=Purchase.objects.get(replaces=self.purchase).pk,
            reason="not_working",
        )
        before = row_counts(Purchase, StockUnit)

        with self.assertRaisesMessage(ClaimNoStock, "refund the purchase or let the claim wait"):
            replace_claim(actor=self.admin, claim_id=second.pk)

        self.assertEqual(row_counts(Purchase, StockUnit), before)
        second.refresh_from_db()
        self.assertEqual(second.status, Claim.Status.OPEN)

    def test_it_refuses_a_replaced_purchase_a_second_claim(self) -> None:
        replace_claim(actor=self.admin, claim_id=self.claim().pk)

        with self.assertRaisesMessage(ClaimRefused, "already been replaced"):
            self.claim()

    def test_it_refuses_a_decided_claim(self) -> None:
        claim = self.claim()
        replace_claim(actor=self.admin, claim_id=claim.pk)

        with self.assertRaises(ClaimAlreadyDecided):
            refund_claim(actor=self.admin, claim_id=claim.pk)

    def test_it_refuses_staff_without_manage_claims_and_audits_it(self) -> None:
        claim = self.claim()

        for decide in (replace_claim, refund_claim, wait_for_stock):
            with self.assertRaises(PermissionDenied):
                decide(actor=self.carol, claim_id=claim.pk)
        with self.assertRaises(PermissionDenied):
            reject_claim(actor=self.carol, claim_id=claim.pk, reason="no")

        claim.refresh_from_db()
        self.assertEqual(claim.status, Claim.Status.OPEN)
        self.assertGreaterEqual(AuditEntry.objects.filter(actor=self.carol).count(), 4)


class WaitForStockTests(ClaimTestCase):
    def test_it_fills_waiting_claims_first_when_stock_is_added(self) -> None:
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # BBB-222: sold out
        claim = wait_for_stock(actor=self.admin, claim_id=self.claim().pk)
        self.assertEqual(claim.status, Claim.Status.WAITING)

        report = add_stock(actor=self.admin, product_id=self.key.pk, values=["NEW-1"])

        self.assertEqual(report.replaced_claims, (claim.pk,))
        claim.refresh_from_db()
        self.assertEqual(claim.status, Claim.Status.REPLACED)
        self.assertEqual(Purchase.objects.get(replaces=self.purchase).value, "NEW-1")
        self.assertEqual(StockUnit.objects.filter(product=self.key, sold_at__isnull=True).count(), 0)

    def test_it_leaves_the_rest_of_the_stock_for_sale(self) -> None:
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        wait_for_stock(actor=self.admin, claim_id=self.claim().pk)

        add_stock(actor=self.admin, product_id=self.key.pk, values=["NEW-1", "NEW-2"])

        self.assertEqual(
            list(
                StockUnit.objects.filter(product=self.key, sold_at__isnull=True).values_list(
                    "value", flat=True
                )
            ),
            ["NEW-2"],
        )

    def test_it_tells_the_waitlist_only_of_units_the_claims_left(self) -> None:
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # sold out
        wait_for_stock(actor=self.admin, claim_id=self.claim().pk)
        self.assertTrue(toggle_waitlist(telegram_id=self.bob.telegram_id, product_id=self.key.pk))
        waiting = WaitlistEntry.objects.filter(customer=self.bob, product=self.key)

        add_stock(actor=self.admin, product_id=self.key.pk, values=["NEW-1"])  # taken by the claim
        self.assertIsNone(waiting.get().restocked_at)

        add_stock(actor=self.admin, product_id=self.key.pk, values=["NEW-2"])  # for sale: Bob hears of it
        self.assertIsNotNone(waiting.get().restocked_at)


class RefundClaimTests(ClaimTestCase):
    def test_it_pays_the_price_back_with_a_refund_row(self) -> None:
        claim = self.claim()

        entry = refund_claim(actor=self.admin, claim_id=claim.pk)

        self.assertEqual((entry.kind, entry.amount), (LedgerEntry.Kind.REFUND, Decimal("9.99")))
        self.assertEqual(entry.reference, self.purchase.order_number)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))
        self.purchase.refresh_from_db()
        self.assertIsNotNone(self.purchase.refunded_at)
        self.assertIsNotNone(StockUnit.objects.get(value="AAA-111").defective_at)

    def test_it_can_return_the_unit_to_stock(self) -> None:
        refund_claim(actor=self.admin, claim_id=self.claim().pk, unit="restock")

        unit = StockUnit.objects.get(value="AAA-111")
        self.assertEqual((unit.sold_at, unit.defective_at), (None, None))

    def test_it_refunds_a_replacement_once_what_was_paid(self) -> None:
        replace_claim(actor=self.admin, claim_id=self.claim().pk)
        replacement = Purchase.objects.get(replaces=self.purchase)
        claim = open_claim(telegram_id=self.alice.telegram_id, purchase_id=replacement.pk, reason="other")

        entry = refund_claim(actor=self.admin, claim_id=claim.pk)

        self.assertEqual(entry.amount, Decimal("9.99"))
        self.purchase.refresh_from_db()
        self.assertEqual(self.purchase.refunded_amount, Decimal("9.99"))
        with self.assertRaisesMessage(ClaimRefused, "refunded"):
            self.claim()

    def test_a_refund_to_the_balance_pays_back_what_the_customer_owed_first(self) -> None:
        owed = Payment.objects.create(
            provider=Payment.Provider.STARS,
            purpose=Payment.Purpose.TOP_UP,
            customer=self.alice,
            amount=Decimal("4.00"),
            provider_amount=Decimal("4"),
            provider_currency="XTR",
            status=Payment.Status.REFUNDED,
            refund_owed=Decimal("4.00"),
            expires_at=now(),
        )
        claim = self.claim()

        refund_claim(actor=self.admin, claim_id=claim.pk)

        owed.refresh_from_db()
        self.assertEqual((owed.refund_owed, owed.refund_collected), (Decimal("0.00"), Decimal("4.00")))
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("46.00"))  # 40.01 + 9.99 refunded − 4.00 owed

    def test_it_refuses_an_unknown_unit_choice(self) -> None:
        with self.assertRaises(InvalidInput):
            refund_claim(actor=self.admin, claim_id=self.claim().pk, unit="<b>")


class RejectClaimTests(ClaimTestCase):
    def test_it_rejects_with_a_reason(self) -> None:
        claim = reject_claim(actor=self.admin, claim_id=self.claim().pk, reason="The key <b>works</b>")

        self.assertEqual((claim.status, claim.decision_note), (Claim.Status.REJECTED, "The key <b>works</b>"))

    def test_it_needs_a_reason_of_reasonable_length(self) -> None:
        claim = self.claim()
        for reason in ("", "   ", "x" * 5000, None):
            with self.assertRaises(InvalidInput):
                reject_claim(actor=self.admin, claim_id=claim.pk, reason=reason)
