"""Who may shop is one rule: a purchase, a quote and a top-up agree with the bot's gate."""

from decimal import Decimal

from django.db import transaction

from accounts.models import Customer
from catalog.services import quote_product
from catalog.services.common import lock_buyer
from payments.models import Payment
from payments.services import start_top_up
from payments.tests.helpers import ALL_METHODS
from shopbot.errors import CustomerBlocked
from shopbot.test import ShopTestCase


@ALL_METHODS
class WhoMayShopTests(ShopTestCase):
    def test_it_refuses_a_blocked_customer_everywhere(self) -> None:
        Customer.objects.filter(pk=self.alice.pk).update(is_blocked=True)

        with self.assertRaises(CustomerBlocked):
            quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        with self.assertRaises(CustomerBlocked), transaction.atomic():
            lock_buyer(telegram_id=self.alice.telegram_id)  # what every purchase and checkout takes first
        with self.assertRaises(CustomerBlocked):
            start_top_up(telegram_id=self.alice.telegram_id, provider=Payment.Provider.STARS, amount="100")
        self.assertEqual(Payment.objects.count(), 0)

    def test_it_lets_the_owner_buy_and_top_up_as_the_gate_lets_them_in(self) -> None:
        Customer.objects.filter(pk=self.owner.pk).update(is_blocked=True)

        quote = quote_product(telegram_id=self.owner.telegram_id, product_id=self.key.pk)
        with transaction.atomic():
            buyer = lock_buyer(telegram_id=self.owner.telegram_id)
        payment = start_top_up(
            telegram_id=self.owner.telegram_id, provider=Payment.Provider.STARS, amount="100"
        )

        self.assertEqual(quote.price, Decimal("9.99"))
        self.assertEqual(buyer, self.owner)
        self.assertEqual(payment.customer, self.owner)
