"""Licence detection: CC markup in real pages, licence texts in extracted text, the tagger."""

from __future__ import annotations

import gzip
import json
import re
import textwrap
from pathlib import Path

import pytest

from filters.base import Tagger
from filters.license_cc import parse_cc_name, parse_cc_url
from filters.license_text import DATA_DIR, LicenseTextMatcher, may_contain_license
from filters.licenses import (
    FAMILIES,
    LicenseConfig,
    LicenseTagger,
    detect_html_license,
    detect_text_license,
    license_family,
)
from pipeline.config import ConfigError, build_dataclass
from schemas.documents import empty_document

DATA = Path(__file__).parent / "data" / "licenses"
LABELS = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))


def page(name: str) -> str:
    return gzip.decompress((DATA / "html" / name).read_bytes()).decode("utf-8", "replace")


def canonical(spdx_file: str) -> str:
    return (DATA_DIR / spdx_file).read_text(encoding="utf-8")


def choosealicense(name: str) -> tuple[str, str]:
    """(spdx-id from the front matter, licence body) of a choosealicense file."""
    raw = gzip.decompress((DATA / "texts" / f"choosealicense-{name}.txt.gz").read_bytes()).decode()
    spdx = re.search(r"^spdx-id:\s*(\S+)", raw, re.MULTILINE).group(1)
    return spdx, raw.split("---", 2)[2]


def inject_head(html: str, markup: str) -> str:
    i = html.lower().index("</head")
    return html[:i] + markup + html[i:]


def inject_after_body(html: str, markup: str) -> str:
    m = re.search(r"<body\b[^>]*>", html, re.IGNORECASE)
    return html[: m.end()] + markup + html[m.end():]


def matches(expected: str | None, got: str | None) -> bool:
    """A label without version ("CC-BY-NC-SA") only fixes the family."""
    if expected is None or got is None:
        return expected == got
    if re.search(r"\d", expected):
        return got == expected
    return got == expected or got.startswith(expected + "-")


# --- accuracy over every labelled page ------------------------------------------------

def test_licence_column_right_on_at_least_95_percent_of_labelled_pages():
    wrong = []
    for entry in LABELS:
        found = detect_html_license(page(Path(entry["file"]).name))
        got = found[0] if found else None
        if not matches(entry["expected"], got):
            wrong.append((entry["file"], entry["expected"], got))
    accuracy = 1 - len(wrong) / len(LABELS)
    assert len(LABELS) >= 50 and sum(e["expected"] is not None for e in LABELS) >= 30
    assert accuracy >= 0.95, wrong


def test_trafilatura_labelled_cc_pages_are_all_found_with_version_and_port():
    got = {e["file"]: detect_html_license(page(Path(e["file"]).name)) for e in LABELS}
    assert got["html/tf-8cda2ce35269f911.html.gz"] == ("CC-BY-NC-SA-2.0-DE", "anchor")
    # href says 3.0/de while the badge image is the 2.0 one: the link wins
    assert got["html/tf-d9115fcf35faf2a3.html.gz"][0] == "CC-BY-NC-ND-3.0-DE"
    # label "CC BY-NC-SA" without version; the badge link gives 3.0/de
    assert got["html/tf-4402906235bf5eb4.html.gz"][0] == "CC-BY-NC-SA-3.0-DE"


# --- each source kind -----------------------------------------------------------------

def test_link_rel_license_in_head_of_wikipedia_page():
    assert detect_html_license(page("warc-an-wikipedia-org-wiki-escopete.html.gz")) == ("CC-BY-SA-4.0", "link")


def test_link_rel_copyright_to_cc_counts_as_licence_link():
    assert detect_html_license(page("warc-en-wikipedia-org-wiki-mona-lisa.html.gz")) == ("CC-BY-SA-3.0", "link")


@pytest.mark.parametrize("markup, expected", [
    ('<meta name="license" content="https://creativecommons.org/licenses/by-nc/4.0/">', "CC-BY-NC-4.0"),
    ('<meta name="DC.rights" content="Creative Commons Namensnennung 4.0 International">', "CC-BY-4.0"),
    ('<meta property="og:license" content="CC BY-SA 3.0 DE" />', "CC-BY-SA-3.0-DE"),
    ("<meta name='dcterms.license' content='http://creativecommons.org/publicdomain/zero/1.0/'>", "CC0-1.0"),
])
def test_meta_licence_in_head_of_real_page(markup, expected):
    html = inject_head(page("tf-2c1f41b0c9f4dd38.html.gz"), markup)
    assert detect_html_license(html) == (expected, "meta")


