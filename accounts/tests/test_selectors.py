"""Who may shop (one rule for the gate, purchases and top-ups) and the one paginator of every list."""

from accounts.models import Customer
from accounts.selectors import MAX_PAGE, get_buyer, list_referrals, may_shop, paginate
from payments.selectors import list_ledger
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


class PaginateTests(ShopTestCase):
    def test_it_pages_a_queryset_and_a_loaded_list_alike(self) -> None:
        rows = list(range(25))

        from_list = paginate(rows, page=3)
        from_queryset = paginate(Customer.objects.order_by("id"), page=1, size=2)

        self.assertEqual(
            (from_list.items, from_list.has_previous, from_list.has_next), (rows[20:], True, False)
        )
        self.assertEqual(from_queryset.items, [self.owner, self.admin])
        self.assertIs(from_queryset.has_next, True)

    def test_it_turns_a_forged_page_into_the_nearest_valid_one_in_every_app(self) -> None:
        """Referrals and the ledger used a paginator of their own that a page like "x" crashed."""
        for forged, number in [(0, 1), (-7, 1), ("x", 1), (None, 1), (10**12, MAX_PAGE)]:
            self.assertEqual(list_referrals(telegram_id=self.alice.telegram_id, page=forged).number, number)
            self.assertEqual(list_ledger(telegram_id=self.alice.telegram_id, page=forged).number, number)
