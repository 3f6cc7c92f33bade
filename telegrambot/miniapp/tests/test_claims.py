"""Warranty and Report a problem in the Mini App: the chat's claim service behind the app's history."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from django.utils.timezone import now

from accounts.models import AuditEntry
from catalog.models import Claim, Purchase
from catalog.selectors.claims import list_claims
from catalog.services import purchase_product
from catalog.services.claims import open_claim, reject_claim
from telegrambot.miniapp.tests.test_api import MiniAppTestCase


class WarrantyTests(MiniAppTestCase):
    def test_the_product_page_shows_the_chat_cards_warranty_line(self):
        self.key.warranty_hours = 48
        self.key.save()

        item = self.app().get(f"products/{self.key.pk}").json()["product"]

        self.assertEqual(item["warranty"], "🛡 Warranty: 48 h — report a problem from your purchases")

    def test_a_product_without_warranty_shows_none_and_russian_follows_the_customer(self):
        self.gift.warranty_hours = 0
        self.gift.save()
        self.key.warranty_hours = 24
        self.key.save()
        self.alice.language = "ru"
        self.alice.save()
        app = self.app()

        self.assertEqual(app.get(f"products/{self.gift.pk}").json()["product"]["warranty"], "")
        self.assertIn("Гарантия", app.get(f"products/{self.key.pk}").json()["product"]["warranty"])

    def test_history_shows_warranty_until_and_offers_a_report_within_it(self):
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        item = self.app().get("purchases").json()["items"][0]

        self.assertEqual(item["warranty_until"], purchase.warranty_until.isoformat())
        self.assertTrue(item["can_claim"])
        self.assertIsNone(item["claim"])


class ReportProblemTests(MiniAppTestCase):
    def setUp(self):
        self.purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

    def report(self, app=None, purchase_id=None, **body):
        app = app or self.app()
        return app.post(
            f"purchases/{purchase_id or self.purchase.pk}/claim", {"reason": "not_working", **body}
        )

    def test_it_opens_the_claim_through_the_chats_service_and_staff_see_it(self):
        response = self.report(text="The key says it is already redeemed.")

        self.assertEqual(response.status_code, 200, response.content)
        claim = Claim.objects.get()
        self.assertEqual(response.json()["claim"], {"id": claim.pk, "status": "open", "status_text": "Open"})
        self.assertEqual(
            (claim.purchase, claim.customer, claim.reason), (self.purchase, self.alice, "not_working")
        )
        self.assertEqual(claim.text, "The key says it is already redeemed.")
        self.assertEqual(list_claims(actor=self.admin).items, [claim])
        self.assertTrue(AuditEntry.objects.filter(action="open_claim", actor=self.alice).exists())
        # The history now shows the claim and no second report.
        item = response.json()["purchase"]
        self.assertEqual(item["claim"]["id"], claim.pk)
        self.assertFalse(item["can_claim"])
        self.assertIn("already reported", item["claim_refusal"])

    def test_the_history_shows_a_decided_claims_status(self):
        claim = open_claim(telegram_id=self.alice.telegram_id, purchase_id=self.purchase.pk, reason="other")
        reject_claim(actor=self.admin, claim_id=claim.pk, reason="Works for us")

        item = self.app().get("purchases").json()["items"][0]

        self.assertEqual(item["claim"], {"id": claim.pk, "status": "rejected", "status_text": "Rejected"})

    def test_another_customers_purchase_is_not_found_and_audited(self):
        response = self.report(app=self.app(self.bob.telegram_id))

        self.assertEqual(response.status_code, 404)
        self.assertEqual(Claim.objects.count(), 0)
        self.assertTrue(AuditEntry.objects.filter(action="open_claim_refused", actor=self.bob).exists())
        self.assertTrue(AuditEntry.objects.filter(action="miniapp_not_found", actor=self.bob).exists())

    def test_forged_and_non_numeric_ids_are_not_found(self):
        app = self.app()

        self.assertEqual(self.report(app=app, purchase_id=999999).status_code, 404)
        self.assertEqual(app.post("purchases/abc/claim", {"reason": "other"}).status_code, 404)
        self.assertEqual(app.post("purchases/-1/claim", {"reason": "other"}).status_code, 404)
        self.assertEqual(Claim.objects.count(), 0)

    def test_past_warranty_is_refused_clearly_and_nothing_changes(self):
        Purchase.objects.filter(pk=self.purchase.pk).update(warranty_until=now() - timedelta(minutes=1))

        response = self.report()

        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["error"], "The warranty of this purchase has ended.")
        self.assertEqual(Claim.objects.count(), 0)
        self.assertFalse(self.app().get("purchases").json()["items"][0]["can_claim"])

    def test_a_refunded_purchase_is_refused(self):
        Purchase.objects.filter(pk=self.purchase.pk).update(refunded_at=now())

        response = self.report()

        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["error"], "This purchase has been refunded.")
        self.assertEqual(Claim.objects.count(), 0)

    def test_a_second_report_while_one_is_open_is_refused(self):
        self.assertEqual(self.report().status_code, 200)

        again = self.report(reason="other", text="again")

        self.assertEqual(again.status_code, 409)
        self.assertIn("already reported", again.json()["error"])
        self.assertEqual(Claim.objects.get().reason, "not_working")

    def test_hostile_text_and_reasons_are_refused_or_kept_as_plain_text(self):
        too_long = self.report(text="x" * 5000)
        bad_reason = self.report(reason="<b>refund me</b>")
        not_text = self.report(text=["a list"])
        self.assertEqual(
            (too_long.status_code, bad_reason.status_code, not_text.status_code), (409, 409, 409)
        )
        self.assertIn("at most 1000 characters", too_long.json()["error"])
        self.assertEqual(Claim.objects.count(), 0)

        html = '<script>alert(1)</script><a href="x">y</a>'
        self.assertEqual(self.report(text=html).status_code, 200)

        self.assertEqual(Claim.objects.get().text, html)  # stored as text; the page shows it as text

    @override_settings(RATE_LIMITS=True, RATE_LIMIT_CLAIM="1/d")
    def test_the_claim_limit_is_the_chats_counted_in_the_database(self):
        open_claim(telegram_id=self.alice.telegram_id, purchase_id=self.purchase.pk, reason="other")
        self.key.stock.create(value="CCC-333")
        second = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        response = self.report(purchase_id=second.pk)

        self.assertEqual(response.status_code, 409)
        self.assertEqual(Claim.objects.filter(purchase=second).count(), 0)
