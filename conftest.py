"""Settings every test relies on: a known owner and an empty cache."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from shopbot.test import OWNER_ID


@pytest.fixture(autouse=True)
def shop_settings(settings):
    settings.OWNER_ID = OWNER_ID
    settings.REFERRAL_PERCENT = Decimal("10")
    settings.MIN_AMOUNT = Decimal("1")
    settings.MAX_AMOUNT = Decimal("10000")
    # Crawls press hundreds of buttons a minute; the rate-limit tests switch limits back on.
    settings.RATE_LIMITS = False
    cache.clear()
    yield settings
    cache.clear()
