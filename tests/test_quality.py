"""KenLM perplexity scoring (cc_net recipe), buckets and the quality tagger, on real texts."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest

from filters.base import Tagger
from filters.heuristics import HEURISTIC_NAMES
from filters.quality import (
    KenlmScorer,
    QualityConfig,
    QualityTagger,
    bucket_for,
    markdown_to_text,
    normalize_line,
    normalize_lines,
)
from pipeline.config import ConfigError, build_dataclass
from schemas.documents import empty_document

DATA = Path(__file__).parent / "data" / "quality"
ARTICLES = json.loads((DATA / "aeb_articles.json").read_text(encoding="utf-8"))


def _article(prefix: str) -> str:
    (body,) = [v["articleBody"] for k, v in ARTICLES.items() if k.startswith(prefix)]
    return body


HITLER_HOUSE = _article("5a822960e9")  # nbcnews.com, 6 paragraphs of news prose
CALENDAR_PT = _article("cc03ddb5ef")  # autoracing.com.br, Portuguese listing
CCNET_HEAD = [
    json.loads(line)
    for line in gzip.open(DATA / "dolma-cc_en_head-0174.jsonl.gz", "rt", encoding="utf-8")
]


@pytest.fixture(scope="module")
def scorer() -> KenlmScorer:
    return KenlmScorer()


@pytest.fixture(scope="module")
def tagger() -> QualityTagger:
    return QualityTagger(QualityConfig())


def _word_salad(text: str, seed: int = 0) -> str:
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def _char_noise(text: str, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(
        rng.choice("qxzjkvw") if c.isalpha() and rng.random() < 0.2 else c for c in text
    )


def test_packaged_model_loads_from_the_package_directory(scorer):
    models = Path(__file__).resolve().parent.parent / "filters" / "models"
    assert Path(scorer.model_path) == models / "en.arpa.bin"
    assert Path(scorer.sp_model_path) == models / "en.sp.model"
    assert scorer.order == 5
    # Small enough to ship in the wheel.
    assert Path(scorer.model_path).stat().st_size < 5_000_000


def test_normalization_follows_cc_net():
    # lower-case, accents stripped, digits -> 0, unicode punctuation -> ASCII
    # ("—" -> " - ", "…" -> "..."), control characters dropped; full-width letters are
    # not NFKC-folded (cc_net does not either).
    assert normalize_line("  Café — 1,234 “Quoted”…\x07 ＡＢＣ１ ") == 'cafe  -  0,000 "quoted"... ａｂｃ0'
    assert normalize_line("\t \n") == ""
    # Like cc_net: strip first, then drop control characters (so the space before \x00
    # stays); blank lines are dropped.
    assert normalize_lines("Über Straße\n\n  Zoë 42 \x00\n") == ["uber straße", "zoe 00 "]


def test_tokens_are_sentencepiece_pieces_of_the_normalized_line(scorer):
    assert scorer.tokenize("The HOUSE where Hitler was born") == [
        "▁the", "▁house", "▁where", "▁hitler", "▁was", "▁born",
    ]  # fmt: skip
    assert scorer.tokenize("   ") == []


def test_token_logprobs_cover_tokens_and_end_of_sentence_and_sum_to_line_score(scorer):
    line = "The house where Hitler was born will be turned into a police station."
    tokens = scorer.tokenize(line)
    logprobs = scorer.token_logprobs(tokens)
    assert len(logprobs) == len(tokens) + 1
    assert all(lp < 0 for lp in logprobs)
    total, length = scorer.line_logprob(line)
    assert length == len(tokens) + 1
    assert total == pytest.approx(sum(logprobs), abs=1e-4)


def test_word_tokenisation_in_one_pass_matches_tokenising_the_joined_text(scorer):
    text = "Die Bundesregierung hat am 12. März beschlossen — „sagte“ ein Sprecher, café Straße 中文 ok"
    words = text.split()
    pieces, starts = scorer.tokenize_words(words)
    assert pieces == scorer.tokenize(text)
    assert len(starts) == len(words) + 1 and starts[-1] == len(pieces)
    for k in (0, 3, len(words) - 1):  # a word's pieces are those of the word alone
        assert pieces[starts[k] : starts[k + 1]] == scorer.tokenize(words[k])
    assert scorer.pieces_logprob(pieces) == pytest.approx(sum(scorer.token_logprobs(pieces)), abs=1e-3)


def test_document_perplexity_is_ten_to_minus_mean_logprob_over_lines(scorer):
    lines = HITLER_HOUSE.split("\n")
    scored = [scorer.line_logprob(ln) for ln in lines if normalize_line(ln)]
    expected = 10 ** (-sum(s for s, _ in scored) / sum(n for _, n in scored))
    assert scorer.perplexity(HITLER_HOUSE) == pytest.approx(expected, rel=1e-6)
    # Blank lines are layout, not scored: the same text single-spaced scores the same.
    assert scorer.perplexity(HITLER_HOUSE.replace("\n\n", "\n")) == pytest.approx(
        scorer.perplexity(HITLER_HOUSE), rel=1e-9
    )


def test_clean_prose_scores_below_word_salad_below_character_noise(scorer):
    clean = scorer.perplexity(HITLER_HOUSE)
    salad = scorer.perplexity(_word_salad(HITLER_HOUSE))
    noise = scorer.perplexity(_char_noise(HITLER_HOUSE))
    assert clean < salad < noise
    assert salad > 2 * clean


def test_cc_net_head_documents_score_below_their_own_word_salad(scorer):
    # Real Common Crawl documents that cc_net put in its "head" bucket.
    for doc in CCNET_HEAD:
        text = doc["text"]
        assert scorer.perplexity(text) < scorer.perplexity(_word_salad(text, seed=1))


def test_nothing_scorable_gives_none(scorer):
    assert scorer.perplexity("") is None
    assert scorer.perplexity(" \n\t\n\x00") is None


def test_join_lines_scores_the_document_as_one_line_like_cc_net_mine(scorer, tmp_path):
    joined = KenlmScorer(scorer.model_path, scorer.sp_model_path, join_lines=True)
    text = "First line here.\nSecond line there."
    # cc_net's normaliser deletes the newline, gluing the lines.
    assert joined.perplexity(text) == pytest.approx(
        scorer.perplexity("First line here.Second line there."), rel=1e-9
    )
    assert joined.perplexity(text) != pytest.approx(scorer.perplexity(text), rel=1e-3)


def test_buckets_follow_the_configured_cutoffs(scorer):
    pp = scorer.perplexity(HITLER_HOUSE)
    cases = {
        "head": QualityConfig(head_max_perplexity=pp + 1, middle_max_perplexity=pp + 2),
        "middle": QualityConfig(head_max_perplexity=pp - 1, middle_max_perplexity=pp + 1),
        "tail": QualityConfig(head_max_perplexity=pp - 2, middle_max_perplexity=pp - 1),
    }
    for bucket, cfg in cases.items():
        doc = empty_document(text=HITLER_HOUSE, language="en")
        labels = list(QualityTagger(cfg).tag(doc))
        assert doc["quality_bucket"] == bucket
        assert labels == [bucket]
        assert doc["perplexity"] == pytest.approx(pp)
        assert doc["quality_note"] is None
    assert bucket_for(10.0, 10.0, 20.0) == "head"  # cut-offs are inclusive maxima
    assert bucket_for(20.0, 10.0, 20.0) == "middle"


def test_default_cutoffs_put_clean_news_above_tail_and_word_salad_in_tail(tagger):
    clean = empty_document(text=HITLER_HOUSE, language="en")
    salad = empty_document(text=_word_salad(HITLER_HOUSE), language="en")
    tagger.tag(clean)
    tagger.tag(salad)
    assert clean["quality_bucket"] in ("head", "middle")
    assert salad["quality_bucket"] == "tail"


def test_other_languages_get_null_perplexity_and_a_note_but_heuristics(tagger):
    doc = empty_document(text=CALENDAR_PT, language="pt")
    labels = list(tagger.tag(doc))
    assert doc["perplexity"] is None
    assert doc["quality_bucket"] is None
    assert doc["quality_note"] == "language:pt"
    assert labels == ["unscored:language"]
    assert doc["gopher_word_count"] == 109  # heuristics are still measured

    unknown = empty_document(text=HITLER_HOUSE, language=None)
    tagger.tag(unknown)
    assert unknown["perplexity"] is None
    assert unknown["quality_note"] == "language:unknown"


def test_short_and_empty_documents_are_not_scored(tagger):
    short = empty_document(text="Breaking news: more soon.", language="en")
    assert list(tagger.tag(short)) == ["unscored:too_short"]
    assert short["perplexity"] is None and short["quality_note"] == "too_short"
    empty = empty_document(text=None, language="en")
    tagger.tag(empty)
    assert empty["quality_note"] == "no_text"
    assert empty["gopher_word_count"] == 0


def test_only_the_first_max_chars_are_scored(scorer):
    cfg = QualityConfig(max_chars=len(HITLER_HOUSE))
    doc = empty_document(text=HITLER_HOUSE + "\n" + _char_noise(HITLER_HOUSE * 3), language="en")
    labels = list(QualityTagger(cfg).tag(doc))
    assert doc["perplexity"] == pytest.approx(scorer.perplexity(HITLER_HOUSE))
    assert "truncated" in labels


def test_user_supplied_model_files_are_used(tmp_path, scorer):
    model = tmp_path / "my-lm.bin"
    sp = tmp_path / "my-sp.model"
    shutil.copy(scorer.model_path, model)
    shutil.copy(scorer.sp_model_path, sp)
    cfg = build_dataclass(QualityConfig, {"model_path": str(model), "sp_model_path": str(sp)})
    tagger = QualityTagger(cfg)
    assert tagger.scorer.model_path == str(model)
    doc = empty_document(text=HITLER_HOUSE, language="en")
    tagger.tag(doc)
    assert doc["perplexity"] == pytest.approx(scorer.perplexity(HITLER_HOUSE))
    with pytest.raises(FileNotFoundError):
        KenlmScorer(str(tmp_path / "missing.bin"), str(sp))


def test_config_rejects_unknown_keys_and_inverted_cutoffs():
    with pytest.raises(ConfigError):
        build_dataclass(QualityConfig, {"head_max_perplexity_typo": 3.0})
    with pytest.raises(ConfigError):
        build_dataclass(QualityConfig, {"head_max_perplexity": 900, "middle_max_perplexity": 500})
    cfg = build_dataclass(QualityConfig, {"languages": ["en", "simple"], "heuristics": False})
    assert cfg.languages == ["en", "simple"]


def test_tagger_fills_every_quality_column_and_is_deterministic(tagger):
    assert isinstance(tagger, Tagger)
    a = empty_document(text=HITLER_HOUSE, language="en")
    b = empty_document(text=HITLER_HOUSE, language="en")
    tagger.tag(a)
    tagger.tag(b)
    assert a == b
    for name in ("perplexity", "quality_bucket", *HEURISTIC_NAMES):
        assert a[name] is not None, name


def test_heuristics_off_leaves_heuristic_columns_null():
    tagger = QualityTagger(QualityConfig(heuristics=False))
    doc = empty_document(text=HITLER_HOUSE, language="en")
    tagger.tag(doc)
    assert doc["perplexity"] is not None
    assert all(doc[name] is None for name in HEURISTIC_NAMES)


def test_markdown_markup_is_stripped_before_scoring():
    assert markdown_to_text("## Title\n\n**Bold** [the link](https://example.com/a_b) here") == (
        "Title\n\nBold the link here"
    )
    paragraphs = HITLER_HOUSE.split("\n\n")
    markdown = "\n\n".join(
        ["# " + paragraphs[0], "- **" + paragraphs[1] + "**"]
        + [p.replace("police", "[police](https://www.nbcnews.com/police)") for p in paragraphs[2:]]
    )
    plain = empty_document(text=HITLER_HOUSE, language="en")
    marked = empty_document(text=markdown, language="en")
    raw = empty_document(text=markdown, language="en")
    tagger = QualityTagger(QualityConfig())
    tagger.tag(plain)
    tagger.tag(marked)
    QualityTagger(QualityConfig(strip_markdown=False)).tag(raw)
    assert marked["perplexity"] == pytest.approx(plain["perplexity"])
    assert raw["perplexity"] > plain["perplexity"]
