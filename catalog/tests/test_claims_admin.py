"""Claims in the web admin: the list, its filters and search, and the decisions as actions."""

from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import ADMIN_ROLE
from catalog.models import Claim, Purchase, StockUnit
from catalog.tests.test_claims import ClaimTestCase
from payments.models import LedgerEntry
from shopbot.test import make_staff

CHANGELIST = reverse("admin:catalog_claim_changelist")


class ClaimAdminTests(ClaimTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Wendy is web staff with the Admin role: she decides claims.
        cls.wendy = make_staff("wendy", roles=[ADMIN_ROLE])
        # Stan keeps the stock in the web admin and may not decide claims.
        keepers = Group.objects.create(name="Stock keepers")
        keepers.permissions.set(Permission.objects.filter(codename="manage_stock"))
        cls.stan = make_staff("stan", roles=["Stock keepers"])

    def act(self, action: str, claims: list, **fields: object):  # type: ignore[no-untyped-def]
        data = {"action": action, "_selected_action": [c.pk for c in claims], "index": "0", **fields}
        return self.client.post(CHANGELIST, data, follow=True)

    def test_it_lists_filters_and_finds_by_order_number(self) -> None:
        claim = self.claim()
        self.client.force_login(self.wendy)

        found = self.client.get(CHANGELIST, {"q": self.purchase.order_number})
        other = self.client.get(CHANGELIST, {"q": "NOSUCHORDER1"})
        refunded = self.client.get(CHANGELIST, {"status__exact": "refunded"})

        self.assertContains(found, f"#{self.purchase.order_number}")
        self.assertEqual(list(found.context["cl"].result_list), [claim])
        self.assertEqual(list(other.context["cl"].result_list), [])
        self.assertEqual(list(refunded.context["cl"].result_list), [])

    def test_it_replaces_through_the_service(self) -> None:
        claim = self.claim()
        self.client.force_login(self.wendy)

        response = self.act("replace", [claim])

        self.assertContains(response, "Decided 1 claims.")
        self.assertEqual(Purchase.objects.get(replaces=self.purchase).value, "BBB-222")
        self.assertIsNotNone(StockUnit.objects.get(value="AAA-111").defective_at)

    def test_it_refunds_and_rejects(self) -> None:
        claim = self.claim()
        self.client.force_login(self.wendy)

        self.act("refund", [claim])
        again = self.act("reject", [claim], apply="1", reason="Works for us")

        self.assertEqual(LedgerEntry.objects.get(kind=LedgerEntry.Kind.REFUND).amount, Decimal("9.99"))
        self.assertContains(again, "This claim has already been decided.")

    def test_it_asks_for_the_rejection_reason_first(self) -> None:
        claim = self.claim()
        self.client.force_login(self.wendy)

        asked = self.act("reject", [claim])
        done = self.act("reject", [claim], apply="1", reason="The key <b>works</b>")

        self.assertContains(asked, "Reason the customer will see")
        self.assertContains(done, "Decided 1 claims.")
        claim.refresh_from_db()
        self.assertEqual((claim.status, claim.decision_note), ("rejected", "The key <b>works</b>"))

    def test_it_refuses_staff_without_manage_claims(self) -> None:
        claim = self.claim()
        self.client.force_login(self.stan)

        listed = self.client.get(CHANGELIST)
        self.act("replace", [claim])

        self.assertEqual(listed.status_code, 403)
        claim.refresh_from_db()
        self.assertEqual(claim.status, Claim.Status.OPEN)
        self.assertFalse(AuditEntry.objects.filter(action="claim_replaced").exists())

    # --- the same decisions from a claim's own page ---
    def test_the_claim_page_records_a_manual_refund_after_a_confirmation(self) -> None:
        claim = self.claim()
        url = reverse("admin:catalog_claim_manual_refund", args=[claim.pk])
        self.client.force_login(self.wendy)

        confirmation = self.client.get(url)
        self.assertContains(confirmation, "Record manual refund")
        self.assertEqual(Claim.objects.get(pk=claim.pk).status, "open")  # shown, not done

        done = self.client.post(
            url, {"action": "manual_refund", "_selected_action": [claim.pk], "apply": "1"}
        )
        self.assertRedirects(
            done, reverse("admin:catalog_claim_change", args=[claim.pk]), fetch_redirect_response=False
        )
        self.assertEqual(Claim.objects.get(pk=claim.pk).status, "refunded")

    def test_the_claim_page_refuses_staff_without_manage_claims_and_forged_ids(self) -> None:
        claim = self.claim()
        self.client.force_login(self.stan)
        self.assertEqual(
            self.client.get(reverse("admin:catalog_claim_manual_refund", args=[claim.pk])).status_code, 403
        )

        self.client.force_login(self.wendy)
        for forged in ("999999", "١٢", "9" * 30):
            response = self.client.get(f"{CHANGELIST}{forged}/manual-refund/")
            self.assertEqual(response.status_code, 404, forged)
        self.assertEqual(Claim.objects.get(pk=claim.pk).status, "open")
