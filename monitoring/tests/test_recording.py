"""What the bot records for the dashboard: funnel steps and unexpected errors."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils.timezone import localdate

from monitoring import errors, funnel
from monitoring.counters import increment_counter
from monitoring.models import DailyCounter, RecentError
from shopbot.test import ShopTestCase, is_postgresql, race


class FunnelTests(ShopTestCase):
    def test_it_counts_each_step_per_day(self) -> None:
        funnel.record(step="shop_opened")
        funnel.record(step="shop_opened")
        funnel.record(step="product_viewed")

        today = localdate()
        totals = funnel.funnel_totals(start=today, end=today)

        self.assertEqual(totals, {"shop_opened": 2, "product_viewed": 1, "purchased": 0})

    def test_it_sums_several_days(self) -> None:
        today = localdate()
        increment_counter(name="purchased", day=today - timedelta(days=1), by=3)
        increment_counter(name="purchased", day=today)
        increment_counter(name="purchased", day=today - timedelta(days=40))

        totals = funnel.funnel_totals(start=today - timedelta(days=29), end=today)

        self.assertEqual(totals["purchased"], 4)

    def test_it_refuses_an_unknown_step(self) -> None:
        with self.assertRaisesMessage(ValueError, "Unknown funnel step 'opened'"):
            funnel.record(step="opened")

    def test_it_writes_nothing_to_the_database_until_flushed(self) -> None:
        with self.assertNumQueries(0):
            funnel.record(step="product_viewed")

        self.assertEqual(DailyCounter.objects.count(), 0)
        self.assertEqual(funnel.flush(), 1)
        self.assertEqual(funnel.flush(), 0)  # nothing is moved twice
        self.assertEqual(DailyCounter.objects.get(name="product_viewed").count, 1)

    def test_it_flushes_yesterdays_late_counts_to_yesterday(self) -> None:
        today = localdate()
        with mock.patch("monitoring.funnel.localdate", return_value=today - timedelta(days=1)):
            funnel.record(step="purchased")

        funnel.flush(today=today)

        self.assertEqual(DailyCounter.objects.get(name="purchased").day, today - timedelta(days=1))

    def test_it_keeps_the_counts_when_the_database_fails(self) -> None:
        funnel.record(step="purchased")
        with mock.patch("monitoring.funnel.increment_counter", side_effect=OperationalError("down")):
            self.assertEqual(funnel.flush(), 0)

        self.assertEqual(DailyCounter.objects.count(), 0)
        self.assertEqual(funnel.flush(), 1)  # put back, saved on the next flush

    def test_it_counts_in_memory_until_pushed(self) -> None:
        with self.assertNumQueries(0), mock.patch("monitoring.funnel.cache") as shared:
            funnel.record(step="purchased")
        self.assertEqual(shared.mock_calls, [])

        self.assertEqual(funnel.push(), 1)
        self.assertEqual(funnel.push(), 0)  # nothing is added twice
        self.assertEqual(funnel.flush(), 1)

    def test_it_keeps_the_counts_in_memory_when_the_cache_fails(self) -> None:
        funnel.record(step="purchased")
        funnel.record(step="purchased")
        with mock.patch("monitoring.funnel.cache.incr", side_effect=ConnectionError("down")):
            self.assertEqual(funnel.push(), 0)

        self.assertEqual(funnel.push(), 2)
        today = localdate()
        self.assertEqual(funnel.funnel_totals(start=today, end=today)["purchased"], 2)


class RecordErrorTests(ShopTestCase):
    def test_it_counts_the_error_and_keeps_its_class_and_summary(self) -> None:
        errors.record_error(exception_class=KeyError, summary="handler catalog.buy")

        error = RecentError.objects.get()
        self.assertEqual(error.exception, "KeyError")
        self.assertEqual(error.summary, "handler catalog.buy")
        self.assertEqual(DailyCounter.objects.get(name=errors.COUNTER).count, 1)

    def test_it_keeps_only_the_latest_twenty(self) -> None:
        for number in range(25):
            errors.record_error(exception_class="ValueError", summary=f"error {number}")

        latest = errors.list_latest_errors()
        self.assertEqual(len(latest), 20)
        self.assertEqual(RecentError.objects.count(), 20)
        self.assertEqual(latest[0].summary, "error 24")
        self.assertEqual(DailyCounter.objects.get(name=errors.COUNTER).count, 25)

    def test_it_cuts_the_summary_to_one_line_of_200_characters(self) -> None:
        errors.record_error(exception_class=RuntimeError, summary="line one\nline two " + "x" * 300)

        summary = RecentError.objects.get().summary
        self.assertEqual(len(summary), 200)
        self.assertTrue(summary.startswith("line one line two x"))
        self.assertTrue(summary.endswith("…"))

    def test_it_never_breaks_the_error_handler_when_the_database_fails(self) -> None:
        with mock.patch("monitoring.errors.increment_counter", side_effect=OperationalError("down")):
            errors.record_error(exception_class=OperationalError, summary="db down")

        self.assertEqual(RecentError.objects.count(), 0)


@pytest.mark.django_db(transaction=True)
def test_it_counts_every_increment_when_threads_race_for_a_new_day():
    if not is_postgresql():
        pytest.skip("Races are checked on PostgreSQL")

    results = race(4, lambda: increment_counter(name="shop_opened"))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert DailyCounter.objects.get(name="shop_opened").count == 4
