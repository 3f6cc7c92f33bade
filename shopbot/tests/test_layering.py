"""The shop's own code never imports test code: fakes the product needs live beside the product."""

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS = ("accounts", "catalog", "payments", "telegrambot", "monitoring", "shopbot")
TEST_PARTS = {"tests", "testing", "conftest"}


def production_modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            parts = set(path.relative_to(BASE_DIR).with_suffix("").parts)
            if not parts & TEST_PARTS and "migrations" not in parts:
                found.append(path)
    return found


def imported_names(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def test_it_finds_the_production_modules() -> None:
    paths = {path.relative_to(BASE_DIR).as_posix() for path in production_modules()}

    assert "telegrambot/simulator/runner.py" in paths
    assert "telegrambot/simulator/fake_telegram.py" in paths
    assert not any("/tests/" in path or "/testing/" in path for path in paths)


def test_it_never_imports_tests_or_testing_from_production_code() -> None:
    offenders = [
        f"{path.relative_to(BASE_DIR)}: {name}"
        for path in production_modules()
        for name in imported_names(path)
        if name.split(".")[0] in APPS and set(name.split(".")) & TEST_PARTS
    ]

    assert offenders == []
