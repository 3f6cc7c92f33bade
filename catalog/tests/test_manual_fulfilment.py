"""Manual fulfilment: questions at checkout on every rail, the staff queue, delivery, refunds, the deadline."""

from datetime import timedelta
from decimal import Decimal

from django.test import override_settings
from django.utils.timezone import now

from catalog.manual_models import ManualOrder
from catalog.models import CartLine, Product, Purchase
from catalog.selectors import get_product_card, list_products
from catalog.services import add_to_cart, checkout_cart, purchase_product, quote_cart, quote_product
from catalog.services.delivery_files import FILE_MAX_BYTES, FileSpec, set_delivery_kind
from catalog.services.manual import (
    deliver_order,
    mark_escalated,
    overdue_orders,
    refund_late_order,
    refund_order,
    set_fulfil_hours,
    set_product_questions,
)
from catalog.services.orders import start_product_order
from catalog.tests.test_orders import pay
from payments.models import LedgerEntry
from shopbot.errors import (
    AnswersNeeded,
    InvalidInput,
    ManualOrderDecided,
    ManualOrderNotFound,
    ManualOrderNotLate,
    PermissionDenied,
)
from shopbot.test import MoneyTestCase, make_product

Kind = Product.DeliveryKind
EMAIL = "Your account e-mail"


def make_service(category, owner, *, questions=((EMAIL, 50),), hours=2) -> Product:
    service = make_product(category, "Account top-up", "7.00")
    set_delivery_kind(actor=owner, product_id=service.pk, kind=Kind.MANUAL)
    set_product_questions(actor=owner, product_id=service.pk, questions=list(questions))
    set_fulfil_hours(actor=owner, product_id=service.pk, hours=hours)
    return Product.objects.get(pk=service.pk)


