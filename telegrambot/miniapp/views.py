"""The Mini App's pages: the one HTML page the script draws every screen in, and signed downloads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from catalog import selectors
from shopbot.errors import PurchaseNotFound
from telegrambot.miniapp import auth, present, texts


@require_GET
@xframe_options_exempt  # Telegram's web clients show a Mini App in a frame
def shop(request: HttpRequest) -> HttpResponse:
    """The storefront page; texts in every language, the script picks the customer's."""
    languages = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            languages[code] = texts.page_texts()
    context = {
        "simulated": simulated_telegram(request),
        "texts": languages,
        "config": {
            "api": reverse("miniapp:shop") + "api/",
            "header": auth.HEADER,
            "default": settings.BOT_LOCALE,
        },
    }
    return render(request, "miniapp/shop.html", context)


SIMULATED_THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#8a8a8e",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f1f1f4",
    "destructive_text_color": "#d9534f",
}


def simulated_telegram(request: HttpRequest) -> dict[str, Any] | None:
    """The simulator's stand-in for Telegram (``?simulator=<user id>``): superusers, simulator on, no TOKEN."""
    from telegrambot.simulator import runner

    simulator = auth.simulated()
    if "simulator" not in request.GET or simulator is None or not runner.is_enabled():
        return None
    if not request.user.is_superuser:
        return None
    persona = simulator.persona(request.GET["simulator"])
    if persona is None:
        return None
    return {
        "initData": simulator.miniapp_init_data(persona),
        "colorScheme": "light",
        "themeParams": SIMULATED_THEME,
        "user": persona.telegram_id,
        "payUrl": reverse("simulator:pay-link"),
    }


@require_GET
def download(request: HttpRequest, token: str) -> HttpResponse:
    """A long delivered value as a .txt file, through a link signed minutes ago for its buyer."""
    try:
        purchase_id, telegram_id = present.read_download_link(token)
        purchase = selectors.get_purchase(telegram_id=telegram_id, purchase_id=purchase_id)
    except (signing.BadSignature, KeyError, TypeError, ValueError, PurchaseNotFound):
        raise Http404 from None
    response = HttpResponse(purchase.value, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="order-{purchase.order_number}.txt"'
    response["Cache-Control"] = "private, no-store"
    return response
