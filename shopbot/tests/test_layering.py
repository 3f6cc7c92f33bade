"""The house rules on imports, checked on every import statement (function-local ones too).

- The shop's own code never imports test code: fakes the product needs live beside the product.
- Apps import one way: telegrambot -> monitoring -> catalog -> payments -> accounts. Everyone
  may import the metric definitions (``monitoring.metrics``) and the project's shared modules
  (``shopbot``, which themselves import only ``accounts`` and the metrics).
- "admin" means the Django admin: ``admin.py`` or an ``admin/`` package. The only other
  ``admin_`` modules are the bot's admin-menu features (handlers, keyboards, texts).
"""

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS = ("accounts", "catalog", "payments", "telegrambot", "monitoring", "shopbot")
TEST_PARTS = {"tests", "testing", "conftest"}
TEST_MODULES = {"shopbot.test"}  # the shared test cast
# Lowest first: each app imports only the ones before it.
LAYERS = ("accounts", "payments", "catalog", "monitoring", "telegrambot")
FOR_EVERYONE = ("monitoring.metrics", "shopbot")
SHARED_MAY_IMPORT = ("accounts", "monitoring.metrics")
# The project's wiring (settings, urls, wsgi/asgi) names every app by design.
WIRING = {"shopbot.settings", "shopbot.urls", "shopbot.wsgi", "shopbot.asgi"}
BOT_ADMIN_MENU = {"telegrambot/handlers", "telegrambot/keyboards", "telegrambot/texts"}


def module_name(path: Path) -> str:
    parts = path.relative_to(BASE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_test_code(path: Path) -> bool:
    parts = set(path.relative_to(BASE_DIR).with_suffix("").parts)
    return bool(parts & TEST_PARTS) or module_name(path) in TEST_MODULES


def production_modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            parts = set(path.relative_to(BASE_DIR).parts)
            if not is_test_code(path) and "migrations" not in parts:
                found.append(path)
    return found


def imported_names(path: Path, source: str | None = None) -> list[str]:
    """Return every module an import statement in ``path`` names, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = []
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # every statement, function-local imports included
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            # ``from monitoring import metrics`` imports monitoring.metrics, not all of monitoring.
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def allowed(importer: str, name: str) -> bool:
    """Return whether module ``importer`` may import ``name`` under the one-way rule."""
    source, target = importer.split(".")[0], name.split(".")[0]
    if target not in APPS or target == source or importer in WIRING:
        return True
    if source == "shopbot":
        return within(name, SHARED_MAY_IMPORT)
    if within(name, FOR_EVERYONE):
        return True
    return target in LAYERS and LAYERS.index(target) < LAYERS.index(source)


def test_it_finds_the_production_modules() -> None:
    paths = {path.relative_to(BASE_DIR).as_posix() for path in production_modules()}

    assert "telegrambot/simulator/runner.py" in paths
    assert "telegrambot/simulator/fake_telegram.py" in paths
    assert "catalog/selectors/staff.py" in paths
    assert "shopbot/test.py" not in paths
    assert not any("/tests/" in path or "/testing/" in path for path in paths)


def test_it_never_imports_tests_or_testing_from_production_code() -> None:
    offenders = [
        f"{path.relative_to(BASE_DIR)}: {name}"
        for path in production_modules()
        for name in imported_names(path)
        if name.split(".")[0] in APPS and (set(name.split(".")) & TEST_PARTS or name in TEST_MODULES)
    ]

    assert offenders == []


def test_it_imports_one_way_with_no_exceptions() -> None:
    offenders = [
        f"{path.relative_to(BASE_DIR)}: {name}"
        for path in production_modules()
        for name in imported_names(path)
        if not allowed(module_name(path), name)
    ]

    assert offenders == []


def test_it_refuses_an_import_against_the_direction_even_inside_a_function() -> None:
    assert not allowed("payments.services.crediting", "catalog.services.orders")
    assert not allowed("catalog.services.orders", "telegrambot.adapter")
    assert not allowed("accounts.services", "payments.models")
    assert not allowed("monitoring.dashboard", "telegrambot.models")
    assert not allowed("shopbot.admin", "catalog.models")
    assert allowed("catalog.services.purchases", "monitoring.metrics")
    assert allowed("telegrambot.handlers.catalog", "catalog.selectors")
    assert allowed("shopbot.urls", "telegrambot.urls")


def test_it_reads_function_local_and_relative_imports() -> None:
    source = "def later():\n    from catalog.services import orders\n    from . import ledger\n    from .. import money\n"

    names = imported_names(BASE_DIR / "payments" / "services" / "crediting.py", source)

    assert "catalog.services.orders" in names
    assert "payments.services.ledger" in names
    assert "payments.money" in names


def test_it_names_admin_modules_admin_only() -> None:
    offenders = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("admin_*.py"):
            folder = path.parent.relative_to(BASE_DIR).as_posix()
            if not is_test_code(path) and folder not in BOT_ADMIN_MENU:
                offenders.append(path.relative_to(BASE_DIR).as_posix())

    assert offenders == []
