"""Browser tests: Debian's headless Chromium, driven by Playwright, against a live server of the project.

The project is served by pytest-django's ``live_server`` (so every test runs
on a transactional database, PostgreSQL under ``make test``). Each step's
screenshot is kept in ``test-artifacts/browser/``. Where Chromium or
Playwright is missing (``scripts/install-browser`` installs Chromium where apt
can), the tests are skipped with the reason.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from payments.tests.test_admin_refunds import BotApiThread
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.simulator.runner import Simulator, install
from telegrambot.testing.driver import TOKEN

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
STAFF_PASSWORD = "browser-test-Pa55"
TIMEOUT_MS = 10_000
PLAYWRIGHT_MISSING = "browser tests need Playwright: pip install -r requirements-dev.txt"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}: run scripts/install-browser (apt-get as root)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests need Playwright: pip install -r requirements-dev.txt"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", autouse=True)
def orm_next_to_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop running in the test's thread, and Django then
    # refuses ORM calls there (the test's and the database flush after it), although they are
    # plain synchronous code. Module-scoped, so it outlives the flush and ends with the browser.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")


class Steps:
    """Screenshots of a test's steps, numbered, in test-artifacts/browser/<test name>/."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.folder = ARTIFACTS / slug(name)
        self.count = 0
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.folder.mkdir(parents=True, exist_ok=True)

    def shot(self, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{slug(step)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.goto("about:blank")  # stops the simulator's polling
    context.close()
    wait_for_requests_to_finish()
    assert not errors, f"JavaScript errors on the page: {errors}"


def wait_for_requests_to_finish(timeout: float = 5.0) -> None:
    """Wait until the live server answered every request: the database is flushed next, then dropped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.02)


@pytest.fixture
def steps(page: Any, request: pytest.FixtureRequest) -> Steps:
    return Steps(page, request.node.name)


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="staff", email="", password=STAFF_PASSWORD)


@pytest.fixture
def staff_page(page: Any, staff: Any, live_server: Any) -> Any:
    """A page already signed in as staff (the admin test signs in through the form itself)."""
    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return page


@pytest.fixture
def simulator(settings: Any) -> Iterator[Simulator]:
    """A fresh simulator for this test, with Stars and simulated card payments switched on."""
    settings.STARS_PER_VALUE = Decimal(1)
    settings.TELEGRAM_PROVIDER_TOKEN = "SIMULATED-CARD-PAYMENTS"
    simulator = Simulator()
    simulator.start()
    install(simulator)
    yield simulator
    install(None)
    simulator.stop()  # closes the bot thread's database connections before the database is flushed
    # A page that polled after the test would have started another simulator, with its own thread.
    assert not any(thread.name == "simulator-bot" for thread in threading.enumerate())


@pytest.fixture
def telegram(settings: Any) -> Iterator[FakeTelegram]:
    """The fake Telegram, served over HTTP for the web process's createInvoiceLink."""
    telegram = FakeTelegram()
    with BotApiThread(telegram) as bot_api:
        settings.TOKEN = TOKEN
        settings.TELEGRAM_API_URL = bot_api.url
        settings.STARS_PER_VALUE = Decimal(1)
        yield telegram
