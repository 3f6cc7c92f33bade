"""SVG charts: pure functions of numbers."""

from datetime import date
from decimal import Decimal

from monitoring.charts import day_bars, fill_days, horizontal_bars, scale


def test_it_fills_days_without_data_with_zero():
    filled = fill_days(values={date(2026, 1, 2): 5}, start=date(2026, 1, 1), days=3, zero=0)

    assert filled == [(date(2026, 1, 1), 0), (date(2026, 1, 2), 5), (date(2026, 1, 3), 0)]


def test_it_scales_the_largest_value_to_the_full_length():
    assert scale(10, maximum=10, length=100) == 100.0
    assert scale(Decimal("2.5"), maximum=Decimal(10), length=100) == 25.0


def test_it_draws_nothing_for_zero_or_a_zero_maximum():
    assert scale(0, maximum=10, length=100) == 0.0
    assert scale(0, maximum=0, length=100) == 0.0


def test_it_draws_one_bar_per_day_with_a_tooltip():
    values = fill_days(values={date(2026, 1, 2): 4}, start=date(2026, 1, 1), days=3, zero=0)

    svg = day_bars(values=values, label="Units sold per day")

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 3
    assert "<title>2026-01-02: 4</title>" in svg
    assert "max 4" in svg


def test_it_formats_money_with_two_places():
    svg = day_bars(values=[(date(2026, 1, 1), Decimal("1234.5"))], label="Revenue")

    assert "1,234.50" in svg


def test_it_draws_an_empty_series_without_failing():
    svg = day_bars(values=[], label="Nothing")

    assert "<rect" not in svg


def test_it_draws_horizontal_bars_with_values():
    svg = horizontal_bars(rows=[("Shop opened", 10), ("Purchased", 5)], label="Funnel")

    assert svg.count("<rect") == 2
    assert 'width="400.0"' in svg  # 640 wide minus label and value columns
    assert 'width="200.0"' in svg


def test_it_escapes_labels():
    svg = horizontal_bars(rows=[("<script>alert(1)</script>", 1)], label='a "quoted" & <b>')

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'aria-label="a &quot;quoted&quot; &amp; &lt;b&gt;"' in svg
