"""A claim's page in the web admin: the delivered value, the replacement, the unit's batch filter."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils.timezone import now

from accounts.roles import ADMIN_ROLE
from catalog.models import Purchase, StockUnit
from catalog.services.claims import replace_claim
from catalog.tests.test_claims import ClaimTestCase
from shopbot.test import make_staff

CHANGELIST = reverse("admin:catalog_claim_changelist")


class ClaimPageTests(ClaimTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Wendy is web staff with the Admin role: she decides claims and sees delivered keys.
        cls.wendy = make_staff("wendy", roles=[ADMIN_ROLE])
        # Dan decides claims but may not see the customers' keys.
        deciders = Group.objects.create(name="Claim deciders")
        deciders.permissions.set(Permission.objects.filter(codename="manage_claims"))
        cls.dan = make_staff("dan", roles=["Claim deciders"])

    def page(self, claim):  # type: ignore[no-untyped-def]
        return self.client.get(reverse("admin:catalog_claim_change", args=[claim.pk]))

    def test_it_shows_the_delivered_value_only_to_staff_who_may_see_values(self) -> None:
        claim = self.claim()

        self.client.force_login(self.wendy)
        shown = self.page(claim)
        self.client.force_login(self.dan)
        hidden = self.page(claim)

        self.assertContains(shown, "AAA-111")
        self.assertEqual(hidden.status_code, 200)
        self.assertNotContains(hidden, "AAA-111")
        self.assertContains(hidden, "needs the delivered values permission")

    def test_it_escapes_a_delivered_value_with_html(self) -> None:
        Purchase.objects.filter(pk=self.purchase.pk).update(value='<script>alert("key")</script>')
        claim = self.claim()
        self.client.force_login(self.wendy)

        page = self.page(claim)

        self.assertNotContains(page, '<script>alert("key")</script>')
        self.assertContains(page, "&lt;script&gt;alert(&quot;key&quot;)&lt;/script&gt;")

    def test_it_shows_the_replacement_with_its_value_to_value_viewers_only(self) -> None:
        claim = self.claim()
        replace_claim(actor=self.owner, claim_id=claim.pk)
        replacement = Purchase.objects.get(replaces=self.purchase)

        self.client.force_login(self.wendy)
        shown = self.page(claim)
        self.client.force_login(self.dan)
        hidden = self.page(claim)

        self.assertContains(shown, f"Replaced by #{replacement.order_number}")
        self.assertContains(shown, "BBB-222")
        self.assertContains(shown, reverse("admin:catalog_purchase_change", args=[replacement.pk]))
        self.assertContains(hidden, f"Replaced by #{replacement.order_number}")
        self.assertNotContains(hidden, "BBB-222")

    def test_the_original_purchase_page_says_what_replaced_it(self) -> None:
        claim = self.claim()
        self.client.force_login(self.wendy)
        before = self.client.get(reverse("admin:catalog_purchase_change", args=[self.purchase.pk]))

        replace_claim(actor=self.owner, claim_id=claim.pk)
        replacement = Purchase.objects.get(replaces=self.purchase)
        after = self.client.get(reverse("admin:catalog_purchase_change", args=[self.purchase.pk]))

        self.assertNotContains(before, "Replaced by #")
        self.assertContains(after, f"Replaced by #{replacement.order_number}")

    def test_it_filters_claims_by_when_the_unit_was_added_to_stock(self) -> None:
        claim = self.claim()
        self.client.force_login(self.wendy)
        today = now().replace(hour=0, minute=0, second=0, microsecond=0)
        recent = {
            "purchase__unit__created__gte": str(today),
            "purchase__unit__created__lt": str(today + timedelta(days=1)),
        }

        found = self.client.get(CHANGELIST, recent)
        StockUnit.objects.filter(pk=self.purchase.unit_id).update(created=now() - timedelta(days=30))
        older = self.client.get(CHANGELIST, recent)

        self.assertContains(found, "unit added to stock")
        self.assertEqual(list(found.context["cl"].result_list), [claim])
        self.assertEqual(list(older.context["cl"].result_list), [])
