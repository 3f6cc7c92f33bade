from decimal import Decimal

import pytest

from payments.money import from_minor_units, parse_amount, quantize, to_minor_units, to_stars
from shopbot.errors import InvalidAmount


def test_it_rounds_halves_away_from_zero():
    assert quantize(Decimal("0.005")) == Decimal("0.01")
    assert quantize(Decimal("2.344")) == Decimal("2.34")


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("9.99"), "USD", 999),
        (Decimal("1500"), "JPY", 1500),
        (Decimal("1.234"), "KWD", 1234),
        (Decimal("7"), "XTR", 7),
    ],
)
def test_it_round_trips_minor_units(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor
    assert from_minor_units(minor, currency) == amount


def test_it_rounds_stars_up_so_the_shop_never_loses():
    assert to_stars(Decimal("10.00"), Decimal("0.91")) == 10  # 9.1 stars -> 10
    assert to_stars(Decimal("10.00"), Decimal("2")) == 20


@pytest.mark.parametrize("text", ["150", "99.50", "99,5", " 7 "])
def test_it_reads_amounts_people_type(text):
    assert parse_amount(text) == quantize(Decimal(text.strip().replace(",", ".")))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-5",
        "0",
        "1e9",
        "NaN",
        "Infinity",
        "1.234",
        "abc",
        "9" * 40,
        "<b>5</b>",
        "5; DROP TABLE",
        1.5,
        None,
    ],
)
def test_it_refuses_hostile_amounts(text):
    with pytest.raises(InvalidAmount):
        parse_amount(text)
