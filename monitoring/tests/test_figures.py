"""The dashboard and the admin menu's statistics count the same days: one ``Period``."""

from datetime import timedelta

from django.test import override_settings
from django.utils.timezone import localdate

from accounts.models import Customer
from catalog.selectors.statistics import compute_statistics
from catalog.tests.test_statistics import AT, LONG_AGO, THIS_MONTH, TODAY_LOCAL, YESTERDAY_LOCAL, buy
from monitoring.dashboard import build_dashboard
from shopbot.test import ShopTestCase, make_customer

# Just outside the last 30 local days, and one minute inside them.
OUTSIDE_MONTH = AT - timedelta(days=29, hours=2, minutes=1)
INSIDE_MONTH = AT - timedelta(days=29, hours=1, minutes=59)


@override_settings(TIME_ZONE="Asia/Vladivostok")
class FiguresTests(ShopTestCase):
    def test_it_shows_the_admin_menus_figures_on_the_dashboard(self) -> None:
        Customer.objects.update(created=LONG_AGO)
        moments = (TODAY_LOCAL, YESTERDAY_LOCAL, THIS_MONTH, INSIDE_MONTH, OUTSIDE_MONTH, LONG_AGO)
        for number, created in enumerate(moments):
            buy(self.alice, "Game key", f"{number + 1}.00", created)
            make_customer(5000 + number, created=created)
        statistics = compute_statistics(at=AT)

        for days, name in ((1, "today"), (7, "week"), (30, "month")):
            totals = build_dashboard(days=days, today=localdate(AT))["totals"]
            self.assertEqual(totals["units"], getattr(statistics.sales, name), name)
            self.assertEqual(totals["revenue"], getattr(statistics.revenue, name), name)
            self.assertEqual(totals["customers"], getattr(statistics.users, name), name)
        self.assertEqual(statistics.sales.month, 4)  # the boundary falls where both say it does