def test_json_ld_page_licence_is_read_and_image_licence_is_not():
    article = ('<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
               '{"@type":"ImageObject","license":"https://creativecommons.org/licenses/by-nd/2.0/"},'
               '{"@type":"BlogPosting","headline":"x","license":'
               '{"@id":"https://creativecommons.org/licenses/by-sa/4.0/deed.de"}}]}</script>')
    html = inject_head(page("tf-ec590859f3976ec1.html.gz"), article)
    assert detect_html_license(html) == ("CC-BY-SA-4.0", "json-ld")
    image_only = ('<script type="application/ld+json">{"@type":"ImageObject",'
                  '"license":"https://creativecommons.org/licenses/by/2.0/"}</script>')
    assert detect_html_license(inject_head(page("tf-ec590859f3976ec1.html.gz"), image_only)) is None


def test_footer_anchor_with_rel_license():
    entry = next(e for e in LABELS if "rueda.wikidot" in e["url"])
    assert detect_html_license(page(Path(entry["file"]).name)) == ("CC-BY-SA-3.0", "anchor")


def test_sidebar_badge_without_rel_or_sentence_counts():
    # achtundvierzig.hypotheses.org: an 88x31 "CC-BY" badge image widget in the sidebar
    assert detect_html_license(page("tf-6ddd8e98c0077d28.html.gz")) == ("CC-BY-3.0", "anchor")


def test_licence_sentence_without_link_is_resolved_from_words():
    # bafa.de: "... stehen unsere Texte ... unter einer Creative Commons Namensnennung -
    # Keine Bearbeitung 3.0 Deutschland Lizenz."
    assert detect_html_license(page("tf-a295aaf3ce2d67fb.html.gz")) == ("CC-BY-ND-3.0-DE", "anchor")
    # GiveWell: "This work is licensed under a Creative Commons Attribution-Noncommercial-Share
    # alike 3.0 United States License"
    assert detect_html_license(page("aeb-givewell.html.gz"))[0] == "CC-BY-NC-SA-3.0-US"


def test_relative_licence_link_on_creativecommons_org_resolved_from_sentence():
    # footer: 'content on this site is licensed under a <a href="/licenses/by/4.0/">Creative
    # Commons Attribution 4.0 International license</a>'; figures credit CC BY 2.0 / 3.0 works
    for name in ("warc-creativecommons-org.html.gz", "warc-creativecommons-org-mission.html.gz",
                 "warc-creativecommons-org-2024-04-23-cc-at-wipo-slow-progress-on-c.html.gz"):
        assert detect_html_license(page(name)) == ("CC-BY-4.0", "anchor"), name


# --- ranking --------------------------------------------------------------------------

def test_head_link_beats_footer_anchor():
    footer_only = page("tf-395576dc7071b55c.html.gz")  # footer: CC BY-NC 4.0
    assert detect_html_license(footer_only) == ("CC-BY-NC-4.0", "anchor")
    html = inject_head(footer_only, '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">')
    assert detect_html_license(html) == ("CC-BY-4.0", "link")


def test_footer_declaration_beats_body_rel_license_anchor():
    body = ('<p>This work is licensed under <a rel="license" '
            'href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.</p>')
    html = inject_after_body(page("tf-395576dc7071b55c.html.gz"), body)
    assert detect_html_license(html)[0] == "CC-BY-NC-4.0"
    # without the footer, the body declaration is the page's licence
    assert detect_html_license(inject_after_body(page("tf-2c1f41b0c9f4dd38.html.gz"), body)) == (
        "CC-BY-SA-4.0", "anchor")


def test_site_declaration_sentence_beats_explanatory_badges():
    # creativecommons.ch explains all six licences with badge links, and says
    # "Sofern nicht anders ausgewiesen, stehen Inhalte dieser Website unter CC-BY"
    assert detect_html_license(page("tf-725ba70829e85b39.html.gz"))[0] == "CC-BY-4.0"


# --- negatives ------------------------------------------------------------------------

@pytest.mark.parametrize("entry", [e for e in LABELS if e["expected"] is None], ids=lambda e: e["file"])
def test_page_without_own_licence_gets_none(entry):
    assert detect_html_license(page(Path(entry["file"]).name)) is None


def test_mere_link_to_creativecommons_org_is_not_a_licence():
    body = ('<footer><p>We love <a href="https://creativecommons.org/">Creative Commons</a> and its '
            '<a href="https://creativecommons.org/licenses/">licenses</a>.</p></footer>')
    assert detect_html_license(inject_after_body(page("tf-ec590859f3976ec1.html.gz"), body)) is None


