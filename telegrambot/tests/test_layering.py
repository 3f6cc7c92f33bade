"""No handler module imports another: what two features share lives in a shared module."""

import ast
from pathlib import Path

from telegrambot import application

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"
PACKAGE = "telegrambot.handlers"
# The frame application.py builds around the features: the gate, the prompt
# dispatcher, the fallbacks and the error handler.
FRAME = {"__init__", "gate", "prompts", "fallback", "errors"}


def handler_modules() -> list[Path]:
    return sorted(HANDLERS_DIR.glob("*.py"))


def imported_modules(source: str) -> set[str]:
    """Return every module ``source`` imports, at the top or inside a function.

    ``from telegrambot.handlers import catalog`` imports the module
    ``telegrambot.handlers.catalog``, so each name of a ``from`` import counts
    as a module too; relative imports are resolved inside ``telegrambot.handlers``.
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = PACKAGE.rsplit(".", node.level - 1)[0] if node.level > 1 else PACKAGE
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_it_finds_imports_at_the_top_inside_functions_and_relative() -> None:
    source = (
        "from telegrambot.handlers import topup\n"
        "def show():\n"
        "    from telegrambot.handlers.catalog import show\n"
        "    import telegrambot.handlers.cart\n"
        "    from .reviews import save_text\n"
        "    from . import profile\n"
    )

    found = {name for name in imported_modules(source) if name.startswith(PACKAGE + ".")}

    assert {f"{PACKAGE}.{name}" for name in ("topup", "catalog", "cart", "reviews", "profile")} <= found


def test_it_finds_the_handler_modules() -> None:
    names = {path.stem for path in handler_modules()}

    assert {"catalog", "cart", "admin_menu", "gate"} <= names


def test_it_never_imports_a_handler_module_from_another() -> None:
    modules = {f"{PACKAGE}.{path.stem}" for path in handler_modules()} - {f"{PACKAGE}.__init__"}
    offenders = [
        f"{path.name}: {name}"
        for path in handler_modules()
        for name in sorted(imported_modules(path.read_text(encoding="utf-8")) & modules)
        if name != f"{PACKAGE}.{path.stem}"
    ]

    assert offenders == []


def test_it_registers_the_feature_of_every_handler_module() -> None:
    declared = {path.stem for path in handler_modules()} - FRAME
    registered = {feature.name for feature in application.FEATURES}

    assert registered == declared
