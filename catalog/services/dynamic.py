"""Dynamic delivery's settings: a product's endpoint URL and signing secret [manage_catalog].

One service for every face (the admin menu, the web admin): the URL must be
HTTPS with a host name and no credentials in it (plain ``http://127.0.0.1``
only when ``DYNAMIC_DELIVERY_ALLOW_LOCAL`` is on: DEBUG and the tests); the
secret is 16 to 128 printable ASCII characters without spaces. The secret is
never written to the audit log nor shown back in full (``mask_secret``).
Setting an endpoint makes the product a ``dynamic`` one.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import record_audit, requires
from catalog.cache import forget_stock
from catalog.models import Product
from catalog.services.products import lock_product
from shopbot.errors import InvalidInput

URL_MAX = 500
SECRET_MIN, SECRET_MAX = 16, 128
SECRET_CHARACTERS = re.compile(r"[\x21-\x7e]+")
HOST = re.compile(r"[A-Za-z0-9.-]+")
LOCAL_HOST = "127.0.0.1"


def mask_secret(secret: str) -> str:
    """Show that a secret is set without giving it away: its last four characters at most."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) >= SECRET_MIN else "")


def clean_endpoint_url(value: object) -> str:
    """Return an endpoint URL the job may call, or raise ``InvalidInput`` saying what is expected."""
    refused = InvalidInput(
        reason=_("Send the endpoint as an https:// address of at most %(maximum)s characters.")
        % {"maximum": URL_MAX}
    )
    if not isinstance(value, str):
        raise refused
    url = value.strip()
    if not url or len(url) > URL_MAX or any(character.isspace() or ord(character) < 32 for character in url):
        raise refused
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refused from None
    host = parts.hostname or ""
    if not host or not HOST.fullmatch(host) or parts.username is not None or parts.password is not None:
        raise refused
    local = host == LOCAL_HOST and settings.DYNAMIC_DELIVERY_ALLOW_LOCAL
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise refused
    if port == 0:
        raise refused
    return url


def clean_secret(value: object) -> str:
    if not isinstance(value, str) or not SECRET_MIN <= len(value.strip()) <= SECRET_MAX:
        raise InvalidInput(
            reason=_("The secret must be %(minimum)s to %(maximum)s characters long.")
            % {"minimum": SECRET_MIN, "maximum": SECRET_MAX}
        )
    secret = value.strip()
    if not SECRET_CHARACTERS.fullmatch(secret):
        raise InvalidInput(reason=_("The secret may hold letters, digits and punctuation, without spaces."))
    return secret


@requires("manage_catalog")
@transaction.atomic
def set_dynamic_endpoint(*, actor: Actor, product_id: object, url: object, secret: object = None) -> Product:
    """Make the product deliver from the seller's endpoint; ``secret`` None keeps the one it has.

    A product without a secret yet needs one. Audited with the host only and
    the masked secret.
    """
    url = clean_endpoint_url(url)
    product = lock_product(product_id)
    if secret is None and not product.endpoint_secret:
        raise InvalidInput(reason=_("Send the secret the endpoint checks signatures with."))
    if secret is not None:
        product.endpoint_secret = clean_secret(secret)
    product.endpoint_url = url
    product.delivery, product.is_unlimited = Product.DeliveryKind.DYNAMIC, True
    product.unlimited_value, product.shared_file = "", None
    product.save(
        update_fields=[
            "endpoint_url",
            "endpoint_secret",
            "delivery",
            "is_unlimited",
            "unlimited_value",
            "shared_file",
            "updated",
        ]
    )
    forget_stock([product.pk])
    record_audit(
        actor=actor,
        action="set_dynamic_endpoint",
        target=product.name,
        details={"host": urlsplit(url).hostname, "secret": mask_secret(product.endpoint_secret)},
    )
    return product
