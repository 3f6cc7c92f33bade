"""Callback routes: round trips, strict patterns, Telegram's 64-byte limit."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from telegrambot import callbacks
from telegrambot.callbacks import MAX_CALLBACK_BYTES, Route

ROUTES = [value for value in vars(callbacks).values() if isinstance(value, Route)]


def test_it_round_trips_ids_pages_amounts_and_choices() -> None:
    # The wire format itself is under test here, so the expected strings are written out.
    assert callbacks.PURCHASE.parse(callbacks.PURCHASE.build(42, 3)) == (42, 3)
    assert callbacks.LEDGER.parse(callbacks.LEDGER.build(7)) == 7
    assert callbacks.TOP_UP_STARS.build(Decimal("150.50")) == "tus:15050"
    assert callbacks.TOP_UP_STARS.parse("tus:15050") == Decimal("150.50")
    assert callbacks.SET_LANGUAGE.parse("lang:ru") == "ru"
    assert callbacks.MENU.parse("menu") is None


def test_it_parses_each_field_to_its_type() -> None:
    purchase_id, page = callbacks.PURCHASE.parse(callbacks.PURCHASE.build(42, 3))
    intent_id = callbacks.CONFIRM_BUY.parse(callbacks.CONFIRM_BUY.build(7))
    promo_id, state, back = callbacks.ADMIN_PROMO_ACTIVE.parse(callbacks.ADMIN_PROMO_ACTIVE.build(5, "on", 2))
    actor, action, number = callbacks.ADMIN_AUDIT_PAGE.parse(callbacks.ADMIN_AUDIT_PAGE.build(0, "-", 1))

    assert [type(value) for value in (purchase_id, page, intent_id, promo_id, back, actor, number)] == [
        int
    ] * 7
    assert (state, action) == ("on", "-")
    assert callbacks.TOP_UP_STARS.parse(callbacks.TOP_UP_STARS.build(Decimal("0.01"))) == Decimal("0.01")
    assert callbacks.CART.parse(callbacks.CART.build()) is None


def test_it_refuses_to_parse_data_of_another_route() -> None:
    with pytest.raises(ValueError, match="is not a pur callback"):
        callbacks.PURCHASE.parse(callbacks.PURCHASES.build(1))


def test_it_keeps_the_largest_values_within_64_bytes() -> None:
    for route in ROUTES:
        largest = [
            "9" * 18 if field is callbacks.ID else "9" * 12 if field is callbacks.AMOUNT else "99999"
            for field in route.fields
        ]
        data = ":".join([route.prefix, *largest])
        assert len(data.encode()) <= MAX_CALLBACK_BYTES, route


# Malformed on purpose, so written by hand: Route.build refuses to make any of these.
@pytest.mark.parametrize(
    "data",
    [
        "pur:1",
        "pur:1:2:3",
        "pur:0:1",
        "pur:-1:1",
        "pur:1:0",
        "pur:a:1",
        "pur:1:1 ",
        " pur:1:1",
        "pur:01:1",
        "purs:999999",
        "ops:",
        "lang:de",
        "lang:",
        "tus:0",
        "tus:1.5",
        "tus:9999999999999",
        "menu:1",
        "MENU",
        "pur:1\n:1",
        "refl:1e3",
        "",
        "x" * 64,
    ],
)
def test_it_refuses_malformed_data(data: str) -> None:
    for route in ROUTES:
        if route.matches(data):
            pytest.fail(f"{route.prefix} accepted {data!r}")


def test_it_refuses_to_build_what_it_would_not_parse() -> None:
    with pytest.raises(ValueError):
        callbacks.PURCHASE.build(0, 1)
    with pytest.raises(ValueError):
        callbacks.SET_LANGUAGE.build("de")
    with pytest.raises(ValueError):
        callbacks.LEDGER.build()


def hand_written_data(source: str) -> list[str]:
    """Return the string literals of ``source`` that are valid callback data with fields.

    In an f-string, a placeholder made of literals (``{'9' * 19}``) counts with its
    value, and one that fills a whole field (``{product.pk}``) counts as ``1``.
    Words such as ``"menu"`` are left out: a route without fields cannot be told
    from a label.
    """
    tree = ast.parse(source)
    constants = {
        node.targets[0].id: literal_value(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and is_literal(node.value)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(f_string_part(part, constants) for part in node.values)
            if any(MARK in field and field != MARK for field in text.split(":")):
                continue  # a placeholder inside a field: its value decides, and it is not known here
            text = text.replace(MARK, "1")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if ":" in text and any(route.matches(text) for route in ROUTES):
            found.append(text)
    return found


MARK = "\x00"


def f_string_part(part: ast.expr, constants: dict[str, str]) -> str:
    if isinstance(part, ast.Constant):
        return str(part.value)
    value = part.value if isinstance(part, ast.FormattedValue) else part
    if is_literal(value):
        return literal_value(value)
    if isinstance(value, ast.Name) and value.id in constants:
        return constants[value.id]  # a module constant such as HUGE = "9" * 18
    return MARK


def is_literal(value: ast.expr) -> bool:
    return not any(isinstance(node, ast.Name | ast.Attribute | ast.Call) for node in ast.walk(value))


def literal_value(value: ast.expr) -> str:
    # Only literals and operators: evaluating it runs no code of the module.
    return str(eval(compile(ast.Expression(value), "<f-string>", "eval")))


def test_it_finds_hand_written_data() -> None:
    source = """
HUGE = "9" * 18
press("pur:1:2")
press(f"prod:{product.pk}:1")
press(f"cat:{'9' * 3}:1")
press(f"ops:{HUGE[:3]}")
press("pur:0:1")
label("menu")
press(f"buy:{'9' * 19}")
press(f"pur:{HUGE}9:1")
press(f"tus:{HUGE}")
"""

    assert sorted(hand_written_data(source)) == ["cat:999:1", "ops:1", "prod:1:1", "pur:1:2"]


def test_it_builds_every_callback_in_the_bot_tests() -> None:
    # This module tests the wire format itself, so it is the one place that spells it out.
    tests = [path for path in Path(__file__).parent.glob("*.py") if path.name != Path(__file__).name]
    offenders = [
        f"{path.name}: {data!r}"
        for path in tests
        for data in hand_written_data(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []
