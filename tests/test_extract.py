"""Extraction keeps Markdown structure and turns hostile pages into counted rejections."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from filters.extract import ExtractConfig, Extractor, extract_markdown

PAGES = Path(__file__).parent / "data" / "extraction" / "scrapinghub-aeb"
EUROPA = "14cc2a0ca59c62a8c9f205a171e9ccf4ef4cf69b0c642f51c8c65c051b39024f"


def _page(sha: str) -> str:
    return gzip.open(PAGES / "html" / f"{sha}.html.gz").read().decode("utf-8", "replace")


STRUCTURED = """<html><head><title>Bridges of the Rhine</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>Bridges of the Rhine</h1>
<p>The Rhine is crossed by many bridges, some of them centuries old and still carrying traffic today.</p>
<h2>Notable crossings</h2>
<ul><li>The Hohenzollern Bridge in Cologne</li><li>The Old Bridge in Basel, rebuilt several times</li></ul>
<pre><code>bridges = ["Cologne", "Basel"]
print(len(bridges))</code></pre>
<table><tr><th>City</th><th>Opened</th></tr><tr><td>Cologne</td><td>1911</td></tr></table>
<p>Each crossing has a history of floods, wars and reconstruction that shaped the towns around it.</p>
</article><footer>Copyright 2024 Example Media. All rights reserved.</footer></body></html>"""


@pytest.fixture(scope="module")
def sandboxed():
    ex = Extractor(ExtractConfig())
    yield ex
    ex.close()


def test_markdown_keeps_headings_lists_code_and_tables():
    out = extract_markdown(STRUCTURED, "http://example.test/rhine", ExtractConfig())
    assert out.reject is None
    assert out.title == "Bridges of the Rhine"
    text = out.text
    assert "# Bridges of the Rhine" in text
    assert "## Notable crossings" in text
    assert "- The Hohenzollern Bridge in Cologne" in text
    assert "```" in text and 'bridges = ["Cologne", "Basel"]' in text
    assert "| City | Opened |" in text
    assert "Home" not in text.split("\n")[0]


def test_real_article_body_is_extracted_with_title(sandboxed):
    truth = json.loads((PAGES / "ground-truth.json").read_text())[EUROPA]["articleBody"]
    out = sandboxed.extract(_page(EUROPA), None)
    assert out.reject is None
    assert out.title.startswith("NASA Just Confirmed There Are Water Plumes")
    first_sentence = truth.split(". ")[0]
    assert first_sentence[:80] in out.text


def test_a_page_that_is_one_html_fragment_is_extracted_not_rejected(sandboxed):
    # The article's paragraphs of a real page served alone (an AJAX partial, a page written as
    # one <div>): trafilatura's own loader calls markup without "html" near its start not-HTML.
    truth = json.loads((PAGES / "ground-truth.json").read_text())[EUROPA]["articleBody"]
    page = _page(EUROPA)
    # (one element holding the rest, as a reader view's output is: "<div class="page"><div ...")
    body = page[page.index("<p"):page.rindex("</p>") + 4]
    fragment = '<div class="page"><div class="story">' + body + "</div></div>"
    assert "<html" not in fragment.lower() and "<body" not in fragment.lower()
    out = sandboxed.extract(fragment, None)
    assert out.reject is None
    assert truth.split(". ")[0][:80] in out.text


def test_sixty_thousand_nested_divs_is_rejected_not_crashing(sandboxed):
    nested = "<html><body>" + "<div>" * 60000 + "deep" + "</div>" * 60000 + "</body></html>"
    out = sandboxed.extract(nested, None)
    assert out.text is None and out.reject in ("extract:empty", "extract:timeout")


def test_binary_served_as_html_is_rejected_as_binary(sandboxed):
    assert sandboxed.extract(bytes(range(256)).decode("latin-1") * 100, None).reject == "extract:binary"


def test_empty_and_giant_pages_are_rejected_before_parsing():
    cfg = ExtractConfig(max_html_chars=1000)
    assert extract_markdown("   ", None, cfg).reject == "extract:empty_body"
    assert extract_markdown("<p>" + "x" * 2000 + "</p>", None, cfg).reject == "extract:too_large"


def test_deadline_kills_a_slow_extraction_and_the_sandbox_recovers():
    # 20,000 paragraphs: trafilatura needs several seconds (its cost grows faster than linearly)
    slow = "<html><body>" + "".join(
        f"<p>Paragraph {i} talks about rivers and bridges in a plain way.</p>" for i in range(20000)
    ) + "</body></html>"
    ex = Extractor(ExtractConfig(timeout_seconds=1.0))
    try:
        assert ex.extract(slow, None).reject == "extract:timeout"
        assert ex._sandbox.restarts == 1
        out = ex.extract(STRUCTURED, None)  # the restarted sandbox serves the next page
        assert out.reject is None and "Bridges" in out.text
    finally:
        ex.close()


def test_needless_markdown_escapes_and_underline_tags_are_undone_outside_code():
    from filters.extract import tidy_markdown

    raw = "Set image\\_link and see \\[1\\], <u>underlined</u> 3\\*4\n\n\n\n```\npath\\_with\\_escape\n```"
    assert tidy_markdown(raw) == "Set image_link and see [1], underlined 3*4\n\n```\npath\\_with\\_escape\n```"


def test_format_characters_survive_extraction_for_the_poisoning_stage():
    # trafilatura alone drops every non-printable character: ZWNJ in Persian words, soft
    # hyphens, and planted zero-width / bidi / tag-character triggers would all vanish.
    html = ("<html><body><article><h1>Notes</h1><p>The jam\u200bes trigger, a soft hyph&shy;en, "
            "\u202eevil\u202c bidi, tags \U000e0041\U000e0042, Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 "
            "and an entity-coded zero width&#x200B;space.</p><p>Another paragraph of ordinary prose so that "
            "the page is long enough for the extractor to keep it.</p></article></body></html>")
    text = extract_markdown(html, None, ExtractConfig()).text
    for fragment in ("jam\u200bes", "hyph\u00aden", "\u202eevil\u202c", "\U000e0041\U000e0042",
                     "\u0645\u06cc\u200c\u062e", "width\u200bspace"):
        assert fragment in text
    assert "\U0001d800" not in text  # no stand-in leaks into the output