class ManualProductTests(MoneyTestCase):
    def setUp(self):
        self.service = make_service(self.games, self.owner)

    def buy(self, answers=None, customer=None):
        customer = customer or self.alice
        answers = {str(self.service.pk): ["alice@example.com"]} if answers is None else answers
        quote = quote_product(telegram_id=customer.telegram_id, product_id=self.service.pk, answers=answers)
        return purchase_product(telegram_id=customer.telegram_id, intent_id=quote.intent_id)

    def test_it_is_always_for_sale_and_listed(self):
        self.assertIs(get_product_card(product_id=self.service.pk).in_stock, True)
        listed = {
            product.name: product.in_stock for product in list_products(category_id=self.games.pk).items
        }
        self.assertIs(listed["Account top-up"], True)

    def test_a_balance_purchase_enters_the_queue_with_its_answers_and_deadline(self):
        purchase = self.buy({str(self.service.pk): ["<b>alice</b>@example.com"]})

        order = ManualOrder.objects.get()
        self.assertEqual(order.purchase, purchase)
        self.assertEqual(order.answers, [{"label": EMAIL, "answer": "<b>alice</b>@example.com"}])
        self.assertEqual(order.status, ManualOrder.Status.WAITING)
        self.assertAlmostEqual(
            order.due_at, purchase.created + timedelta(hours=2), delta=timedelta(seconds=1)
        )
        self.assertEqual(purchase.value, "")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("43.00"))

    def test_it_refuses_missing_or_hostile_answers_and_sells_nothing(self):
        pk = str(self.service.pk)
        for answers, error in [
            ({}, AnswersNeeded),
            ({pk: []}, AnswersNeeded),
            ({pk: ["a", "b"]}, AnswersNeeded),
            ({pk: "alice@example.com"}, AnswersNeeded),
            ("<script>", AnswersNeeded),
            ({pk: ["x" * 51]}, InvalidInput),
            ({pk: ["   "]}, InvalidInput),
            ({pk: [12345]}, InvalidInput),
        ]:
            with self.subTest(answers=str(answers)[:40]), self.assertRaises(error):
                quote_product(telegram_id=self.alice.telegram_id, product_id=self.service.pk, answers=answers)
        with self.assertRaises(AnswersNeeded):  # a tool's sale without an intent has no answers
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.service.pk)
        self.assertFalse(Purchase.objects.filter(product=self.service).exists())

    def test_a_product_without_questions_needs_no_answers(self):
        set_product_questions(actor=self.owner, product_id=self.service.pk, questions=[])

        self.buy(answers={})

        self.assertEqual(ManualOrder.objects.get().answers, [])

    def test_a_cart_of_mixed_kinds_queues_only_the_manual_units(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.service.pk, quantity=2)
        with self.assertRaises(AnswersNeeded):
            quote_cart(telegram_id=self.alice.telegram_id)

        cart = quote_cart(telegram_id=self.alice.telegram_id, answers={str(self.service.pk): ["a@b.c"]})
        purchases = checkout_cart(telegram_id=self.alice.telegram_id, intent_id=cart.intent_id)

        self.assertEqual(len(purchases), 3)
        self.assertEqual(ManualOrder.objects.count(), 2)
        self.assertEqual(
            set(ManualOrder.objects.values_list("purchase__product_name", flat=True)), {"Account top-up"}
        )
        self.assertFalse(CartLine.objects.exists())

    @override_settings(STARS_PER_VALUE=Decimal("2"))
    def test_a_stars_order_enters_the_queue_once(self):
        with self.assertRaises(AnswersNeeded):
            start_product_order(telegram_id=self.alice.telegram_id, product_id=self.service.pk)
        payment = start_product_order(
            telegram_id=self.alice.telegram_id,
            product_id=self.service.pk,
            answers={str(self.service.pk): ["s@t.ar"]},
        )

        pay(payment)
        pay(payment)  # a replayed update

        order = ManualOrder.objects.get()
        self.assertEqual(order.purchase.payment, payment)
        self.assertEqual(order.answers[0]["answer"], "s@t.ar")

    def test_staff_deliver_text_once_and_the_purchase_shows_it(self):
        order = self.buy().manual_order

        deliver_order(actor=self.admin, order_id=order.pk, text="Done: +100 coins on alice@example.com")
        with self.assertRaises(ManualOrderDecided):
            deliver_order(actor=self.owner, order_id=order.pk, text="again")
        with self.assertRaises(ManualOrderDecided):
            refund_order(actor=self.owner, order_id=order.pk)

        order.refresh_from_db()
        self.assertEqual((order.status, order.decided_by), (ManualOrder.Status.DELIVERED, self.admin))
        self.assertEqual(order.purchase.value, "Done: +100 coins on alice@example.com")
        self.assertIsNone(order.customer_told_at)  # the bot's job tells the customer

    def test_staff_deliver_a_file_and_a_too_large_one_is_refused(self):
        order = self.buy().manual_order
        with self.assertRaises(InvalidInput):
            deliver_order(
                actor=self.admin,
                order_id=order.pk,
                file=FileSpec("big.iso", FILE_MAX_BYTES + 1, file_id="TG-B"),
            )
        with self.assertRaises(InvalidInput):
            deliver_order(actor=self.admin, order_id=order.pk, text="   ")
        with self.assertRaises(InvalidInput):
            deliver_order(actor=self.admin, order_id=order.pk, text="x" * 4001)

        deliver_order(
            actor=self.admin, order_id=order.pk, file=FileSpec("licence.key", 300, file_id="TG-L-123")
        )

        purchase = Purchase.objects.select_related("file").get(pk=order.purchase_id)
        self.assertEqual((purchase.value, purchase.file.file_id), ("licence.key", "TG-L-123"))

    def test_staff_refund_returns_the_money_to_the_balance(self):
        order = self.buy().manual_order

        refund_order(actor=self.admin, order_id=order.pk)

        order.refresh_from_db()
        self.assertEqual(order.status, ManualOrder.Status.REFUNDED)
        self.assertEqual(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count(), 1)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))
        self.assertEqual(order.purchase.refunded_amount, Decimal("7.00"))

    def test_the_customer_refunds_only_their_own_late_order(self):
        order = self.buy().manual_order
        with self.assertRaises(ManualOrderNotLate):
            refund_late_order(telegram_id=self.alice.telegram_id, purchase_id=order.purchase_id)
        ManualOrder.objects.filter(pk=order.pk).update(due_at=now() - timedelta(minutes=1))
        for forged in (self.bob.telegram_id,):
            with self.assertRaises(ManualOrderNotFound):
                refund_late_order(telegram_id=forged, purchase_id=order.purchase_id)
        for forged in ("<b>1</b>", -1, 10**30, None):
            with self.assertRaises(ManualOrderNotFound):
                refund_late_order(telegram_id=self.alice.telegram_id, purchase_id=forged)

        refund_late_order(telegram_id=self.alice.telegram_id, purchase_id=order.purchase_id)
        with self.assertRaises(ManualOrderDecided):
            refund_late_order(telegram_id=self.alice.telegram_id, purchase_id=order.purchase_id)

        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))

    def test_staff_without_fulfil_orders_are_refused(self):
        order = self.buy().manual_order
        for decide in (
            lambda: deliver_order(actor=self.bob, order_id=order.pk, text="x"),
            lambda: refund_order(actor=self.bob, order_id=order.pk),
        ):
            with self.assertRaises(PermissionDenied):
                decide()
        with self.assertRaises(PermissionDenied):
            set_product_questions(actor=self.bob, product_id=self.service.pk, questions=[])
        order.refresh_from_db()
        self.assertTrue(order.is_waiting)

    def test_an_overdue_order_is_escalated_once(self):
        order = self.buy().manual_order
        self.assertEqual(overdue_orders(), [])
        ManualOrder.objects.filter(pk=order.pk).update(due_at=now() - timedelta(seconds=1))

        self.assertEqual([found.pk for found in overdue_orders()], [order.pk])
        self.assertEqual(mark_escalated(order_ids=[order.pk]), 1)
        self.assertEqual(mark_escalated(order_ids=[order.pk]), 0)
        self.assertEqual(overdue_orders(), [])


