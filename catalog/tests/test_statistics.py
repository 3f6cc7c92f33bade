"""Shop statistics against a known dataset, with "today" in the shop's time zone."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import AuditEntry, Customer
from catalog.models import Purchase, StockUnit
from catalog.selectors.statistics import Line, compute_statistics, get_statistics
from payments.models import LedgerEntry, Payment, ReferralReward
from shopbot.errors import PermissionDenied
from shopbot.test import ShopTestCase, give_money, make_customer

UTC = UTC
# 02:00 on 10 March in Vladivostok (UTC+10) is 16:00 on 9 March in UTC.
AT = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
TODAY_LOCAL = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)  # 01:30 on 10 March in Vladivostok
YESTERDAY_LOCAL = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 23:00 on 9 March there, today in UTC
THIS_MONTH = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def buy(buyer: Customer, name: str, price: str, created: datetime) -> None:
    Purchase.objects.create(
        buyer=buyer,
        product_name=name,
        list_price=Decimal(price),
        price=Decimal(price),
        value="x",
        created=created,
    )


def pay(customer: Customer, provider: str, amount: str, status: str = Payment.Status.PAID) -> Payment:
    return Payment.objects.create(
        provider=provider,
        customer=customer,
        amount=Decimal(amount),
        provider_amount=Decimal(amount),
        provider_currency="RUB",
        status=status,
        expires_at=now() + timedelta(hours=1),
    )


def reward(referrer: Customer, referee: Customer, amount: str) -> None:
    payment = pay(referee, Payment.Provider.MANUAL, "100", status=Payment.Status.REFUNDED)
    entry = LedgerEntry.objects.create(
        customer=referrer,
        kind=LedgerEntry.Kind.REFERRAL_REWARD,
        amount=Decimal(amount),
        balance_after=Decimal(amount),
    )
    ReferralReward.objects.create(
        referrer=referrer, referee=referee, payment=payment, ledger_entry=entry, amount=Decimal(amount)
    )


@override_settings(TIME_ZONE="Asia/Vladivostok")
class StatisticsTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Customer.objects.update(created=LONG_AGO)
        # Carol joined after local midnight, Dan just before it, Erin three weeks ago.
        cls.carol = make_customer(1101, created=TODAY_LOCAL)
        cls.dan = make_customer(1102, created=YESTERDAY_LOCAL)
        cls.erin = make_customer(1103, created=THIS_MONTH)
        give_money(cls.carol, "10.00")
        buy(cls.alice, "Game key", "9.99", TODAY_LOCAL)
        buy(cls.carol, "Gift link", "4.00", TODAY_LOCAL)
        buy(cls.bob, "Game key", "9.99", YESTERDAY_LOCAL)
        buy(cls.alice, "Gift link", "5.00", THIS_MONTH)
        buy(cls.alice, "Gift link", "5.00", LONG_AGO)
        pay(cls.alice, Payment.Provider.STARS, "20.00")
        pay(cls.bob, Payment.Provider.STARS, "20.00")
        pay(cls.carol, Payment.Provider.TELEGRAM, "15.00")
        pay(cls.dan, Payment.Provider.CRYPTOPAY, "7.00", status=Payment.Status.PENDING)
        reward(cls.alice, cls.carol, "2.00")
        reward(cls.alice, cls.dan, "1.50")
        first_unit = StockUnit.objects.filter(product=cls.key).order_by("id").first()
        StockUnit.objects.filter(pk=first_unit.pk).update(sold_at=LONG_AGO)

    def test_it_counts_users_by_day_in_the_shop_time_zone(self) -> None:
        statistics = compute_statistics(at=AT)

        self.assertEqual(
            (statistics.users.today, statistics.users.week, statistics.users.month, statistics.users.total),
            (1, 2, 3, 7),
        )

    def test_it_sums_sales_and_revenue_per_period(self) -> None:
        statistics = compute_statistics(at=AT)

        self.assertEqual(
            (statistics.sales.today, statistics.sales.week, statistics.sales.month, statistics.sales.total),
            (2, 3, 4, 5),
        )
        self.assertEqual(
            (
                statistics.revenue.today,
                statistics.revenue.week,
                statistics.revenue.month,
                statistics.revenue.total,
            ),
            (Decimal("13.99"), Decimal("23.98"), Decimal("28.98"), Decimal("33.98")),
        )
        self.assertEqual(statistics.buyers, 3)

    def test_it_ranks_products_and_payment_methods(self) -> None:
        statistics = compute_statistics(at=AT)

        self.assertEqual(
            statistics.top_products,
            [Line("Gift link", 3, Decimal("14.00")), Line("Game key", 2, Decimal("19.98"))],
        )
        self.assertEqual(
            statistics.payments_by_method,
            [Line("stars", 2, Decimal("40.00")), Line("telegram", 1, Decimal("15.00"))],
        )

    def test_it_reports_balances_stock_and_referral_rewards(self) -> None:
        statistics = compute_statistics(at=AT)

        self.assertEqual(statistics.balances_outstanding, Decimal("60.00"))
        self.assertEqual((statistics.stock_left, statistics.unlimited_products), (1, 1))
        self.assertEqual(
            (statistics.referral_rewards.count, statistics.referral_rewards.amount), (2, Decimal("3.50"))
        )

    def test_it_moves_today_with_the_time_zone(self) -> None:
        with self.settings(TIME_ZONE="UTC"):
            statistics = compute_statistics(at=AT)

        self.assertEqual((statistics.users.today, statistics.sales.today), (2, 3))

    def test_it_uses_a_bounded_number_of_queries(self) -> None:
        with self.assertNumQueries(8):
            compute_statistics(at=AT)

    def test_it_is_empty_for_an_empty_shop(self) -> None:
        Purchase.objects.all().delete()
        ReferralReward.objects.all().delete()

        statistics = compute_statistics(at=AT)

        self.assertEqual((statistics.sales.total, statistics.revenue.total), (0, Decimal("0")))
        self.assertEqual(statistics.top_products, [])
        self.assertEqual(statistics.referral_rewards.amount, Decimal("0"))


class GetStatisticsTests(ShopTestCase):
    def test_it_caches_the_numbers_for_a_minute(self) -> None:
        first = get_statistics(actor=self.admin)
        make_customer(1201)

        with self.assertNumQueries(0):
            second = get_statistics(actor=self.admin)

        self.assertEqual(second.users.total, first.users.total)
        cache.clear()
        self.assertEqual(get_statistics(actor=self.admin).users.total, first.users.total + 1)

    def test_it_refuses_and_audits_someone_without_the_permission(self) -> None:
        with self.assertRaises(PermissionDenied):
            get_statistics(actor=self.alice)

        entry = AuditEntry.objects.get(action="permission_denied")
        self.assertEqual((entry.actor, entry.target), (self.alice, "get_statistics"))
