"""The Russian catalog is complete: every string translated, placeholders and tags kept, .mo compiled."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PO = BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\)[sd]|%|[sd])")
TAG = re.compile(r"</?[a-z-]+(?:\s[^>]*)?>")
APPS = ["accounts", "catalog", "payments", "telegrambot", "monitoring", "shopbot"]
# The keywords Django's makemessages gives xgettext.
KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
]


def read_po(text: str) -> list[dict]:
    """Return the entries of a .po file's text: msgid, msgid_plural, msgstr forms, flags."""
    entries: list[dict] = []
    entry: dict | None = None
    key = None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = {"msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += value
            else:
                entry[key] += value
        else:
            match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d)\])? (\".*\")$", line)
            assert match, f"unreadable .po line: {line}"
            name, index, value = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            key = int(index or 0) if name == "msgstr" else name
            if isinstance(key, int):
                entry["msgstr"][key] = value
            else:
                entry[key] = value
    return [entry for entry in entries if entry["msgid"]]


ENTRIES = read_po(PO.read_text(encoding="utf-8"))


def describe(entry: dict) -> str:
    return repr(entry["msgid"][:60])


def test_it_translates_every_entry_without_fuzzy_guesses() -> None:
    untranslated = [
        describe(entry) for entry in ENTRIES if not all(entry["msgstr"].values()) or not entry["msgstr"]
    ]
    fuzzy = [describe(entry) for entry in ENTRIES if "fuzzy" in entry["flags"]]

    assert untranslated == [], "untranslated: " + ", ".join(untranslated)
    assert fuzzy == [], "fuzzy: " + ", ".join(fuzzy)


def test_it_keeps_placeholders_and_tags_in_every_translation() -> None:
    problems = []
    for entry in ENTRIES:
        for source, translation in [(entry["msgid"], entry["msgstr"].get(0, ""))] + [
            (entry["msgid_plural"], form)
            for index, form in entry["msgstr"].items()
            if index and entry["msgid_plural"]
        ]:
            if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(translation)):
                problems.append(f"placeholders of {describe(entry)}")
            if Counter(TAG.findall(source)) != Counter(TAG.findall(translation)):
                problems.append(f"tags of {describe(entry)}")
    assert problems == []


def test_it_ships_a_compiled_catalog_that_matches_the_po() -> None:
    with MO.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = [
        describe(entry)
        for entry in ENTRIES
        if entry["msgid_plural"] is None
        and "msgctxt" not in entry
        and catalog.gettext(entry["msgid"]) != entry["msgstr"][0]
    ]

    assert stale == [], "run compilemessages: " + ", ".join(stale)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_it_has_an_entry_for_every_string_in_the_code() -> None:
    files = sorted(
        str(path.relative_to(BASE_DIR))
        for app in APPS
        for path in (BASE_DIR / app).rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    )
    result = subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--output=-",
            *(f"--keyword={k}" for k in KEYWORDS),
            *files,
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    in_code = {entry["msgid"] for entry in read_po(result.stdout)}
    in_catalog = {entry["msgid"] for entry in ENTRIES}

    missing = sorted(in_code - in_catalog)
    assert missing == [], "run `make messages` and translate: " + ", ".join(repr(m[:60]) for m in missing)
