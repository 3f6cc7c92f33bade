"""The simulator's HTML: Telegram's subset becomes markup, everything else stays text."""

from telegrambot.simulator.html import to_safe_html


def test_it_keeps_telegram_formatting() -> None:
    html = "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>x</s> <del>d</del> <code>c</code>"
    assert (
        to_safe_html(html, "HTML")
        == "<b>bold</b> <b>s</b> <i>i</i> <i>e</i> <u>u</u> <u>n</u> <s>x</s> <s>d</s> <code>c</code>"
    )


def test_it_keeps_pre_blockquote_and_spoilers() -> None:
    html = '<pre><code class="language-py">x = 1</code></pre><blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>'
    assert to_safe_html(html, "HTML") == (
        '<pre><code>x = 1</code></pre><blockquote>q</blockquote><span class="tg-spoiler">s</span><span class="tg-spoiler">t</span>'
    )


def test_it_opens_http_and_tg_links_in_a_new_tab() -> None:
    assert to_safe_html('<a href="https://example.com/?a=1&amp;b=2">x</a>', "HTML") == (
        '<a href="https://example.com/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow">x</a>'
    )
    assert 'href="tg://user?id=5"' in to_safe_html('<a href="tg://user?id=5">x</a>', "HTML")


def test_it_drops_links_to_other_schemes() -> None:
    assert to_safe_html('<a href="javascript:alert(1)">x</a>', "HTML") == "<a>x</a>"
    assert to_safe_html('<a href=" JAVASCRIPT:alert(1)">x</a>', "HTML") == "<a>x</a>"


def test_it_escapes_every_other_tag_and_attribute() -> None:
    html = '<script>alert(1)</script><img src=x onerror=alert(1)><b onclick="x()">b</b><span>s</span>'
    safe = to_safe_html(html, "HTML")
    assert "<script" not in safe and "<img" not in safe and "onclick" not in safe and "<span>" not in safe
    assert safe.startswith("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img")
    assert "<b>b</b>" in safe


def test_it_escapes_comments_and_keeps_entities_as_text() -> None:
    assert to_safe_html("<!-- hi -->a &lt;b&gt; &amp; c", "HTML") == "&lt;!-- hi --&gt;a &lt;b&gt; &amp; c"


def test_it_closes_what_was_left_open_and_ignores_stray_end_tags() -> None:
    assert to_safe_html("<b><i>x</b></u>", "HTML") == "<b><i>x</i></b>&lt;/u&gt;"
    assert to_safe_html("<b>open", "HTML") == "<b>open</b>"


def test_it_escapes_text_sent_without_parse_mode() -> None:
    assert to_safe_html("<b>not bold</b> & co", None) == "&lt;b&gt;not bold&lt;/b&gt; &amp; co"
