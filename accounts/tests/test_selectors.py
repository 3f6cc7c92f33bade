"""Who may shop: one rule for the bot's gate, every purchase and every top-up."""

from accounts.models import Customer
from accounts.selectors import get_buyer, may_shop
from shopbot.errors import CustomerBlocked, CustomerNotFound
from shopbot.test import ShopTestCase


class MayShopTests(ShopTestCase):
    def test_it_lets_a_customer_who_is_not_blocked_shop(self) -> None:
        self.assertIs(may_shop(self.alice), True)
        self.assertEqual(get_buyer(telegram_id=self.alice.telegram_id), self.alice)

    def test_it_refuses_a_blocked_customer(self) -> None:
        Customer.objects.filter(pk=self.bob.pk).update(is_blocked=True)
        self.bob.refresh_from_db()

        self.assertIs(may_shop(self.bob), False)
        with self.assertRaises(CustomerBlocked):
            get_buyer(telegram_id=self.bob.telegram_id)

    def test_it_lets_the_owner_shop_even_when_their_row_says_blocked(self) -> None:
        """The owner cannot be blocked; a row marked so (an import, a changed OWNER_ID) changes nothing."""
        Customer.objects.filter(pk=self.owner.pk).update(is_blocked=True)
        self.owner.refresh_from_db()

        self.assertIs(may_shop(self.owner), True)
        self.assertEqual(get_buyer(telegram_id=self.owner.telegram_id), self.owner)

    def test_it_refuses_someone_who_never_came_to_the_shop(self) -> None:
        with self.assertRaises(CustomerNotFound):
            get_buyer(telegram_id=424242)
