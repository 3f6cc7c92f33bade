"""Orders to fulfil in the web admin: the queue, Deliver (text or a document) and Refund, fulfil_orders only."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.manual_models import ManualOrder
from catalog.models import Product
from catalog.services import purchase_product, quote_product
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.manual import set_product_questions
from catalog.tests.test_admin import product_form
from shopbot.test import MoneyTestCase, make_product, make_staff

CHANGELIST = "admin:catalog_manualorder_changelist"


class ManualOrderAdminTests(MoneyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        cls.catalog_only = make_staff("cat", permissions=["accounts.manage_catalog"])

    def setUp(self) -> None:
        service = make_product(self.games, "Boost", "7.00")
        set_delivery_kind(actor=self.owner, product_id=service.pk, kind=Product.DeliveryKind.MANUAL)
        set_product_questions(actor=self.owner, product_id=service.pk, questions=[("Your <b>e-mail</b>", 60)])
        quote = quote_product(
            telegram_id=self.alice.telegram_id,
            product_id=service.pk,
            answers={str(service.pk): ["<i>a</i>@b.c"]},
        )
        self.order = purchase_product(
            telegram_id=self.alice.telegram_id, intent_id=quote.intent_id
        ).manual_order
        self.client.force_login(self.root)

    def act(self, action: str, **fields: object):
        data = {"action": action, "_selected_action": [self.order.pk], "index": "0", **fields}
        return self.client.post(reverse(CHANGELIST), data, follow=True)

    def test_the_queue_and_an_order_show_the_answers_escaped(self) -> None:
        page = self.client.get(reverse(CHANGELIST))
        self.assertContains(page, "#" + self.order.purchase.order_number)

        detail = self.client.get(reverse("admin:catalog_manualorder_change", args=[self.order.pk]))
        self.assertContains(detail, "Your &lt;b&gt;e-mail&lt;/b&gt;")
        self.assertContains(detail, "&lt;i&gt;a&lt;/i&gt;@b.c")

    def test_it_delivers_a_text_through_the_service(self) -> None:
        form = self.act("deliver")
        self.assertContains(form, "Deliver the order")

        self.act("deliver", apply="1", text="KEY-9")

        self.order.refresh_from_db()
        self.assertEqual((self.order.status, self.order.purchase.value), ("delivered", "KEY-9"))

    def test_it_delivers_a_document_and_refuses_an_empty_delivery(self) -> None:
        empty = self.act("deliver", apply="1", text="  ")
        self.assertContains(empty, "Send the delivery as a text or a document.")

        self.act("deliver", apply="1", document=SimpleUploadedFile("licence.key", b"LICENCE"))

        self.order.refresh_from_db()
        self.assertEqual(self.order.status, "delivered")
        self.assertEqual(self.order.delivered_file.name, "licence.key")

    def test_it_refunds_once(self) -> None:
        self.act("refund")
        again = self.act("refund")

        self.assertContains(again, "already delivered or refunded")
        self.order.refresh_from_db()
        self.assertEqual(self.order.status, "refunded")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))

    def test_staff_without_fulfil_orders_get_nothing(self) -> None:
        self.client.force_login(self.catalog_only)

        self.assertIn(self.client.get(reverse(CHANGELIST)).status_code, (302, 403))
        self.act("refund")
        self.act("deliver", apply="1", text="KEY-9")

        self.order.refresh_from_db()
        self.assertEqual(self.order.status, ManualOrder.Status.WAITING)

    def test_the_product_form_sets_the_hours_through_the_service(self) -> None:
        product = self.order.purchase.product
        url = reverse("admin:catalog_product_change", args=[product.pk])

        self.client.post(url, product_form(product, fulfil_hours=6))
        refused = self.client.post(url, product_form(product, fulfil_hours=0), follow=True)

        product.refresh_from_db()
        self.assertEqual(product.fulfil_hours, 6)
        self.assertContains(refused, "1 to 720")

    def test_the_product_form_sets_the_questions_through_the_service(self) -> None:
        product = self.order.purchase.product
        url = reverse("admin:catalog_product_change", args=[product.pk])
        self.assertContains(self.client.get(url), "Your &lt;b&gt;e-mail&lt;/b&gt; | 60")

        refused = self.client.post(
            url, product_form(product, checkout_questions="Server | 5000"), follow=True
        )
        self.assertContains(refused, "1 to 1000")
        self.client.post(url, product_form(product, checkout_questions="E-mail | 80\nServer"))
        self.assertEqual(
            list(product.questions.values_list("label", "max_length")), [("E-mail", 80), ("Server", 200)]
        )

        self.client.post(url, product_form(product, checkout_questions=""))
        self.assertFalse(product.questions.exists())

    def test_a_product_not_delivered_by_hand_asks_nothing(self) -> None:
        url = reverse("admin:catalog_product_change", args=[self.key.pk])

        refused = self.client.post(url, product_form(self.key, checkout_questions="E-mail | 80"), follow=True)

        self.assertContains(refused, "Only a product delivered by hand")
        self.assertFalse(self.key.questions.exists())