def test_image_credit_in_figcaption_is_not_the_page_licence():
    fig = ('<figure><img src="a.jpg"><figcaption>"Sunset" by Jane is licensed under '
           '<a href="https://creativecommons.org/licenses/by-nc/2.0/">CC BY-NC 2.0</a></figcaption></figure>')
    assert detect_html_license(inject_after_body(page("tf-ec590859f3976ec1.html.gz"), fig)) is None


def test_image_credit_beside_real_footer_licence_does_not_win():
    # reisen-mit-dem-internet.de: many "Foto: X [CC BY-SA 2.5 / CC BY 3.0]" credits and a
    # rel=license CC BY-SA 3.0 declaration at the end
    assert detect_html_license(page("tf-08d85b8911b348c8.html.gz"))[0] == "CC-BY-SA-3.0"


def inject_before_body_end(html: str, markup: str) -> str:
    i = html.lower().rindex("</body")
    return html[:i] + markup + html[i:]


def test_community_footer_sentence_with_versionless_name_counts_but_credit_clause_does_not():
    real = page("tf-ec590859f3976ec1.html.gz")
    footer = ('<footer class="site-footer"><div>Site design / logo &copy; 2024 Example Inc; user contributions '
              'licensed under <a href="https://example.com/help/licensing">CC BY-SA</a>.</div></footer>')
    assert detect_html_license(inject_before_body_end(real, footer)) == ("CC-BY-SA", "anchor")
    credit = '<p>Photo by Jane Roe, licensed under CC BY-NC 2.0 via Flickr.</p>'
    assert detect_html_license(inject_after_body(real, credit)) is None
    vague = '<p>This article is republished under a Creative Commons license.</p>'
    assert detect_html_license(inject_after_body(real, vague)) is None


def test_empty_or_missing_html():
    assert detect_html_license("") is None
    assert detect_html_license("<html><body><p>Hello</p></body></html>") is None


# --- CC URL and name parsing ----------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("http://creativecommons.org/licenses/by-nc-sa/3.0/de/", "CC-BY-NC-SA-3.0-DE"),
    ("https://creativecommons.org/licenses/by-sa/4.0/deed.de", "CC-BY-SA-4.0"),  # deed language, not a port
    ("https://creativecommons.org/licenses/by-nc-sa/3.0/de/legalcode", "CC-BY-NC-SA-3.0-DE"),
    ("//creativecommons.org/licenses/by/3.0", "CC-BY-3.0"),
    ("https://creativecommons.org/licenses/by/3.0/igo/", "CC-BY-3.0-IGO"),
    ("https://creativecommons.org/licenses/by-nd-nc/1.0/", "CC-BY-NC-ND-1.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("https://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"),
    ("https://i.creativecommons.org/l/by-nc-nd/2.0/de/88x31.png", "CC-BY-NC-ND-2.0-DE"),
    ("https://creativecommons.org/licenses/by-sa/", "CC-BY-SA"),
    ("https://creativecommons.org/licenses/", None),
    ("https://creativecommons.org/about/", None),
])
def test_parse_cc_url(url, expected):
    assert parse_cc_url(url) == expected


@pytest.mark.parametrize("text, expected", [
    ("CC BY-NC-SA 2.0 DE", "CC-BY-NC-SA-2.0-DE"),
    ("Creative Commons Attribution-NonCommercial 4.0 International License", "CC-BY-NC-4.0"),
    ("Creative Commons Namensnennung - Keine kommerzielle Nutzung - Keine Bearbeitung 3.0 Deutschland Lizenz",
     "CC-BY-NC-ND-3.0-DE"),
    ("Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 3.0 Unported Lizenz", "CC-BY-SA-3.0"),
    ("Creative Commons BY-NC-SA 3.0.-Lizenz", "CC-BY-NC-SA-3.0"),
    ("Creative Commons (BY-SA). Foto: CC BY 2.0", "CC-BY-SA"),
    ("CC0 1.0 Universal", "CC0-1.0"),
    ("CC BY 3.0 at the museum", "CC-BY-3.0"),  # "at" is a word here, not Austria
    ("Creative Commons licence by the author", None),  # lower-case "by" is a preposition
    ("Creative Commons", None),
])
def test_parse_cc_name(text, expected):
    assert parse_cc_name(text) == expected


# --- licence texts --------------------------------------------------------------------

@pytest.fixture(scope="module")
def matcher() -> LicenseTextMatcher:
    return LicenseTextMatcher()


