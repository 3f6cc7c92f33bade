"""One-time links from the bot to the web admin: signed, valid five minutes, used once.

The link carries the id of a ``SignInLink`` row signed with ``SECRET_KEY``
(``django.core.signing``, with its timestamp), so it cannot be forged or
altered. Using it marks the row used under a row lock, so two requests with
the same link sign in once. The web login it opens is the customer's staff
``User`` (``accounts.services.web_users``), with the customer's role.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Customer, SignInLink
from accounts.selectors.staff import get_admin_permissions
from accounts.services import record_audit
from accounts.services.web_users import staff_user_for
from shopbot.errors import PermissionDenied, ShopError

LINK_LIFETIME = timedelta(minutes=5)
SALT = "accounts.signin"  # kept from its first home: links already sent stay valid


class SignInLinkInvalid(ShopError):
    message = _("This sign-in link is not valid. Ask the bot for a new one.")


class SignInLinkExpired(ShopError):
    message = _("This sign-in link has expired. Ask the bot for a new one.")


class SignInLinkUsed(ShopError):
    message = _("This sign-in link has already been used. Ask the bot for a new one.")


def create_sign_in_link(*, actor: Customer) -> str:
    """Return a one-time URL that signs ``actor`` in to the web admin; admins only (refusals audited)."""
    get_admin_permissions(actor=actor, action="sign_in_link")
    link = SignInLink.objects.create(customer=actor, expires=now() + LINK_LIFETIME)
    record_audit(actor=actor, action="issue_sign_in_link", target=actor)
    token = signing.dumps({"link": link.pk}, salt=SALT)
    return settings.SITE_URL + reverse("accounts:sign-in", args=[token])


def read_link(token: str, *, lock: bool = False) -> SignInLink:
    """Return the unused, unexpired link ``token`` names, or raise the refusal that fits."""
    try:
        data: Any = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.SignatureExpired:
        raise SignInLinkExpired() from None
    except signing.BadSignature:
        raise SignInLinkInvalid() from None
    link_id = data.get("link") if isinstance(data, dict) else None
    if not isinstance(link_id, int):
        raise SignInLinkInvalid()
    links = SignInLink.objects.select_related("customer__role", "customer__user")
    link = (links.select_for_update(of=("self",)) if lock else links).filter(pk=link_id).first()
    if link is None:
        raise SignInLinkInvalid()
    if link.used is not None:
        raise SignInLinkUsed()
    if link.expires <= now():
        raise SignInLinkExpired()
    return link


def check_sign_in_link(*, token: str) -> Customer:
    """Return whom a link would sign in, without using it (the page before the button)."""
    return read_link(token).customer


@transaction.atomic
def use_sign_in_link(*, token: str) -> Any:
    """Mark the link used and return the staff ``User`` to log in; refuse a non-admin by now.

    Locks the link's row: of two requests with one link, the second waits and
    then finds it used.
    """
    link = read_link(token, lock=True)
    link.used = now()
    link.save(update_fields=["used"])
    customer = link.customer
    if customer.is_blocked or not roles.is_admin(customer):
        raise PermissionDenied()
    user = staff_user_for(customer)
    record_audit(actor=customer, action="web_sign_in", target=user.get_username())
    return user
