"""The web admin login behind a Telegram admin: a staff ``User`` whose groups mirror the role.

Created on the first use of a sign-in link and kept in step whenever the
customer's role or block changes, so the web admin never allows more than the
bot does: the role is the same Django group, the owner is a superuser, and a
customer without a shop permission (or blocked) cannot sign in.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model

from accounts import roles
from accounts.models import Customer


def staff_user_for(customer: Customer) -> Any:
    """Return the customer's web login, creating and linking it on first use, in step with the role."""
    user = customer.user
    if user is None:
        User = get_user_model()
        username = f"tg{customer.telegram_id}"
        if User.objects.filter(username=username).exists():
            # Someone made this name by hand; never take over an unlinked account.
            username = f"{username}-{secrets.token_hex(3)}"
        user = User.objects.create_user(username=username, password=None)
        customer.user = user
        customer.save(update_fields=["user"])
    sync_staff_user(customer)
    return user


def sync_staff_user(customer: Customer) -> None:
    """Give the customer's web login (if any) the customer's role and access, nothing more."""
    user = customer.user
    if user is None:
        return
    admin = roles.is_admin(customer)
    user.is_staff = admin
    user.is_active = admin
    user.is_superuser = customer.is_owner
    user.first_name = customer.first_name[:150]
    user.save(update_fields=["is_staff", "is_active", "is_superuser", "first_name"])
    user.groups.set([customer.role_id] if customer.role_id and admin else [])