CHOOSEALICENSE = sorted(p.name[len("choosealicense-"):-len(".txt.gz")]
                        for p in (DATA / "texts").glob("choosealicense-*.txt.gz"))
GNU_ONLY = {"GPL-2.0": "GPL-2.0-only", "GPL-3.0": "GPL-3.0-only", "LGPL-2.1": "LGPL-2.1-only",
            "LGPL-3.0": "LGPL-3.0-only", "AGPL-3.0": "AGPL-3.0-only", "GFDL-1.3": "GFDL-1.3-only"}


@pytest.mark.parametrize("name", CHOOSEALICENSE)
def test_other_wording_of_licence_file_is_identified(matcher, name):
    spdx, body = choosealicense(name)
    assert matcher.match(body) == GNU_ONLY.get(spdx, spdx)


@pytest.mark.parametrize("name", ["mit", "bsd-3-clause", "apache-2.0", "gpl-3.0", "cc-by-sa-4.0"])
def test_licence_survives_rewrap_markdown_and_new_copyright_line(matcher, name):
    spdx, body = choosealicense(name)
    paras = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    wrapped = "\n\n".join(textwrap.fill(p, 52) for p in paras)
    markdown = ("# License\n\nCopyright (c) 2019-2024 Example Org and **contributors**\n\n"
                + "\n\n".join(f"> {p}" if i % 3 == 0 else f"*{p}*" for i, p in enumerate(paras)))
    expected = GNU_ONLY.get(spdx, spdx)
    assert matcher.match(wrapped) == expected
    assert matcher.match(markdown) == expected


def test_real_license_files_with_copyright_lines(matcher):
    for name, expected in (("rails_mit_license.txt", "MIT"), ("react_mit_license.txt", "MIT"),
                           ("pytorch_license.txt", "BSD-3-Clause")):
        assert matcher.match((DATA / "texts" / name).read_text(encoding="utf-8")) == expected, name


def test_licence_embedded_in_a_longer_extracted_page(matcher):
    import trafilatura

    text = trafilatura.extract(page("tf-ec590859f3976ec1.html.gz"), output_format="markdown")
    assert text and len(text) > 2000 and matcher.match(text) is None
    _, mit = choosealicense("mit")
    _, gpl2 = choosealicense("gpl-2.0")
    assert matcher.match(text + "\n\n## License\n\n" + mit + "\n\nThanks for reading.") == "MIT"
    half = len(text) // 2
    assert matcher.match(text[:half] + "\n\n" + gpl2 + "\n\n" + text[half:]) == "GPL-2.0-only"


@pytest.mark.parametrize("a, b", [
    ("CC-BY-NC-3.0.txt", "CC-BY-NC-4.0.txt"),
    ("GPL-2.0.txt", "GPL-3.0.txt"),
    ("BSD-2-Clause.txt", "BSD-3-Clause.txt"),
    ("MIT.txt", "MIT-0.txt"),
    ("CC-BY-SA-4.0.txt", "CC-BY-NC-SA-4.0.txt"),
    ("GPL-3.0.txt", "AGPL-3.0.txt"),
    ("ISC.txt", "0BSD.txt"),
])
def test_near_duplicate_licences_are_told_apart(matcher, a, b):
    ids = {"GPL-2.0.txt": "GPL-2.0-only", "GPL-3.0.txt": "GPL-3.0-only", "AGPL-3.0.txt": "AGPL-3.0-only"}
    for f in (a, b):
        assert matcher.match(canonical(f)) == ids.get(f, f[:-4])


def test_bsd3_without_its_third_clause_is_bsd2(matcher):
    text = (DATA / "texts" / "pytorch_license.txt").read_text(encoding="utf-8")
    clause3 = re.search(r"\n\s*3\. Neither the name.*?permission\.\n", text, re.DOTALL)
    assert clause3 and matcher.match(text) == "BSD-3-Clause"
    assert matcher.match(text[: clause3.start()] + "\n" + text[clause3.end():]) == "BSD-2-Clause"


