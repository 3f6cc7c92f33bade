"""Statistics: one screen of numbers for holders of view_statistics."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors.statistics import PeriodFigures, Statistics
from payments.models import Payment
from payments.money import format_money
from telegrambot.texts.common import date_time, user_text

REFRESH = gettext_lazy("🔄 Refresh")
UP_TO_DATE = gettext_lazy("The numbers are up to date; they are refreshed once a minute.")
PROVIDERS = {
    Payment.Provider.STARS: gettext_lazy("Telegram Stars"),
    Payment.Provider.TELEGRAM: gettext_lazy("Card (Telegram)"),
    Payment.Provider.CRYPTOPAY: gettext_lazy("CryptoPay"),
    Payment.Provider.MANUAL: gettext_lazy("Manual"),
}


def periods(figures: PeriodFigures, render: object = str) -> str:
    return _("%(today)s today · %(week)s in 7 days · %(month)s in 30 days · %(total)s in all") % {
        name: render(getattr(figures, name))  # type: ignore[operator]
        for name in ("today", "week", "month", "total")
    }


def screen(statistics: Statistics) -> str:
    users = statistics.users
    lines = [
        _("📊 <b>Statistics</b>"),
        "",
        _("👥 Users: <b>%(total)s</b> (new: %(today)s today · %(week)s in 7 days · %(month)s in 30 days)")
        % {"total": users.total, "today": users.today, "week": users.week, "month": users.month},
        _("🛒 Buyers: <b>%(buyers)s</b>") % {"buyers": statistics.buyers},
        _("🧾 Sales: %(sales)s") % {"sales": periods(statistics.sales)},
        _("💰 Revenue: %(revenue)s") % {"revenue": periods(statistics.revenue, format_money)},
        "",
        _("🏆 <b>Top products</b>"),
        *(
            _("%(place)s. %(name)s — %(count)s sold, %(amount)s")
            % {
                "place": place,
                "name": user_text(line.label, limit=60),
                "count": line.count,
                "amount": format_money(line.amount),
            }
            for place, line in enumerate(statistics.top_products, start=1)
        ),
        *([] if statistics.top_products else [_("No sales yet.")]),
        "",
        _("💳 <b>Payments by method</b>"),
        *(
            _("%(method)s — %(count)s, %(amount)s")
            % {
                "method": PROVIDERS.get(line.label, line.label),
                "count": line.count,
                "amount": format_money(line.amount),
            }
            for line in statistics.payments_by_method
        ),
        *([] if statistics.payments_by_method else [_("No payments yet.")]),
        "",
        _("👛 Balances outstanding: %(amount)s") % {"amount": format_money(statistics.balances_outstanding)},
        _("📦 Units in stock: %(units)s · unlimited products: %(unlimited)s")
        % {"units": statistics.stock_left, "unlimited": statistics.unlimited_products},
        _("🤝 Referral rewards paid: %(amount)s (%(count)s)")
        % {
            "amount": format_money(statistics.referral_rewards.amount),
            "count": statistics.referral_rewards.count,
        },
        "",
        _("Updated %(time)s; refreshed at most once a minute.") % {"time": date_time(statistics.computed_at)},
    ]
    return "\n".join(str(line) for line in lines)
