"""The page behind a one-time sign-in link from the bot.

GET only shows a button: link previews and scanners that fetch the URL must
not use up the link. POST uses it and logs the admin in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.services.signin import SignInLinkExpired, SignInLinkUsed, check_sign_in_link, use_sign_in_link
from shopbot.errors import PermissionDenied, ShopError


def refusal_status(error: ShopError) -> int:
    if isinstance(error, (SignInLinkExpired, SignInLinkUsed)):
        return 410
    if isinstance(error, PermissionDenied):
        return 403
    return 400


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the sign-in button for a valid link; signs in on POST; explains a refused link."""
    try:
        if request.method == "GET":
            customer = check_sign_in_link(token=token)
            return render(request, "accounts/sign_in.html", {"name": customer.display_name})
        user = use_sign_in_link(token=token)
    except ShopError as error:
        context = {"error": str(error)}
        return render(request, "accounts/sign_in.html", context, status=refusal_status(error))
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return HttpResponseRedirect(reverse("admin:index"))