def test_partial_licence_or_licence_talk_is_not_a_licence_text(matcher):
    _, gpl3 = choosealicense("gpl-3.0")
    assert matcher.match(gpl3[: len(gpl3) // 2]) is None
    talk = ("The MIT license and the GPL differ: the GPL is copyleft. Software is provided without "
            "warranty under both; the license text must be kept with copyright notices.")
    assert matcher.match(talk) is None


def test_prefilter_admits_every_canonical_text_even_without_its_copyright_line():
    for path in DATA_DIR.glob("*.txt"):
        text = re.sub(r"(?im)^\s*(?:portions\s+)?(?:copyright|\(c\)|©).*$", "", path.read_text(encoding="utf-8"))
        assert may_contain_license(text), path.name


def test_detect_text_license_function():
    assert detect_text_license(canonical("Apache-2.0.txt")) == "Apache-2.0"
    assert detect_text_license("") is None


# --- tagger, config, families ---------------------------------------------------------

@pytest.fixture(scope="module")
def tagger() -> LicenseTagger:
    return LicenseTagger(LicenseConfig())


def test_tagger_sets_columns_from_html_and_labels_with_spdx(tagger):
    assert isinstance(tagger, Tagger)
    doc = empty_document(text="Some article text.")
    doc["_html"] = page("tf-3db5a46c25607094.html.gz")
    assert list(tagger.tag(doc)) == ["CC-BY-SA-3.0"]
    assert (doc["license"], doc["license_source"]) == ("CC-BY-SA-3.0", "anchor")


def test_tagger_falls_back_to_licence_text_and_labels_none_otherwise(tagger):
    doc = empty_document(text=(DATA / "texts" / "react_mit_license.txt").read_text(encoding="utf-8"))
    doc["_html"] = None
    assert list(tagger.tag(doc)) == ["MIT"]
    assert (doc["license"], doc["license_source"]) == ("MIT", "text")
    plain = empty_document(text="Nothing here.")
    plain["_html"] = page("tf-2c1f41b0c9f4dd38.html.gz")
    assert list(tagger.tag(plain)) == ["none"]
    assert plain["license"] is None and plain["license_source"] is None


def test_tagger_sources_config_restricts_evidence():
    html = page("tf-3db5a46c25607094.html.gz")  # footer anchor only
    doc = empty_document(text=canonical("ISC.txt"))
    doc["_html"] = html
    LicenseTagger(LicenseConfig(sources=["meta", "link", "text"])).tag(doc)
    assert (doc["license"], doc["license_source"]) == ("ISC", "text")
    doc2 = empty_document(text=canonical("ISC.txt"))
    doc2["_html"] = html
    LicenseTagger(LicenseConfig(sources=["anchor"])).tag(doc2)
    assert (doc2["license"], doc2["license_source"]) == ("CC-BY-SA-3.0", "anchor")


def test_disabled_tagger_leaves_document_alone():
    doc = empty_document(text=canonical("MIT.txt"))
    assert list(LicenseTagger(LicenseConfig(enabled=False)).tag(doc)) == []
    assert doc["license"] is None


def test_config_from_yaml_mapping_and_rejections():
    cfg = build_dataclass(LicenseConfig, {"sources": ["link", "text"], "text_threshold": 0.9}, "licenses")
    assert cfg.sources == ["link", "text"] and cfg.text_threshold == 0.9
    with pytest.raises(ConfigError):
        build_dataclass(LicenseConfig, {"sources": ["footer"]}, "licenses")
    with pytest.raises(ConfigError):
        build_dataclass(LicenseConfig, {"threshold": 0.9}, "licenses")


@pytest.mark.parametrize("spdx, family", [
    ("CC-BY-4.0", "cc-by"), ("CC-BY-SA-3.0-DE", "cc-by-sa"), ("CC-BY-NC-3.0", "cc-by-nc"),
    ("CC-BY-ND-3.0-DE", "cc-by-nd"), ("CC-BY-NC-SA-2.0-DE", "cc-by-nc-sa"), ("CC-BY-NC-ND-4.0", "cc-by-nc-nd"),
    ("CC-BY-SA", "cc-by-sa"), ("CC-BY-NC-SA", "cc-by-nc-sa"), ("CC0-1.0", "cc0"), ("CC-PDM-1.0", "public-domain"),
    ("MIT", "permissive"), ("Apache-2.0", "permissive"), ("BSD-3-Clause", "permissive"),
    ("LGPL-2.1-only", "weak-copyleft"), ("MPL-2.0", "weak-copyleft"), ("EPL-2.0", "weak-copyleft"),
    ("GPL-3.0-only", "copyleft"), ("GPL-2.0-or-later", "copyleft"), ("AGPL-3.0-only", "copyleft"),
    ("Vim", "other"), ("LicenseRef-foo", "other"), (None, "none"),
])
def test_license_family(spdx, family):
    assert license_family(spdx) == family


def test_every_detectable_id_has_a_family_in_the_fixed_set(matcher):
    for c in matcher.canonicals:
        assert license_family(c.spdx) in FAMILIES
    for entry in LABELS:
        if entry["expected"]:
            assert license_family(entry["expected"]).startswith("cc-")
