"""The simulator's pages: HTTP in, Telegram updates to the real bot, the fake's chat back out.

No business rules here: a view finds the simulated user, turns the request
into what a Telegram client would send (a message, a press, a payment) and
returns the chat as the fake Telegram keeps it. Superusers only; every POST
is CSRF-checked by Django's middleware.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from functools import wraps
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from telegrambot.simulator.fake_chat import MAX_TEXT, ChatMessage
from telegrambot.simulator.images import image_type
from telegrambot.simulator.messages import chat_json
from telegrambot.simulator.personas import Persona
from telegrambot.simulator.runner import Outcome, Simulator, get_simulator, is_enabled

MAX_UPLOAD = 20 * 1024 * 1024  # what a bot can download from Telegram
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
View = Callable[..., HttpResponse]


def simulator_view(view: View) -> View:
    """Superusers only, and only where the simulator is switched on.

    A simulated payment credits real balances and the simulated owner holds
    every permission, so the simulator is for those who may do everything anyway.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_enabled():
            raise Http404(
                "The chat simulator is off while a real bot is configured (TOKEN) and DEBUG is off."
            )
        if not request.user.is_superuser:
            raise PermissionDenied("The chat simulator is for superusers.")
        return view(request, *args, **kwargs)

    return staff_member_required(wrapper)


def with_persona(view: Callable[[HttpRequest, Simulator, Persona], HttpResponse]) -> View:
    """Find the simulated user named by the request's ``user`` field; the bot's timeouts become a 504."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        simulator = get_simulator()
        persona = simulator.persona(request.POST.get("user") or request.GET.get("user"))
        if persona is None:
            return JsonResponse({"error": "Unknown simulated user."}, status=404)
        try:
            return view(request, simulator, persona)
        except FutureTimeout:
            return JsonResponse({"error": "The bot did not finish in time."}, status=504)

    return wrapper


@simulator_view
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The chat with the shop's bot."""
    simulator = get_simulator()
    people = simulator.personas(actor=request.user)
    context = {
        "bot": simulator.telegram.bot,
        "people": [persona.as_json() for persona in people],
        "notes": simulator.notes,
        "urls": {
            name: reverse(f"simulator:{name}")
            for name in ("chat", "send", "press", "pay", "upload", "users", "clear")
        },
    }
    response = render(request, "simulator/chat.html", context)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@simulator_view
@require_GET
@with_persona
def chat(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """The chat's messages, when it changed since the ``since`` version the page has."""
    version = simulator.telegram.version
    if request.GET.get("since") == str(version):
        return JsonResponse({"version": version, "changed": False})
    messages = simulator.messages(persona)

    def file_url(message: ChatMessage) -> str:
        return reverse("simulator:file", args=[persona.telegram_id, message.message_id])

    commands = (
        simulator.telegram.commands.get(persona.language_code) or simulator.telegram.commands.get(None) or []
    )
    return JsonResponse(
        {
            "version": version,
            "changed": True,
            "messages": chat_json(simulator.telegram, messages, file_url),
            "commands": commands,
            "persona": persona.as_json(),
        }
    )


def outcome_response(outcome: Outcome) -> JsonResponse:
    return JsonResponse(outcome.as_json(), status=400 if outcome.error else 200)


@simulator_view
@require_POST
@with_persona
def send(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """Sends typed text (or a command) from the simulated user."""
    text = request.POST.get("text", "").strip()
    if not text:
        return JsonResponse({"error": "Type a message first."}, status=400)
    if len(text) > MAX_TEXT:
        return JsonResponse({"error": f"Telegram messages are at most {MAX_TEXT} characters."}, status=400)
    return outcome_response(simulator.send_text(persona, text))


@simulator_view
@require_POST
@with_persona
def press(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """Presses an inline button: a callback query with the button's data."""
    try:
        row, column = int(request.POST["row"]), int(request.POST["column"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "Which button?"}, status=400)
    return outcome_response(simulator.press(persona, request.POST.get("message"), row, column))


@simulator_view
@require_POST
@with_persona
def pay(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """Pays an invoice: pre-checkout query, then the successful payment if the bot said yes."""
    return outcome_response(simulator.pay(persona, request.POST.get("message")))


@simulator_view
@require_POST
@with_persona
def pay_link(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """Pays an invoice link the Mini App opened, as Telegram's payment sheet would."""
    return outcome_response(simulator.pay_link(persona, request.POST.get("link", "")))


@simulator_view
@require_POST
@with_persona
def upload(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """Sends a file as a document, with the typed text as its caption."""
    document = request.FILES.get("file")
    if document is None:
        return JsonResponse({"error": "Choose a file to send."}, status=400)
    if document.size > MAX_UPLOAD:
        return JsonResponse({"error": "Bots can download files of up to 20 MB."}, status=400)
    caption = request.POST.get("caption", "").strip()[:1024]
    name = (document.name or "file").rsplit("/", 1)[-1][:255]
    return outcome_response(simulator.send_document(persona, name, document.read(), caption))


@simulator_view
@require_POST
def users(request: HttpRequest) -> HttpResponse:
    """Adds another new customer to switch to."""
    simulator = get_simulator()
    simulator.personas(actor=request.user)  # the usual three first, even after a restart of the server
    persona = simulator.add_new_customer()
    return JsonResponse({"persona": persona.as_json()})


@simulator_view
@require_POST
@with_persona
def clear(request: HttpRequest, simulator: Simulator, persona: Persona) -> HttpResponse:
    """Clears the chat's history on the page; the shop's data stays."""
    simulator.clear_chat(persona)
    return JsonResponse({"ok": True})


@simulator_view
@require_GET
def file(request: HttpRequest, telegram_id: int, message_id: int) -> HttpResponse:
    """Serves a file from the chat: a document as a download, a photo's image inline."""
    simulator = get_simulator()
    persona = simulator.persona(telegram_id)
    message = simulator.find(persona, message_id) if persona else None
    media = message.media if message else None
    if isinstance(media, str):  # a photo sent again by the file id of one sent in the simulator
        media = {"filename": "photo", "content": simulator.telegram.file_content(media)}
    if not isinstance(media, dict) or not isinstance(media.get("content"), bytes):
        raise Http404("No such file in this chat.")
    content: bytes = media["content"]
    kind = image_type(content)  # pictures are shown inline; anything else is only downloaded
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=kind is None,
        filename=str(media.get("filename") or "file"),
        content_type=kind or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
