"""Every admin page renders for a superuser; history stays read-only; big tables are never counted whole."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry, Customer, SignInLink
from accounts.services.signin import create_sign_in_link
from catalog.models import PromoUsage, Purchase, StockUnit
from catalog.services import add_to_cart, purchase_product, save_review
from payments.models import LedgerEntry, Payment, PaymentNotice, ReferralReward
from payments.services import create_payment, credit_payment
from shopbot.admin import CappedCountPaginator
from shopbot.test import ShopTestCase, make_customer, make_promo, make_staff
from telegrambot.models import Broadcast, BroadcastDelivery, DialogState
from telegrambot.services.maintenance import set_maintenance

HISTORY = (
    Purchase,
    Payment,
    LedgerEntry,
    ReferralReward,
    AuditEntry,
    PromoUsage,
    PaymentNotice,
    Broadcast,
    BroadcastDelivery,
)
LARGE = (Purchase, LedgerEntry, Payment, AuditEntry, StockUnit, Customer)


def url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class AdminPagesTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Root signs in to the web admin as a superuser.
        cls.root = make_staff("root", superuser=True)
        # Carol came through Bob's referral link and topped up: a payment, a ledger row, a reward.
        carol = make_customer(1003, username="carol", referrer=cls.bob)
        payment = create_payment(
            customer=carol,
            provider=Payment.Provider.MANUAL,
            amount=Decimal("100.00"),
            provider_amount=Decimal("100.00"),
            provider_currency="RUB",
        )
        credit_payment(payment_id=payment.pk)
        make_promo("SPRING", value="10")
        purchase_product(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk, promo_code="SPRING")
        save_review(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk, rating=5, text="Works")
        add_to_cart(telegram_id=cls.alice.telegram_id, product_id=cls.gift.pk)
        DialogState.objects.create(telegram_id=cls.alice.telegram_id, state="top_up_amount")
        broadcast = Broadcast.objects.create(author=cls.owner, text="<b>Sale</b> today", status="finished")
        BroadcastDelivery.objects.create(broadcast=broadcast, customer=cls.alice, status="sent")
        set_maintenance(actor=cls.root, enabled=False)
        create_sign_in_link(actor=cls.admin)
        AuditEntry.objects.create(actor_label="web:root", action="test", target="=cmd")

    def setUp(self) -> None:
        self.client.force_login(self.root)

    def test_it_renders_every_changelist_and_search(self) -> None:
        for model in admin.site._registry:
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(url(model, "changelist")).status_code, 200)
                self.assertEqual(self.client.get(url(model, "changelist"), {"q": "1001"}).status_code, 200)

    def test_it_renders_every_change_page(self) -> None:
        for model in admin.site._registry:
            obj = model._default_manager.first()
            if obj is None:
                continue
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(url(model, "change", obj.pk)).status_code, 200)

    def test_it_renders_every_add_page_that_exists(self) -> None:
        for model, model_admin in admin.site._registry.items():
            request = mock.Mock(user=self.root)
            expected = 200 if model_admin.has_add_permission(request) else 403
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(url(model, "add")).status_code, expected)

    def test_it_keeps_history_read_only(self) -> None:
        for model in HISTORY:
            obj = model.objects.first()
            with self.subTest(model=model.__name__):
                self.assertIsNotNone(obj)
                self.assertEqual(self.client.get(url(model, "add")).status_code, 403)
                self.assertEqual(self.client.post(url(model, "change", obj.pk), {}).status_code, 403)
                self.assertEqual(self.client.get(url(model, "delete", obj.pk)).status_code, 403)
                self.assertEqual(
                    self.client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code, 403
                )
                self.assertTrue(model.objects.filter(pk=obj.pk).exists())

    def test_it_never_counts_a_whole_large_table(self) -> None:
        for model in LARGE:
            model_admin = admin.site._registry[model]
            with self.subTest(model=model.__name__):
                self.assertIs(model_admin.show_full_result_count, False)
                self.assertIs(model_admin.paginator, CappedCountPaginator)
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url(model, "changelist")).status_code, 200)
                counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
                self.assertTrue(counts)
                for sql in counts:
                    self.assertIn("LIMIT", sql.upper())

    def test_it_revokes_a_sign_in_link_by_deleting_it(self) -> None:
        link = SignInLink.objects.get()

        self.client.post(url(SignInLink, "delete", link.pk), {"post": "yes"})

        self.assertFalse(SignInLink.objects.exists())

    def test_it_says_more_than_when_the_count_is_capped(self) -> None:
        with mock.patch.object(CappedCountPaginator, "cap", 1):
            response = self.client.get(url(LedgerEntry, "changelist"))

        self.assertContains(response, "more than 1")

    def test_it_finds_a_customer_by_exact_telegram_id(self) -> None:
        response = self.client.get(url(LedgerEntry, "changelist"), {"q": str(self.alice.telegram_id)})

        self.assertContains(response, "@alice")
        self.assertNotContains(response, "@carol")

    def test_it_survives_hostile_search_terms(self) -> None:
        for term in ["²", "9223372036854775808", "9" * 40, "' OR 1=1 --", "%", "\x00"]:
            for model in (Customer, LedgerEntry, Purchase):
                with self.subTest(term=term, model=model.__name__):
                    self.assertEqual(self.client.get(url(model, "changelist"), {"q": term}).status_code, 200)

    def test_it_shows_the_shop_name(self) -> None:
        response = self.client.get(reverse("admin:index"))

        self.assertContains(response, "shopbot")
        self.assertNotContains(response, "Django administration")

    def test_it_filters_the_ledger_by_the_customer_link(self) -> None:
        page = self.client.get(url(Customer, "change", self.alice.pk))
        ledger = url(LedgerEntry, "changelist") + f"?customer__id__exact={self.alice.pk}"

        self.assertContains(page, ledger.replace("&", "&amp;"))
        self.assertEqual(self.client.get(ledger).status_code, 200)