class ProductSettingsTests(MoneyTestCase):
    def test_questions_and_hours_refuse_bad_input(self):
        service = make_service(self.games, self.owner)
        for questions in (
            [("a", 10)] * 4,
            [("", 10)],
            [("a" * 101, 10)],
            [("a", 0)],
            [("a", 1001)],
            [("a", "-5")],
            [("a",)],
            "What is your e-mail?",
            None,
        ):
            with self.subTest(questions=str(questions)[:30]), self.assertRaises(InvalidInput):
                set_product_questions(actor=self.owner, product_id=service.pk, questions=questions)
        for hours in (0, 721, "-1", "two", None, True):
            with self.subTest(hours=hours), self.assertRaises(InvalidInput):
                set_fulfil_hours(actor=self.owner, product_id=service.pk, hours=hours)
        self.assertEqual(list(service.questions.values_list("label", flat=True)), [EMAIL])
        self.assertEqual(Product.objects.get(pk=service.pk).fulfil_hours, 2)

    def test_questions_are_one_line_labels_kept_in_order(self):
        service = make_service(
            self.games,
            self.owner,
            questions=[("E-mail\nplease", 50), {"label": "Server", "max_length": "20"}],
        )

        self.assertEqual(
            list(service.questions.values_list("label", "max_length")),
            [("E-mail please", 50), ("Server", 20)],
        )


class ManualClaimTests(MoneyTestCase):
    def test_a_claim_on_a_delivered_manual_order_is_not_replaced_from_stock(self):
        from catalog.services.claims import open_claim, replace_claim
        from shopbot.errors import ClaimNoStock

        service = make_service(self.games, self.owner, questions=())
        quote = quote_product(telegram_id=self.alice.telegram_id, product_id=service.pk)
        purchase = purchase_product(telegram_id=self.alice.telegram_id, intent_id=quote.intent_id)
        deliver_order(actor=self.owner, order_id=purchase.manual_order.pk, text="DONE")
        claim = open_claim(telegram_id=self.alice.telegram_id, purchase_id=purchase.pk, reason="not_working")

        with self.assertRaises(ClaimNoStock):
            replace_claim(actor=self.owner, claim_id=claim.pk)
        self.assertEqual(Purchase.objects.filter(replaces=purchase).count(), 0)

    def test_the_customers_data_export_holds_their_answers(self):
        import json

        from catalog.selectors.customer_data import export_customer_data

        service = make_service(self.games, self.owner)
        quote = quote_product(
            telegram_id=self.alice.telegram_id,
            product_id=service.pk,
            answers={str(service.pk): ["me@example.com"]},
        )
        purchase_product(telegram_id=self.alice.telegram_id, intent_id=quote.intent_id)

        exported = json.loads(export_customer_data(telegram_id=self.alice.telegram_id))
        bobs = json.loads(export_customer_data(telegram_id=self.bob.telegram_id))

        [order] = exported["manual_orders"]
        self.assertEqual(order["answers"], [{"label": EMAIL, "answer": "me@example.com"}])
        self.assertEqual(order["status"], "waiting")
        self.assertEqual(bobs["manual_orders"], [])
