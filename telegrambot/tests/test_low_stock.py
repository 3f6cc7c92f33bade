"""Low stock is one definition: the bot's stock screen, its alert and the dashboard agree.

They used to disagree on a sold-out product with threshold 0 (the dashboard
listed it; the bot did not), and on a hidden product (the bot listed it; the
dashboard did not). A threshold of 0 watches nothing; hidden stock is stock.
"""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Permission
from django.test import Client

from monitoring.tests.helpers import make_staff
from shopbot.test import make_product
from telegrambot.jobs.stock_alerts import notify_low_stock
from telegrambot.tests.admin_support import AdminTestCase


def dashboard_low_stock() -> list[str]:
    staff = make_staff()
    staff.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    client = Client()
    client.force_login(staff)
    return [product.name for product in client.get("/dashboard/").context["low_stock"]]


class LowStockTests(AdminTestCase):
    async def test_it_means_the_same_products_on_every_surface(self) -> None:
        unwatched = await sync_to_async(make_product)(self.games, "Sold out, no threshold", "1.00", units=[])
        sold_out = await sync_to_async(make_product)(
            self.games, "Sold out, watched", "1.00", units=[], low_stock_threshold=1
        )
        hidden = await sync_to_async(make_product)(
            self.games, "Hidden, low", "1.00", units=["H-1"], low_stock_threshold=2, is_active=False
        )
        plenty = await sync_to_async(make_product)(
            self.games, "Plenty", "1.00", units=["P-1", "P-2", "P-3"], low_stock_threshold=2
        )
        low = ["Sold out, watched", "Hidden, low"]  # emptiest first
        shop = await self.start_shop()
        carl = await shop.user(self.carl.telegram_id)

        await carl.send("/admin")
        await carl.press("📦 Stock")
        listed = carl.screen.text.split("Running low:")[1]
        await notify_low_stock(shop.application.bot, [p.pk for p in (unwatched, sold_out, hidden, plenty)])

        self.assertEqual([name for name in (*low, unwatched.name, plenty.name) if name in listed], low)
        alerted = [message.text for message in carl.messages if "running low" in message.text]
        self.assertEqual([name for name in low if any(name in text for text in alerted)], low)
        self.assertEqual(len(alerted), 2)
        self.assertEqual(await sync_to_async(dashboard_low_stock)(), low)
