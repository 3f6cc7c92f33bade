"""Reads on claims: what a customer may claim, and the staff's claim card."""

from django.contrib.auth.models import Group

from accounts.roles import ADMIN_ROLE
from catalog.models import Claim
from catalog.selectors.claims import count_open_claims, get_claim_card, get_claimability, list_claims
from catalog.services.claims import refund_claim, replace_claim
from catalog.tests.test_claims import ClaimTestCase
from shopbot.errors import PermissionDenied, PurchaseNotFound
from shopbot.test import make_customer


class ClaimSelectorTests(ClaimTestCase):
    def test_it_says_a_fresh_purchase_is_claimable(self) -> None:
        found = get_claimability(telegram_id=self.alice.telegram_id, purchase_id=self.purchase.pk)

        self.assertEqual((found.refusal, found.replacement), ("", None))

    def test_it_hides_another_customers_purchase(self) -> None:
        with self.assertRaises(PurchaseNotFound):
            get_claimability(telegram_id=self.bob.telegram_id, purchase_id=self.purchase.pk)

    def test_it_counts_and_lists_undecided_claims(self) -> None:
        claim = self.claim()

        self.assertEqual(count_open_claims(), 1)
        self.assertEqual(list_claims(actor=self.admin).items, [claim])
        replace_claim(actor=self.admin, claim_id=claim.pk)
        self.assertEqual(count_open_claims(), 0)
        self.assertEqual(list_claims(actor=self.admin, status=Claim.Status.REPLACED).items, [claim])

    def test_it_refuses_the_list_and_card_without_manage_claims(self) -> None:
        claim = self.claim()

        with self.assertRaises(PermissionDenied):
            list_claims(actor=self.carol)
        with self.assertRaises(PermissionDenied):
            get_claim_card(actor=self.carol, claim_id=claim.pk)

    def test_it_shows_history_rates_and_values_to_the_owner(self) -> None:
        refund_claim(actor=self.owner, claim_id=self.claim().pk)

        card = get_claim_card(actor=self.owner, claim_id=Claim.objects.get().pk)

        self.assertEqual(card.value, "AAA-111")
        self.assertEqual((card.customer.purchases, card.customer.claims, card.customer.refunds), (1, 1, 1))
        self.assertEqual(card.customer.claim_rate, 100)
        self.assertEqual((card.product_sold, card.product_defective, card.defect_rate), (1, 1, 100))

    def test_it_hides_the_delivered_value_without_view_delivered_values(self) -> None:
        role = Group.objects.create(name="Support")
        role.permissions.set(
            Group.objects.get(name=ADMIN_ROLE).permissions.exclude(codename="view_delivered_values")
        )
        dora = make_customer(3002, role=role)

        card = get_claim_card(actor=dora, claim_id=self.claim().pk)

        self.assertIsNone(card.value)
