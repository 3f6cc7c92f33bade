"""Turn a bot message's HTML into HTML that is safe to put in the simulator's page.

Only the subset Telegram renders becomes markup: b/strong, i/em, u/ins,
s/strike/del, code, pre, blockquote, spoilers and links to http(s) and tg://.
Every other tag, attribute, comment or declaration is shown as the text it
is, escaped, so a message can never inject markup or script into the page.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

# Telegram tag -> the tag the page uses for it.
TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
LINK_SCHEMES = ("http://", "https://", "tg://")
SPOILER = '<span class="tg-spoiler">'


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []  # the page tags opened and not yet closed, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        opening = self.opening_tag(tag, dict(attrs))
        if opening is None:
            self.out.append(escape(self.get_starttag_text() or ""))
            return
        self.out.append(opening)
        self.open.append(tag)

    def opening_tag(self, tag: str, attrs: dict[str, str | None]) -> str | None:
        if tag in TAGS:
            return f"<{TAGS[tag]}>"
        if tag == "tg-spoiler" or (tag == "span" and attrs.get("class") == "tg-spoiler"):
            return SPOILER
        if tag == "tg-emoji":
            return "<span>"  # the custom emoji's fallback character is its content
        if tag == "a":
            href = (attrs.get("href") or "").strip()
            if href.lower().startswith(LINK_SCHEMES):
                return f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer nofollow">'
            return "<a>"  # Telegram shows the text of a link it cannot open
        return None

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            self.out.append(escape(f"</{tag}>"))
            return
        while self.open:
            inner = self.open.pop()
            self.out.append(self.closing_tag(inner))
            if inner == tag:
                break

    @staticmethod
    def closing_tag(tag: str) -> str:
        if tag in TAGS:
            return f"</{TAGS[tag]}>"
        return "</a>" if tag == "a" else "</span>"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(escape(self.get_starttag_text() or ""))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(escape(f"<!--{data}-->"))

    def handle_decl(self, decl: str) -> None:
        self.out.append(escape(f"<!{decl}>"))

    def handle_pi(self, data: str) -> None:
        self.out.append(escape(f"<?{data}>"))

    def unknown_decl(self, data: str) -> None:
        self.out.append(escape(f"<![{data}]>"))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(self.closing_tag(self.open.pop()))
        return "".join(self.out)


def to_safe_html(text: str, parse_mode: str | None) -> str:
    """Return ``text`` as safe HTML for the page: formatted when sent with HTML, escaped otherwise."""
    if (parse_mode or "").upper() != "HTML":
        return escape(text, quote=False)
    converter = _Converter()
    converter.feed(text)
    return converter.result()
