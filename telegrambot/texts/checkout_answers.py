"""A manual product's questions at checkout: asking, refusing an answer, and the way on."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors.manual import Question
from telegrambot.texts.common import user_text

CONTINUE = gettext_lazy("➡️ Continue")
ANSWERED = gettext_lazy("✅ Thank you, your answers are saved. Press Continue to go on to the payment.")
USE_THE_BUTTON = gettext_lazy("Press Continue above to go on, or Cancel to stop.")
TEXT_EXPECTED = gettext_lazy("Send the answer as a text message, or press Cancel.")


def question(item: Question, *, number: int, total: int) -> str:
    return _(
        "📝 <b>%(product)s</b> needs a few details to prepare your order (%(number)s of %(total)s).\n\n"
        "<b>%(label)s</b>\nSend the answer as a message, up to %(maximum)s characters."
    ) % {
        "product": user_text(item.product, limit=100),
        "number": number,
        "total": total,
        "label": user_text(item.label, limit=100),
        "maximum": item.max_length,
    }


def too_long(item: Question) -> str:
    return _("The answer must be 1 to %(maximum)s characters long. Send it again.") % {
        "maximum": item.max_length
    }
