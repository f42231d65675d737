"""Heuristic signals checked against hand counts on real article texts (tests/data/quality)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filters.heuristics import HEURISTIC_NAMES, heuristic_signals
from schemas.documents import HEURISTIC_COLUMNS

DATA = Path(__file__).parent / "data" / "quality"
ARTICLES = json.loads((DATA / "aeb_articles.json").read_text(encoding="utf-8"))


def _article(prefix: str) -> str:
    (body,) = [v["articleBody"] for k, v in ARTICLES.items() if k.startswith(prefix)]
    return body


# vortexcannon.org "about bugs": 2 paragraphs of plain prose, one line each.
BUGS = _article("95301fb788")
# autoracing.com.br Stock Car 2018 calendar: a Portuguese listing page (17 lines).
CALENDAR = _article("cc03ddb5ef")


def test_returns_exactly_the_schema_heuristic_columns():
    assert tuple(heuristic_signals(BUGS)) == tuple(n for n, _, _ in HEURISTIC_COLUMNS)
    assert set(HEURISTIC_NAMES) == set(heuristic_signals(""))


def test_prose_article_matches_hand_counts():
    h = heuristic_signals(BUGS)
    # Words, counted by hand: paragraph 1 has 49 whitespace tokens, paragraph 2 has 54.
    assert h["gopher_word_count"] == 103
    # Core lengths (punctuation stripped) summed by hand: 200 + 223 = 423 characters.
    assert h["gopher_mean_word_length"] == pytest.approx(423 / 103)
    # Stop words: P1 of the be and be the of of the And to (11); P2 that to and of and the (6).
    assert h["gopher_stop_word_count"] == 17
    assert h["gopher_alpha_words_ratio"] == 1.0
    assert h["gopher_symbol_word_ratio"] == 0.0
    assert h["gopher_bullet_lines_ratio"] == 0.0
    assert h["gopher_ellipsis_lines_ratio"] == 0.0
    # Sentences: "bugs." "actions." "game." "it." | "bug-tracker." "better." = 6.
    assert h["c4_sentence_count"] == 6
    # Both lines end with "." (terminal punctuation, not an ellipsis).
    assert h["c4_terminal_punct_line_ratio"] == 1.0
    assert h["fineweb_line_punct_ratio"] == 1.0
    assert h["c4_short_line_ratio"] == 0.0
    assert h["fineweb_short_line_ratio"] == 0.0
    # 2 lines -> 1 line break over 103 words.
    assert h["fineweb_newline_word_ratio"] == pytest.approx(1 / 103)
    # Only "can be" repeats ("games can be", "some can be"): (3 + 2) chars x 2 / 423.
    assert h["rep_top_2gram_char_frac"] == pytest.approx(10 / 423)
    assert h["rep_top_3gram_char_frac"] == 0.0
    assert h["rep_top_4gram_char_frac"] == 0.0
    for n in range(5, 11):
        assert h[f"rep_dup_{n}gram_char_frac"] == 0.0
    assert h["rep_dup_line_frac"] == 0.0
    assert h["rep_dup_para_frac"] == 0.0
    assert h["c4_has_lorem_ipsum"] is False
    assert h["c4_has_curly_bracket"] is False


def test_listing_page_matches_hand_counts():
    h = heuristic_signals(CALENDAR)
    # 17 non-empty lines; 2 start with the Markdown-style bullet "* ".
    assert h["gopher_bullet_lines_ratio"] == pytest.approx(2 / 17)
    # Words per line: 5; 6 7 6 6 9 8 8 6 7 6 8 6 (the 12 "etapa" lines; "–" and "/" are
    # not words); 9; 9; 1; 2 ("AS", "-" is not a word, the URL is) -> 109.
    assert h["gopher_word_count"] == 109
    # Numeric-only words: 2018 (x2) and the 12 day numbers -> 95 / 109 have a letter.
    assert h["gopher_alpha_words_ratio"] == pytest.approx(95 / 109)
    # Core lengths summed line by line: 24 26 34 24 23 29 31 30 27 28 25 32 29 67 52 21 23.
    assert h["gopher_mean_word_length"] == pytest.approx(525 / 109)
    assert h["gopher_stop_word_count"] == 0
    # No line ends with . ! ? " ' (the URL line ends with "r").
    assert h["c4_terminal_punct_line_ratio"] == 0.0
    assert h["fineweb_line_punct_ratio"] == 0.0
    assert h["c4_sentence_count"] == 0
    # Fewer than 3 words: only "www.autoracing.com.br".
    assert h["c4_short_line_ratio"] == pytest.approx(1 / 17)
    # <= 30 chars: the title (28), the URL (21), "AS - www.autoracing.com.br" (26).
    assert h["fineweb_short_line_ratio"] == pytest.approx(3 / 17)
    assert h["fineweb_newline_word_ratio"] == pytest.approx(16 / 109)
    # "a ser divulgado" (lines 8 and 12) is the longest most frequent 2- and 3-gram:
    # "ser divulgado" (3 + 9) x 2 and "a ser divulgado" (1 + 3 + 9) x 2.
    assert h["rep_top_2gram_char_frac"] == pytest.approx(24 / 525)
    assert h["rep_top_3gram_char_frac"] == pytest.approx(26 / 525)
    assert h["rep_top_4gram_char_frac"] == 0.0
    assert h["rep_dup_5gram_char_frac"] == 0.0
    assert h["rep_dup_line_frac"] == 0.0


def test_repeated_paragraph_is_measured_by_every_repetition_signal():
    p1, p2 = BUGS.split("\n\n")
    text = f"{p1}\n\n{p2}\n\n{p1}"
    h = heuristic_signals(text)
    assert h["rep_dup_para_frac"] == pytest.approx(1 / 3)
    assert h["rep_dup_line_frac"] == pytest.approx(1 / 3)
    assert h["rep_dup_para_char_frac"] == pytest.approx(len(p1) / len(text))
    assert h["rep_dup_line_char_frac"] == pytest.approx(len(p1) / len(text))
    # FineWeb divides by the characters other than newlines (4 of them here).
    assert h["fineweb_dup_line_char_ratio"] == pytest.approx(len(p1) / (len(text) - 4))
    # Every word of both copies of P1 (200 chars each) lies in a repeated n-gram, for
    # every n from 5 to 10; P2 (223 chars) shares none of them: 400 / 623.
    for n in range(5, 11):
        assert h[f"rep_dup_{n}gram_char_frac"] == pytest.approx(400 / 623)
    # "can be" now occurs 4 times (twice per copy of P1): 5 chars x 4.
    assert h["rep_top_2gram_char_frac"] == pytest.approx(20 / 623)
    # Most frequent 4-grams occur twice; the longest is "certain combination of actions".
    assert h["rep_top_4gram_char_frac"] == pytest.approx(27 * 2 / 623)


def test_dup_ngram_fraction_drops_when_longer_ngrams_stop_repeating():
    # 27 one-letter words; a..j twice, then "a b c d e x".
    text = "a b c d e f g h i j\na b c d e f g h i j k\na b c d e x"
    h = heuristic_signals(text)
    # 5-grams: everything but "k" and "x" is covered -> 25 / 27.
    assert h["rep_dup_5gram_char_frac"] == pytest.approx(25 / 27)
    # 6..10-grams: only the two "a ... j" runs -> 20 / 27.
    for n in range(6, 11):
        assert h[f"rep_dup_{n}gram_char_frac"] == pytest.approx(20 / 27)
    # "a b", "b c", "c d", "d e" occur 3 times each.
    assert h["rep_top_2gram_char_frac"] == pytest.approx(6 / 27)


def test_c4_boilerplate_lines_and_flags_are_counted():
    text = (
        BUGS
        + "\n\nPlease enable JavaScript to view the comments."
        + "\nThis site uses cookies. Read our Privacy Policy."
        + "\nLorem ipsum dolor sit amet {placeholder}"
    )
    h = heuristic_signals(text)
    assert h["c4_javascript_line_count"] == 1
    assert h["c4_policy_line_count"] == 1
    assert h["c4_has_lorem_ipsum"] is True
    assert h["c4_has_curly_bracket"] is True
    # 5 lines; the lorem line is the only one without terminal punctuation.
    assert h["c4_terminal_punct_line_ratio"] == pytest.approx(4 / 5)


def test_markdown_heading_marks_are_not_symbols_but_hashtags_are():
    h = heuristic_signals("## Release notes\n\nFixed the #bug... and #typo")
    # words: Release notes Fixed the #bug... and #typo = 7; symbols: 2 hashtags + 1 "...".
    assert h["gopher_word_count"] == 7
    assert h["gopher_symbol_word_ratio"] == pytest.approx(3 / 7)
    assert h["gopher_ellipsis_lines_ratio"] == 0.0  # the line ends with "typo"


def test_markdown_list_items_are_bullet_lines():
    h = heuristic_signals("Ingredients:\n\n- flour\n- water\n* salt\n• yeast\n-5 degrees")
    # 6 lines; "-5 degrees" is a negative number, not a bullet.
    assert h["gopher_bullet_lines_ratio"] == pytest.approx(4 / 6)


def test_empty_text_gives_zero_measurements():
    h = heuristic_signals("")
    assert h["gopher_word_count"] == 0
    assert h["c4_sentence_count"] == 0
    assert h["c4_has_lorem_ipsum"] is False
    assert all(v == 0 for k, v in h.items() if isinstance(v, float))
