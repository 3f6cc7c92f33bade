"""A product whose picture is a Telegram file id shows that picture in the Mini App, not a letter tile."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from catalog.models import Category
from shopbot.test import make_customer, make_product
from tests_browser.conftest import PLAYWRIGHT_MISSING, Steps
from tests_browser.test_miniapp import BUYER, open_app

expect = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING).expect


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_telegram_picture_is_shown_on_the_tile_and_the_product_page(page: Any, steps: Steps, telegram: Any):
    make_customer(BUYER, first_name="Mia")
    games = Category.objects.create(name="Games")
    file_id, _unique = telegram.add_file(png(40, 30, (220, 60, 40)), suffix=".png")
    key = make_product(games, "Game key", "9.99", units=["AAA-111"], image=file_id)

    with page.expect_response(lambda response: f"/app/img/{key.pk}/" in response.url) as answered:
        open_app(page, telegram, "light")
        page.goto(f"/app/#/c/{games.pk}")
        tile = page.locator(f"#products [data-product='{key.pk}'] .pic")
        expect(tile).to_have_text("")  # no letter tile
    assert answered.value.status == 200
    assert answered.value.headers["content-type"] == "image/png"
    assert f"/app/img/{key.pk}/" in tile.evaluate("node => node.style.backgroundImage")
    steps.shot("tile with a telegram picture")

    page.locator(f"#products [data-product='{key.pk}']").click()
    expect(page.locator(".product .pic")).to_have_text("")
    steps.shot("product page with a telegram picture")
    assert len(telegram.calls_to("getFile")) == 1  # the second showing came from the cache


def test_a_picture_telegram_will_not_give_falls_back_to_the_letter_tile(
    page: Any, steps: Steps, telegram: Any
):
    make_customer(BUYER, first_name="Mia")
    games = Category.objects.create(name="Games")
    key = make_product(games, "Game key", "9.99", units=["AAA-111"], image="AgACAgIAAx-gone")

    open_app(page, telegram, "light")
    page.goto(f"/app/#/c/{games.pk}")

    expect(page.locator(f"#products [data-product='{key.pk}'] .pic")).to_have_text("G")
    steps.shot("letter tile for a missing picture")
