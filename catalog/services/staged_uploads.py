"""Stock uploads between their preview and their confirmation, for the bot and the web admin alike.

A staff member previews an upload first; the previewed lines wait in the
shared cache (any worker, bot or web, can finish the upload, and the
confirmation need not carry a 100,000-line body again) until they confirm,
and ``add_stock`` counts them again when adding. One key scheme: bound to the
actor and the product, so an upload cannot be confirmed by someone else or
onto another product; ``token`` tells apart uploads of one actor and product
(the web admin's tabs), and the bot keeps one per product. One lifetime:
``STOCK_UPLOAD_SECONDS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from accounts.actors import Actor, actor_label

TOKEN_MAX = 64


def staged_key(*, actor: Actor, product_id: int, token: str = "") -> str:
    return f"stock-upload:{actor_label(actor)}:{int(product_id)}:{token[:TOKEN_MAX]}"


def stage_upload(*, actor: Actor, product_id: int, lines: list[str], token: str = "") -> None:
    """Keep previewed ``lines`` for ``STOCK_UPLOAD_SECONDS``, replacing what this key held."""
    cache.set(
        staged_key(actor=actor, product_id=product_id, token=token), lines, settings.STOCK_UPLOAD_SECONDS
    )


def read_staged_upload(*, actor: Actor, product_id: int, token: str = "") -> list[str] | None:
    """Return the staged lines, or None when they expired, were added, or were never staged."""
    return cache.get(staged_key(actor=actor, product_id=product_id, token=token))


def discard_staged_upload(*, actor: Actor, product_id: int, token: str = "") -> None:
    """Forget staged lines (after adding them), so a second confirmation finds nothing."""
    cache.delete(staged_key(actor=actor, product_id=product_id, token=token))
