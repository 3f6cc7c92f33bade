"""A manual product in the Mini App: its checkout questions on the card, the answers with the quote."""

from __future__ import annotations

from catalog.manual_models import ManualOrder
from catalog.models import Product
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.manual import set_product_questions
from shopbot.test import make_product
from telegrambot.miniapp.tests.test_api import MiniAppTestCase


class ManualProductTests(MiniAppTestCase):
    def setUp(self):
        self.service = make_product(self.games, "Boost", "7.00")
        set_delivery_kind(actor=self.owner, product_id=self.service.pk, kind=Product.DeliveryKind.MANUAL)
        set_product_questions(actor=self.owner, product_id=self.service.pk, questions=[("E-mail", 30)])

    def test_the_card_names_the_questions_and_the_quote_takes_the_answers(self):
        app = self.app()
        card = app.get(f"products/{self.service.pk}").json()["product"]
        self.assertEqual(
            card["questions"], [{"product_id": self.service.pk, "label": "E-mail", "max_length": 30}]
        )
        self.assertIs(card["in_stock"], True)

        for answers in (None, {str(self.service.pk): ["x" * 31]}, {str(self.service.pk): "<b>"}, ["a"]):
            refused = app.post("buy/quote", {"product_id": self.service.pk, "answers": answers})
            self.assertIn(refused.status_code, (400, 409), answers)  # refused, with the reason
        answers = {str(self.service.pk): ["app@example.com"]}
        quote = app.post("buy/quote", {"product_id": self.service.pk, "answers": answers}).json()["quote"]
        bought = app.post("buy", {"intent_id": quote["intent_id"]}).json()

        self.assertTrue(bought["purchases"][0]["preparing_until"])
        self.assertEqual(bought["purchases"][0]["value"], "")
        self.assertEqual(
            ManualOrder.objects.get().answers, [{"label": "E-mail", "answer": "app@example.com"}]
        )

    def test_the_cart_names_its_manual_products_questions_and_its_quote_takes_the_answers(self):
        app = self.app()
        app.post("cart/add", {"product_id": self.key.pk, "quantity": 1})
        cart = app.post("cart/add", {"product_id": self.service.pk, "quantity": 1}).json()["cart"]
        self.assertEqual(
            cart["questions"], [{"product_id": self.service.pk, "label": "E-mail", "max_length": 30}]
        )

        empty = app.post("cart/quote", {"answers": {str(self.service.pk): ["  "]}})
        self.assertEqual((empty.status_code, empty.json()["error"]), (409, "E-mail: write an answer."))
        self.assertEqual(app.post("cart/quote", {}).json()["code"], "AnswersNeeded")
        answers = {str(self.service.pk): ["cart@example.com"]}
        intent_id = app.post("cart/quote", {"answers": answers}).json()["intent_id"]
        bought = app.post("cart/checkout", {"intent_id": intent_id}).json()["purchases"]

        self.assertEqual([bool(item["preparing_until"]) for item in bought], [False, True])
        self.assertEqual(
            ManualOrder.objects.get().answers, [{"label": "E-mail", "answer": "cart@example.com"}]
        )
        self.assertEqual(app.get("cart").json()["cart"]["questions"], [])

    def test_a_product_without_questions_leaves_the_cart_asking_nothing(self):
        app = self.app()
        cart = app.post("cart/add", {"product_id": self.key.pk, "quantity": 1}).json()["cart"]
        self.assertEqual(cart["questions"], [])
