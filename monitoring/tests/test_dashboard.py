"""/dashboard/: staff only, with charts drawn from bounded queries."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate, now

from catalog.models import Purchase
from monitoring import errors, funnel, stream
from monitoring.tests.helpers import make_staff
from payments.models import Payment
from shopbot.test import ShopTestCase, make_customer, make_product


def sell(test: ShopTestCase, price: str = "9.99", **fields: object) -> Purchase:
    return Purchase.objects.create(
        buyer=test.alice,
        product=test.key,
        product_name=test.key.name,
        category_name="Games",
        list_price=Decimal(price),
        price=Decimal(price),
        value="AAA-111",
        **fields,
    )


def make_payment(test: ShopTestCase, status: str = Payment.Status.PENDING, **fields: object) -> Payment:
    return Payment.objects.create(
        provider=Payment.Provider.CRYPTOPAY,
        customer=test.alice,
        amount=Decimal("25.00"),
        provider_amount=Decimal(25),
        provider_currency="USDT",
        status=status,
        expires_at=now() + timedelta(minutes=30),
        **fields,
    )


class DashboardTests(ShopTestCase):
    def setUp(self) -> None:
        self.staff = make_staff()
        self.staff.user_permissions.add(Permission.objects.get(codename="view_statistics"))

    def test_it_shows_charts_and_figures_to_staff(self) -> None:
        sell(self)
        sell(self, "5.00")
        make_payment(self)
        make_payment(self, Payment.Status.PAID)
        funnel.record(step="shop_opened")
        funnel.record(step="shop_opened")
        funnel.record(step="purchased")
        errors.record_error(exception_class="TimedOut", summary="handler catalog.buy")
        self.client.force_login(self.staff)

        response = self.client.get("/dashboard/")

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertGreaterEqual(html.count("<svg"), 6)
        self.assertIn(f"<title>{localdate():%Y-%m-%d}: 2</title>", html)  # units sold today
        self.assertIn(f"<title>{localdate():%Y-%m-%d}: 14.99</title>", html)  # revenue today
        self.assertIn("<strong>50.0 %</strong>", html)  # one purchase for two openings
        self.assertIn("<strong>14.99 RUB</strong>", html)
        self.assertIn("TimedOut", html)
        self.assertIn("CryptoPay", html)
        self.assertEqual(response.context["pending"]["count"], 1)

    def test_it_shows_the_update_stream_in_webhook_mode(self) -> None:
        if not stream.uses_redis():
            self.skipTest("the update stream lives in Redis")
        client = stream.redis()
        client.xadd(stream.stream_key(), {"update": '{"update_id": 1}'})
        client.xgroup_create(stream.stream_key(), stream.GROUP, id="0")
        client.xreadgroup(stream.GROUP, "worker-1", {stream.stream_key(): ">"})
        self.client.force_login(self.staff)

        html = self.client.get("/dashboard/").content.decode()

        self.assertIn("Updates in the stream<strong>1</strong>", html)
        self.assertIn("Updates being handled<strong>1</strong>", html)

    def test_it_lists_products_at_or_below_their_threshold(self) -> None:
        make_product(self.games, "Almost gone", "3.00", units=["ONE"], low_stock_threshold=1)
        make_product(self.games, "Plenty", "3.00", units=["A", "B", "C"], low_stock_threshold=1)
        self.client.force_login(self.staff)

        response = self.client.get("/dashboard/")

        names = [product.name for product in response.context["low_stock"]]
        self.assertIn("Almost gone", names)
        self.assertNotIn("Plenty", names)
        self.assertNotIn("Gift link", names)  # unlimited goods never run out

    def test_it_groups_sales_by_day_in_the_time_zone(self) -> None:
        with self.settings(TIME_ZONE="Asia/Tokyo"):
            today = localdate()
            sell(self, created=now())
            self.client.force_login(self.staff)

            response = self.client.get("/dashboard/")

        self.assertIn(f"<title>{today:%Y-%m-%d}: 1</title>", response.content.decode())

    def test_it_runs_the_same_queries_whatever_the_amount_of_data(self) -> None:
        self.client.force_login(self.staff)
        sell(self)
        self.client.get("/dashboard/")  # warm the session and content types
        with CaptureQueriesContext(connection) as few:
            self.client.get("/dashboard/")
        for day in range(20):
            sell(self, created=now() - timedelta(days=day))
            make_customer(5000 + day)
            make_payment(self)
        with CaptureQueriesContext(connection) as many:
            self.client.get("/dashboard/")

        self.assertEqual(len(many), len(few))

    def test_it_sends_customers_without_staff_status_to_the_login(self) -> None:
        self.client.force_login(make_staff("carol", staff=False))

        response = self.client.get("/dashboard/")

        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_it_refuses_staff_without_view_statistics(self) -> None:
        # An admin with only manage_stock who used the sign-in link.
        stock_keeper = make_staff("stella")
        stock_keeper.user_permissions.add(Permission.objects.get(codename="manage_stock"))
        self.client.force_login(stock_keeper)

        response = self.client.get("/dashboard/")
        index = self.client.get("/admin/")

        self.assertEqual(response.status_code, 403)
        self.assertNotContains(index, 'href="/dashboard/"')

    def test_it_sends_anonymous_visitors_to_the_login(self) -> None:
        response = self.client.get("/dashboard/")

        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_it_is_linked_from_the_admin_index(self) -> None:
        self.client.force_login(self.staff)

        response = self.client.get("/admin/")

        self.assertContains(response, 'href="/dashboard/"')
