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
