"""Client addresses, failure limits, and the staff login lockout.

The client address is the connection's, or with ``TRUSTED_PROXIES`` set the one
the nearest trusted proxy put into ``X-Forwarded-For`` (the header itself is
anyone's to write, so it is read only when configured).

Staff login lockout: repeated failures for one username from one address lock it for a while.

Failures are counted in the shared cache with django-ratelimit's counter, so
every web worker sees them. After ``LOGIN_FAILURE_LIMIT`` failures (default 5)
within one ``LOGIN_LOCKOUT_MINUTES`` window (default 15), the pair is locked
for ``LOGIN_LOCKOUT_MINUTES`` from the last failure: even the right password
is refused until then. A successful login starts the count again.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_ratelimit.core import get_usage, is_ratelimited

from monitoring.metrics import RATE_LIMITED

GROUP = "staff-login"
# Longer than any failure window, so an expired generation never revives old failures.
GENERATION_SECONDS = 24 * 60 * 60


# Headers a reverse proxy adds: a request carrying one came through a proxy.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED", "HTTP_X_FORWARDED_PROTO")


def client_address(request: HttpRequest | None) -> str:
    """Return the client's address: the connection's, or the trusted proxies' view of it."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXIES
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote  # did not come through every trusted proxy
    # Each proxy appends the address it saw; entries left of the trusted ones are the client's to forge.
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def is_internal_request(request: HttpRequest) -> bool:
    """Return whether a request comes from loopback or a private network, not through a proxy."""
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    if not settings.TRUSTED_PROXIES and any(request.META.get(header) for header in PROXY_HEADERS):
        # A proxy on this machine or network makes every visitor look local.
        return False
    return address.is_loopback or address.is_private


def too_many_failures(request: HttpRequest, *, group: str, rate: str | None) -> bool:
    """Count one failed attempt from the client's address; return whether it is over ``rate``."""
    if not rate:
        return False
    return is_ratelimited(
        request, group=group, key=lambda group, request: client_address(request), rate=rate, increment=True
    )


def pair_digest(username: str, address: str) -> str:
    # Hashed: neither a typed username nor an address becomes a cache key as is.
    return hashlib.sha256(f"{username.strip().lower()}\n{address}".encode()).hexdigest()


def lock_key(digest: str) -> str:
    return f"security:login-lock:{digest}"


def generation_key(digest: str) -> str:
    # Part of the counter's key: a successful login moves to a fresh counter.
    return f"security:login-generation:{digest}"


def is_locked_out(*, username: str, address: str) -> bool:
    """Return whether logins as ``username`` from ``address`` are locked now."""
    return cache.get(lock_key(pair_digest(username, address))) is not None


def record_login_failure(*, request: HttpRequest | None, username: str) -> bool:
    """Count one failed login and lock the pair when it reaches the limit; return whether locked."""
    digest = pair_digest(username, client_address(request))
    counter = f"{digest}:{cache.get(generation_key(digest), 0)}"
    usage = get_usage(
        request,
        group=GROUP,
        key=lambda group, request: counter,
        rate=f"{settings.LOGIN_FAILURE_LIMIT}/{settings.LOGIN_LOCKOUT_MINUTES}m",
        increment=True,
    )
    if usage is None or usage["count"] < settings.LOGIN_FAILURE_LIMIT:
        return False
    cache.set(lock_key(digest), 1, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
    RATE_LIMITED.labels(scope="staff_login").inc()
    return True


def clear_login_failures(*, request: HttpRequest | None, username: str) -> None:
    """Start counting the failures of a username and address from zero again."""
    digest = pair_digest(username, client_address(request))
    cache.set(generation_key(digest), cache.get(generation_key(digest), 0) + 1, timeout=GENERATION_SECONDS)
    cache.delete(lock_key(digest))


class LockoutModelBackend(ModelBackend):
    """Django's username and password login, refused while the username and address are locked out."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = username or ""
        if is_locked_out(username=name, address=client_address(request)):
            # PermissionDenied makes authenticate() give up without asking other backends.
            raise PermissionDenied("Too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            record_login_failure(request=request, username=name)
        elif user is not None:
            clear_login_failures(request=request, username=name)
        return user
