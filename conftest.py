"""Settings every test relies on: a known owner, an empty cache and no funnel counts in memory."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from monitoring import funnel
from shopbot.test import OWNER_ID


@pytest.fixture(autouse=True)
def shop_settings(settings):
    settings.OWNER_ID = OWNER_ID
    settings.REFERRAL_PERCENT = Decimal("10")
    settings.MIN_AMOUNT = Decimal("1")
    settings.MAX_AMOUNT = Decimal("10000")
    # Crawls press hundreds of buttons a minute; the rate-limit tests switch limits back on.
    settings.RATE_LIMITS = False
    # In-process bot tests see the test's transaction only on its own thread: one database thread.
    settings.BOT_DB_THREADS = 1
    # Dynamic delivery's tests answer from a local HTTP server on 127.0.0.1.
    settings.DYNAMIC_DELIVERY_ALLOW_LOCAL = True
    cache.clear()
    funnel.discard_unpushed()
    yield settings
    cache.clear()
    funnel.discard_unpushed()
