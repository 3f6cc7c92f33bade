"""Product pictures kept by Telegram (a file id), served to the Mini App's page from ``/app/img/<product>/``.

A page cannot show a Telegram file id. This view resolves it with ``getFile``
and downloads it through the Bot API at the view's edge
(``telegrambot.providers.download_telegram_file``, never inside a service),
then keeps the bytes in the shared cache keyed by the file id, so Telegram is
asked once per picture, not once per customer. Only a visible product's
picture is served (the same as its card), and only bytes that are an image.
The link carries a digest of the file id (``?v=``): a new picture is a new
address, so browsers may keep each one for a day.
"""

from __future__ import annotations

import hashlib

from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from catalog import selectors
from catalog.models import Product
from shopbot.errors import ProductNotFound
from telegrambot import providers

IMAGE_MAX_BYTES = 5 * 1024 * 1024
CACHE_SECONDS = 24 * 3600
MISSING_SECONDS = 5 * 60  # a picture Telegram would not give is asked for again after this
# The first bytes of the picture formats Telegram stores, and their types.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def is_file_id(image: str) -> bool:
    """Whether a product's picture is a Telegram file id (the other kind is an address)."""
    return bool(image) and "://" not in image


def digest(file_id: str) -> str:
    return hashlib.sha256(file_id.encode()).hexdigest()[:16]


def image_url(product: Product) -> str:
    """The address the page shows a product's Telegram picture from."""
    return reverse("miniapp:image", args=[product.pk]) + "?v=" + digest(product.image)


def image_type(content: bytes) -> str:
    """The picture's content type, or "" when the bytes are no picture the page may show."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in SIGNATURES if content.startswith(signature)), "")


@require_GET
def image(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        file_id = selectors.get_product_card(product_id=product_id).product.image
    except ProductNotFound:
        raise Http404 from None
    if not is_file_id(file_id):
        raise Http404
    key = f"miniapp:image:{digest(file_id)}"
    kept = cache.get(key)
    if kept is None:
        content = async_to_sync(providers.download_telegram_file)(file_id, max_bytes=IMAGE_MAX_BYTES) or b""
        kind = image_type(content)
        kept = (kind, content if kind else b"")
        cache.set(key, kept, CACHE_SECONDS if kind else MISSING_SECONDS)
    kind, content = kept
    if not kind:
        raise Http404
    response = HttpResponse(content, content_type=kind)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
