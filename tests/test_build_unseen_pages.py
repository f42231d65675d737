"""The builder of the collected clean-page sets (tools/build_unseen_pages.py): how a copy's
file name or a benchmark map's id becomes a page's key and source, and which ids are left out."""

import json

from tools.build_unseen_pages import gold_map_pages, html_dir_pages


def test_gold_map_pages_key_by_id_prefix_keep_the_url_and_skip_guessed_copies(tmp_path):
    gold = {
        "a" * 64: {"url": "https://forum.example/t/1", "content": "First post.\nA reply."},
        "b" * 64: {"url": "https://forum.example/t/2", "content": "Skipped by its full id."},
        "c" * 64: {"url": "https://forum.example/t/3", "content": "Skipped by its first 16 characters."},
        "d" * 64: {"content": None},
    }
    path = tmp_path / "base.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    pages = list(gold_map_pages(str(path), "mh", "benchmark/data/forum/base.json",
                                frozenset({"b" * 64, "c" * 16})))
    assert pages == [
        ("mh__" + "a" * 16, "mh:benchmark/data/forum/base.json:" + "a" * 64, "First post.\nA reply.",
         {"url": "https://forum.example/t/1"}),
        ("mh__" + "d" * 16, "mh:benchmark/data/forum/base.json:" + "d" * 64, "", {"url": ""}),
    ]


def test_html_dir_pages_read_a_double_underscore_as_a_path_separator(tmp_path):
    html = ("<html><body><article><p>The council met on Tuesday to discuss the new library. "
            "Residents asked for longer opening hours and more quiet rooms for study.</p></article></body></html>")
    (tmp_path / "dragnet__bbc-co-uk-06f23d19.html").write_text(html, encoding="utf-8")
    [(key, source, text, extra)] = html_dir_pages(str(tmp_path), "python-readability", "pages/{name}/ideal.html")
    assert key == "python-readability__dragnet__bbc-co-uk-06f23d19"
    assert source == "python-readability:pages/dragnet/bbc-co-uk-06f23d19/ideal.html"
    assert "longer opening hours" in text
    assert len(extra["sha256_html"]) == 64


def test_gold_map_pages_keep_a_readable_id_whole_and_an_items_own_source(tmp_path):
    # a map built from several files names each page's file; its ids are words, not hashes
    gold = {
        "irc-ubuntu-2016-06-06-02": {"url": "https://irclogs.example/2016/06/06", "content": "crimsun\nhello",
                                     "source": "owner/repo:data/2016-06-06_02.raw.txt"},
        "irc-ubuntu-2016-06-06-03": {"url": "", "content": "bob2\nhi"},
    }
    path = tmp_path / "map.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    pages = list(gold_map_pages(str(path), "forums", "map.json"))
    assert [(k, s) for k, s, _t, _e in pages] == [
        ("forums__irc-ubuntu-2016-06-06-02", "forums:owner/repo:data/2016-06-06_02.raw.txt"),
        ("forums__irc-ubuntu-2016-06-06-03", "forums:map.json:irc-ubuntu-2016-06-06-03"),
    ]
