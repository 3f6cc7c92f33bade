"""Broadcasts: composing, the preview, the live progress and the final report."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telegrambot.models import Broadcast
from telegrambot.services.paid_broadcasts import estimated_stars
from telegrambot.texts.common import date_time

NEW = gettext_lazy("✍️ New broadcast")
SKIP = gettext_lazy("⏭ Skip")
SEND = gettext_lazy("✅ Send")
STOP = gettext_lazy("⏹ Cancel the broadcast")
STOPPING = gettext_lazy("The broadcast is being cancelled.")
USE_BUTTONS = gettext_lazy("Press “Send” under the preview to start, or Cancel.")
EVERYONE = gettext_lazy("👥 Everyone")
BUYERS = gettext_lazy("🛒 Buyers")
NEVER_BOUGHT = gettext_lazy("🆕 Never bought")
LANGUAGE_NAMES = {"en": gettext_lazy("🇬🇧 English speakers"), "ru": gettext_lazy("🇷🇺 Russian speakers")}
ASK_TEXT = gettext_lazy(
    "📣 <b>New broadcast</b> · step 1 of 4\n\n"
    "Send the text. Telegram's HTML is allowed: &lt;b&gt;, &lt;i&gt;, &lt;u&gt;, &lt;s&gt;, "
    '&lt;a href="https://…"&gt;, &lt;code&gt;, &lt;blockquote&gt;. Write &amp;amp; for &amp;.'
)
ASK_PHOTO = gettext_lazy(
    "📣 <b>New broadcast</b> · step 2 of 4\n\nSend a photo to go with the text, or press Skip."
)
PHOTO_EXPECTED = gettext_lazy("Send a photo (as a picture, not a file), or press Skip.")
ASK_BUTTON = gettext_lazy(
    "📣 <b>New broadcast</b> · step 3 of 4\n\nAdd a link button: send <code>text | https://address</code>, "
    "or press Skip."
)
ASK_AUDIENCE = gettext_lazy("📣 <b>New broadcast</b> · step 4 of 4\n\nWho should receive it?")
AUDIENCES = {
    Broadcast.Audience.EVERYONE: gettext_lazy("everyone"),
    Broadcast.Audience.BUYERS: gettext_lazy("buyers"),
    Broadcast.Audience.NEVER_BOUGHT: gettext_lazy("customers who never bought"),
    Broadcast.Audience.WAITLIST: gettext_lazy("customers waiting for a product"),
}
STATUSES = {
    Broadcast.Status.SENDING: gettext_lazy("sending"),
    Broadcast.Status.CANCELLED: gettext_lazy("cancelled"),
    Broadcast.Status.FINISHED: gettext_lazy("finished"),
}


def audience(broadcast: Broadcast) -> str:
    if broadcast.audience == Broadcast.Audience.LANGUAGE:
        return str(LANGUAGE_NAMES.get(broadcast.language, broadcast.language)).split(" ", 1)[-1]
    return str(AUDIENCES[broadcast.audience])


def menu(recent: Sequence[Broadcast]) -> str:
    lines = [_("📣 <b>Broadcasts</b>"), ""]
    if not recent:
        lines.append(_("Nothing was broadcast yet."))
    for item in recent:
        lines.append(
            _("#%(id)s · %(time)s · %(status)s · sent %(sent)s of %(total)s")
            % {
                "id": item.pk,
                "time": date_time(item.created),
                "status": STATUSES.get(item.status, item.status),
                "sent": item.sent,
                "total": item.total,
            }
        )
    return "\n".join(str(line) for line in lines)


def confirm(broadcast: Broadcast, count: int) -> str:
    return (
        _(
            "☝️ This is the broadcast exactly as recipients will see it.\n\n"
            "Audience: <b>%(audience)s</b>, %(count)s recipients (customers who blocked the bot or were "
            "blocked are skipped). Send it?"
        )
        % {"audience": audience(broadcast), "count": count}
        + "\n\n"
        + speed(broadcast, count)
    )


PAID_OFF = gettext_lazy("🐢 Send at the free speed instead")


def paid_button(count: int) -> str:
    return _("⚡ Paid: up to 1000/s for ≈%(stars)s ⭐") % {"stars": estimated_stars(count)}


def speed(broadcast: Broadcast, count: int) -> str:
    """The confirmation's line on speed, and on cost when the owner chose a paid broadcast."""
    if not broadcast.paid:
        return _("Speed: about 30 messages a second, free (%(minutes)s min).") % {
            "minutes": max(1, math.ceil(count / 30 / 60))
        }
    return _(
        "⚡ Speed: paid broadcast, up to 1000 messages a second. Telegram takes 0.1 ⭐ per message "
        "from the bot's Stars balance: about <b>%(stars)s ⭐</b> for %(count)s recipients."
    ) % {"stars": estimated_stars(count), "count": count}


def send_button(count: int) -> str:
    return _("✅ Send to %(count)s") % {"count": count}


def counts(broadcast: Broadcast) -> str:
    done = broadcast.sent + broadcast.failed + broadcast.blocked + broadcast.unconfirmed
    text = _("%(done)s of %(total)s · sent %(sent)s · failed %(failed)s · blocked the bot %(blocked)s") % {
        "done": done,
        "total": broadcast.total,
        "sent": broadcast.sent,
        "failed": broadcast.failed,
        "blocked": broadcast.blocked,
    }
    if broadcast.unconfirmed:
        text += "\n" + _("Unconfirmed after a crash (not sent again): %(count)s") % {
            "count": broadcast.unconfirmed
        }
    return text


def progress(broadcast: Broadcast) -> str:
    return _("📤 <b>Broadcast #%(id)s is being sent</b>\n\n%(counts)s") % {
        "id": broadcast.pk,
        "counts": counts(broadcast),
    }


def report(broadcast: Broadcast) -> str:
    if broadcast.status == Broadcast.Status.CANCELLED:
        title = _("⏹ <b>Broadcast #%(id)s was cancelled</b>") % {"id": broadcast.pk}
    else:
        title = _("✅ <b>Broadcast #%(id)s is finished</b>") % {"id": broadcast.pk}
    seconds = (
        (broadcast.finished - broadcast.started).total_seconds()
        if broadcast.started and broadcast.finished
        else 0
    )
    duration = _("Duration: %(minutes)s min %(seconds)s s") % {
        "minutes": int(seconds) // 60,
        "seconds": int(seconds) % 60,
    }
    return f"{title}\n\n{counts(broadcast)}\n{duration}"
