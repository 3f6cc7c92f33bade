"""A validator of Telegram's HTML subset, as ``parse_mode=HTML`` accepts it.

``render(text)`` returns the plain text the user sees, or raises
``HtmlError`` with a description like Telegram's ("Can't parse entities: ...").
The bot checks HTML that admins write (broadcasts) with it before anything is
sent, and the fake Bot API (``simulator/fake_telegram.py``) checks every message.
It is slightly stricter than Telegram on one point on purpose: a bare ``&``
or an unknown named entity (which Telegram shows literally) is refused,
because in this project it always means user text that was not escaped.
"""

from __future__ import annotations

import re

# Tag -> the attributes it may carry. Telegram ignores unknown attributes of known tags.
TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
URL_SCHEMES = ("http://", "https://", "tg://", "mailto:")


class HtmlError(ValueError):
    """Telegram would refuse this text with 400 Bad Request."""


def refuse(reason: str, offset: int) -> HtmlError:
    return HtmlError(f"Bad Request: can't parse entities: {reason} at byte offset {offset}")


def decode_entity(text: str, index: int) -> tuple[str, int]:
    """Return the character of the entity at ``index`` and the index after it."""
    match = ENTITY.match(text, index)
    if match is None:
        raise refuse("unescaped '&' (write &amp;)", index)
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in NAMED_ENTITIES:
            raise refuse(f"unsupported HTML entity '&{name};'", index)
        return NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise refuse("invalid numeric entity", index)
    return chr(code), match.end()


def decode_text(text: str) -> str:
    """Decode entities in an attribute value."""
    out, index = [], 0
    while index < len(text):
        if text[index] == "&":
            char, index = decode_entity(text, index)
            out.append(char)
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


def check_attributes(name: str, raw: str, offset: int) -> dict[str, str]:
    attributes = {}
    for match in ATTRIBUTE.finditer(raw):
        key = match.group(1).lower()
        value = next((group for group in match.groups()[1:] if group is not None), "")
        attributes[key] = decode_text(value)
    if name == "a":
        href = attributes.get("href", "")
        if not href.startswith(URL_SCHEMES):
            raise refuse(f"invalid URL {href!r} in <a>", offset)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise refuse('<span> needs class="tg-spoiler"', offset)
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise refuse("<tg-emoji> needs a numeric emoji-id", offset)
    return attributes


def render(text: str) -> str:
    """Return what the user sees of ``text`` sent with ``parse_mode=HTML``; refuse malformed HTML."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "&":
            decoded, index = decode_entity(text, index)
            out.append(decoded)
        elif char == "<":
            index = read_tag(text, index, stack)
        elif char == ">":
            # Telegram accepts a bare '>' in text; it is still better escaped.
            out.append(char)
            index += 1
        else:
            out.append(char)
            index += 1
    if stack:
        name, offset = stack[-1]
        raise refuse(f'can\'t find end tag corresponding to start tag "{name}"', offset)
    return "".join(out)


def read_tag(text: str, index: int, stack: list[tuple[str, int]]) -> int:
    match = TAG.match(text, index)
    if match is None:
        raise refuse("unsupported start tag or unescaped '<' (write &lt;)", len(text[:index].encode()))
    closing, name, attributes, self_closing = match.groups()
    name = name.lower()
    offset = len(text[:index].encode())
    if name not in TAGS:
        raise refuse(f'unsupported {"end" if closing else "start"} tag "{name}"', offset)
    if self_closing:
        raise refuse(f'self-closing tag "{name}"', offset)
    if closing:
        if attributes.strip():
            raise refuse(f'attributes in end tag "{name}"', offset)
        if not stack or stack[-1][0] != name:
            raise refuse(f'unmatched end tag "{name}"', offset)
        stack.pop()
        return match.end()
    check_attributes(name, attributes, offset)
    if name == "code" and "class" in attributes and (not stack or stack[-1][0] != "pre"):
        raise refuse("a language class on <code> needs an enclosing <pre>", offset)
    stack.append((name, offset))
    return match.end()


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units, as its entity offsets do."""
    return len(text.encode("utf-16-le")) // 2
