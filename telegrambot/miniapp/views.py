"""The Mini App's pages: the one HTML page the script draws every screen in, and signed downloads.

Downloads are plain links (a browser cannot add the session header to them):
each is signed for one purchase and its buyer and lives ``DOWNLOAD_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from accounts.models import Customer
from accounts.services import record_audit
from catalog import selectors
from catalog.models import Purchase
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


@require_GET
def file(request: HttpRequest, token: str) -> FileResponse:
    """A purchased file stored in MEDIA_ROOT, through a link signed minutes ago for its buyer, streamed."""
    try:
        purchase_id, telegram_id = present.read_download_link(token, salt=present.FILE_SALT)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    purchase = signed_purchase(purchase_id, telegram_id)
    if purchase.file is None or not purchase.file.upload:
        raise Http404
    response = FileResponse(purchase.file.upload.open("rb"), as_attachment=True, filename=purchase.file.name)
    response["Cache-Control"] = "private, no-store"
    return response


def signed_purchase(purchase_id: int, telegram_id: int) -> Purchase:
    """The buyer's purchase a link names, checked again; another customer's is not found, and audited."""
    try:
        return selectors.get_purchase(telegram_id=telegram_id, purchase_id=purchase_id)
    except PurchaseNotFound:
        record_audit(
            actor=Customer.objects.filter(telegram_id=telegram_id).first(),
            action="miniapp_not_found",
            target=f"file {purchase_id}"[:200],
        )
        raise Http404 from None
