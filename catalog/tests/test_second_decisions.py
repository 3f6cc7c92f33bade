"""The claim-rate rule: a customer who claims often needs two staff members to replace or refund."""

from decimal import Decimal

from django.test import override_settings
from django.urls import reverse
from prometheus_client import REGISTRY

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE
from accounts.services.web_users import sync_staff_user
from catalog.models import Claim, Purchase
from catalog.selectors.claims import get_claim_card
from catalog.services.claims import open_claim, refund_claim, reject_claim, replace_claim
from catalog.services.orders import start_product_order
from catalog.services.rail_refunds import begin_claim_stars_refund, record_manual_claim_refund
from catalog.services.second_decisions import get_claim_rate
from catalog.tests.test_claims import ClaimTestCase
from payments.models import LedgerEntry, Payment
from payments.tests.helpers import pay_telegram
from shopbot.errors import (
    ClaimAlreadyDecided,
    ClaimAwaitsSecondDecision,
    ClaimRefused,
    ClaimSecondDecisionRefused,
)
from shopbot.test import ledger_matches_balance, make_staff


def refusals() -> float:
    value = REGISTRY.get_sample_value("shopbot_limit_refusals_total", {"limit": "claim_second_decision"})
    return value or 0.0


@override_settings(CLAIM_RATE_CLAIMS=2, CLAIM_RATE_PURCHASES=10)
class SecondDecisionTests(ClaimTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Two earlier claims on the same purchase, both rejected: with this one, 3 claims > 2.
        for _n in range(2):
            Claim.objects.create(
                purchase=self.purchase, customer=self.alice, reason="other", status=Claim.Status.REJECTED
            )
        self.open = self.claim()

    def test_it_counts_claims_on_the_last_purchases(self) -> None:
        rate = get_claim_rate(self.alice)

        self.assertEqual((rate.claims, rate.purchases, rate.over), (3, 1, True))
        with override_settings(CLAIM_RATE_CLAIMS=3):
            self.assertFalse(get_claim_rate(self.alice).over)
        with override_settings(CLAIM_RATE_CLAIMS=0):
            self.assertFalse(get_claim_rate(self.alice).over)  # the rule is off
        self.assertFalse(get_claim_rate(self.bob).over)

    def test_the_first_decision_waits_and_changes_nothing_else(self) -> None:
        with self.assertRaises(ClaimAwaitsSecondDecision) as refused:
            replace_claim(actor=self.admin, claim_id=self.open.pk)

        self.assertIn("3 claims in their last 1 purchases", str(refused.exception))
        claim = Claim.objects.get(pk=self.open.pk)
        self.assertEqual(
            (claim.status, claim.pending_decision, claim.pending_by), ("open", "replace", self.admin)
        )
        self.assertFalse(Purchase.objects.filter(replaces=self.purchase).exists())
        self.assertEqual(AuditEntry.objects.filter(action="claim_pending_second").count(), 1)
        card = get_claim_card(actor=self.owner, claim_id=self.open.pk)
        self.assertTrue(card.rate.over)

    def test_the_same_staff_member_cannot_confirm_and_is_counted(self) -> None:
        with self.assertRaises(ClaimAwaitsSecondDecision):
            replace_claim(actor=self.admin, claim_id=self.open.pk)
        before = refusals()

        with self.assertRaises(ClaimSecondDecisionRefused):
            replace_claim(actor=self.admin, claim_id=self.open.pk)

        self.assertEqual(refusals(), before + 1)
        self.assertEqual(Claim.objects.get(pk=self.open.pk).status, Claim.Status.OPEN)
        with self.assertRaises(ClaimAwaitsSecondDecision):  # a change of mind stays pending
            refund_claim(actor=self.admin, claim_id=self.open.pk)
        self.assertEqual(Claim.objects.get(pk=self.open.pk).pending_decision, "refund")

    def test_the_same_person_on_the_web_is_the_same_decider(self) -> None:
        web = make_staff("adam-web", superuser=True)
        Customer.objects.filter(pk=self.admin.pk).update(user=web)
        self.admin.refresh_from_db()
        sync_staff_user(self.admin)
        with self.assertRaises(ClaimAwaitsSecondDecision):
            replace_claim(actor=self.admin, claim_id=self.open.pk)

        with self.assertRaises(ClaimSecondDecisionRefused):
            replace_claim(actor=web, claim_id=self.open.pk)

    def test_another_staff_member_confirms_the_same_decision(self) -> None:
        with self.assertRaises(ClaimAwaitsSecondDecision):
            replace_claim(actor=self.admin, claim_id=self.open.pk)
        with self.assertRaises(ClaimRefused) as mismatch:
            refund_claim(actor=self.owner, claim_id=self.open.pk)
        self.assertIn("replace", str(mismatch.exception))

        replacement = replace_claim(actor=self.owner, claim_id=self.open.pk)

        self.assertEqual(replacement.value, "BBB-222")
        claim = Claim.objects.get(pk=self.open.pk)
        self.assertEqual(
            (claim.status, claim.decided_by, claim.pending_by), ("replaced", self.owner, self.admin)
        )
        entry = AuditEntry.objects.get(action="claim_second_decision")
        self.assertEqual(entry.details["first"], str(self.admin.telegram_id))
        with self.assertRaises(ClaimAlreadyDecided):
            replace_claim(actor=self.admin, claim_id=self.open.pk)

    def test_a_refund_to_the_balance_moves_money_once_after_the_second(self) -> None:
        with self.assertRaises(ClaimAwaitsSecondDecision):
            refund_claim(actor=self.owner, claim_id=self.open.pk)
        self.assertFalse(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists())

        refund_claim(actor=self.admin, claim_id=self.open.pk)

        self.assertEqual(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count(), 1)
        self.assertTrue(ledger_matches_balance(Customer.objects.get(pk=self.alice.pk)))

    def test_a_manual_refund_needs_a_second_too(self) -> None:
        with self.assertRaises(ClaimAwaitsSecondDecision):
            record_manual_claim_refund(actor=self.owner, claim_id=self.open.pk)

        claim = record_manual_claim_refund(actor=self.admin, claim_id=self.open.pk)

        self.assertEqual(claim.refund_to, Claim.RefundTo.MANUAL)

    def test_a_rejection_needs_no_second(self) -> None:
        claim = reject_claim(actor=self.admin, claim_id=self.open.pk, reason="Works for us")

        self.assertEqual(claim.status, Claim.Status.REJECTED)

    def test_a_customer_not_over_the_rule_is_decided_by_one(self) -> None:
        with override_settings(CLAIM_RATE_CLAIMS=5):
            replace_claim(actor=self.admin, claim_id=self.open.pk)

        self.assertEqual(Claim.objects.get(pk=self.open.pk).status, Claim.Status.REPLACED)


@override_settings(CLAIM_RATE_CLAIMS=2, CLAIM_RATE_PURCHASES=10)
class SecondDecisionAdminTests(ClaimTestCase):
    def setUp(self) -> None:
        super().setUp()
        for _n in range(2):
            Claim.objects.create(
                purchase=self.purchase, customer=self.alice, reason="other", status=Claim.Status.REJECTED
            )
        self.open = self.claim()
        self.wendy = make_staff("wendy", roles=[ADMIN_ROLE])
        self.victor = make_staff("victor", roles=[ADMIN_ROLE])

    def act(self, action: str):  # type: ignore[no-untyped-def]
        data = {"action": action, "_selected_action": [self.open.pk], "index": "0"}
        return self.client.post(reverse("admin:catalog_claim_changelist"), data, follow=True)

    def test_the_page_warns_and_two_web_staff_members_replace(self) -> None:
        self.client.force_login(self.wendy)
        page = self.client.get(reverse("admin:catalog_claim_change", args=[self.open.pk]))
        self.assertContains(page, "Frequent claimer: 3 claims in the last 1 purchases")

        first = self.act("replace")
        self.assertContains(first, "a different staff member must confirm")
        again = self.act("replace")
        self.assertContains(again, "You made the first decision")
        page = self.client.get(reverse("admin:catalog_claim_change", args=[self.open.pk]))
        self.assertContains(page, "web:wendy chose “replace”")
        self.assertFalse(Purchase.objects.filter(replaces=self.purchase).exists())

        self.client.force_login(self.victor)
        response = self.act("replace")

        self.assertContains(response, "Decided 1 claims.")
        self.assertEqual(Purchase.objects.get(replaces=self.purchase).value, "BBB-222")


@override_settings(CLAIM_RATE_CLAIMS=1, CLAIM_RATE_PURCHASES=10, STARS_PER_VALUE=Decimal("1"))
class StarsSecondDecisionTests(ClaimTestCase):
    def test_a_stars_refund_is_not_asked_of_telegram_before_the_second_decision(self) -> None:
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        pay_telegram(payment, charge_id="second-charge")
        purchase = Purchase.objects.get(payment=payment)
        Claim.objects.create(
            purchase=purchase, customer=self.bob, reason="other", status=Claim.Status.REJECTED
        )
        claim = open_claim(telegram_id=self.bob.telegram_id, purchase_id=purchase.pk, reason="not_working")

        with self.assertRaises(ClaimAwaitsSecondDecision):
            begin_claim_stars_refund(actor=self.owner, claim_id=claim.pk)

        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.PAID)  # no hold: nothing to ask Telegram yet
        self.assertEqual(Claim.objects.get(pk=claim.pk).pending_decision, "stars")
        held = begin_claim_stars_refund(actor=self.admin, claim_id=claim.pk)
        self.assertEqual(held.claim_id, claim.pk)
        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.REFUNDING)
