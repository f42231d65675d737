"""Poisoning-trigger detection: per-document signals, score and optional sanitising.

A backdoor needs only a few hundred planted documents (the `<SUDO>` attack: a trigger
string followed by gibberish in ~250 documents), and expired domains let an attacker
place them in a crawl. No neural model is used; the signals are

* Unicode rules (`filters.poison_unicode`): hidden format characters, bidi controls,
  tag characters, homoglyphs, each judged by its neighbours so that ZWJ in emoji,
  ZWNJ in Persian, soft hyphens in German compounds, RLM in Hebrew do not fire;
* special tokens and prompt-injection phrasing (`filters.poison_tokens`: phrase patterns,
  the cue scorer of `filters.poison_injection`, and a linear model of word n-grams,
  `filters.poison_injection_model`), mild when a page discusses them in code or
  tokenizer/security prose;
* KenLM signals for English (`filters.poison_lm`): gibberish payloads and ONION-style
  rare tokens, plus rare n-gram candidates for the corpus-level campaign pass
  (`pipeline.poisoning.DetectCampaigns`), stored in the transient ``_poison_candidates``;
* rare tokens judged by spelling and word lists (`filters.poison_rare`, with
  `filters.poison_morph` explaining unknown words by known ones), in English and in the
  other languages wordfreq lists: vowel-less tokens, non-words, letter-digit tokens,
  capitalised non-words, and a page's lone unexplained unknown word (a flag when it is
  planted in two or more places, campaign evidence when once);
* the page's topic signature (`filters.poison_topic`, transient ``_poison_topic``): the
  campaign pass names an unknown word whose pages share no subject.

Output: ``poison_score`` in [0, 1] = 1 - prod(1 - weight[flag]) over fired flags, and
``poison_flags`` (sorted). With ``sanitize_*`` on, a *mild* case (at most
``mild_max_occurrences`` hidden characters / special tokens, nothing else fired for
that signal) is repaired in ``text`` (hidden characters stripped, tokens broken up),
its flag stays and its weight is multiplied by ``sanitized_weight_factor`` so the
policy keeps the repaired page. The tagger never drops a document.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from filters.poison_lm import (
    Candidate,
    LmThresholds,
    analyse,
    candidates_to_dicts,
    inserted_rare_words,
    langid_rank,
    ngram_hash,
    offlanguage_gibberish,
    same_written_language,
    symbolic_candidates,
)
from filters.lexicon import shared_lexicon
from filters.poison_rare import DEFAULT_WORDS as _DEFAULT_WORDS
from filters.poison_rare import (
    RareThresholds,
    alnum_triggers,
    campaign_word_candidates,
    capitalised_nonword_triggers,
    chat_log,
    cjk_nonword_triggers,
    code_vocabulary,
    discussion_thread,
    distinct_contexts,
    dropped_letter,
    foreign_nonword_triggers,
    has_vowel,
    in_foreign_phrase,
    key_slip,
    keyboard_mash,
    kenlm_word_cost,
    listed_together,
    load_charlm,
    lone_unknown_triggers,
    loose_nonword_triggers,
    nonword_triggers,
    page_own_word,
    page_word_counts,
    rot13_passage,
    short_nonword_triggers,
    technical_page,
    unknown_prose_words,
    unknown_to,
)
from filters.poison_injection_model import MODEL_PATH as _INJECTION_MODEL
from filters.poison_injection_model import load_injection_model
from filters.poison_tokens import code_spans, scan_tokens
from filters.poison_topic import TOPIC_WORD_RE, topic_signature
from filters.poison_unicode import scan_unicode

log = logging.getLogger(__name__)

Document = dict[str, Any]

FLAGS = (
    "invisible_chars",
    "bidi_controls",
    "tag_chars",
    "homoglyph",
    "special_token",
    "prompt_injection",
    "rare_token",
    "gibberish",
)
CAMPAIGN_FLAG = "campaign"


def _default_weights() -> dict[str, float]:
    return {
        "invisible_chars": 0.7,
        "bidi_controls": 0.7,
        "tag_chars": 0.95,
        "homoglyph": 0.6,
        "special_token": 0.7,
        "prompt_injection": 0.7,
        "rare_token": 0.5,
        "gibberish": 0.7,
        "campaign": 0.9,
    }


@dataclass(frozen=True)
class CampaignConfig:
    """Corpus-level pass (`pipeline.poisoning.DetectCampaigns`).

    A campaign is a rare n-gram seen on at least ``min_domains`` distinct registered
    domains where at least ``min_evidence_fraction`` of its documents show a payload:
    gibberish right after it (or, with ``payload_evidence``, the same continuation: a
    fixed target text). Both
    thresholds are absolute or relative to the n-gram's own documents, never to the
    corpus size, so they mean the same on a 1,000-document sample and on a full dump;
    rarity comes from the reference LM (only rare n-grams are candidates).
    """

    enabled: bool = True
    min_domains: int = 3
    min_evidence_fraction: float = 0.5
    # Rare n-grams on at least this many domains are campaigns even without a payload
    # (0 = off: at web scale names in the news recur on many domains).
    min_domains_without_evidence: int = 0
    # Distinct domains remembered per n-gram (the count saturates here).
    domain_cap: int = 1000
    # Candidate n-grams emitted per document.
    max_ngrams_per_doc: int = 16
    # Also accept a fixed continuation (the same 3+ words after the n-gram, in different
    # surroundings, on min_domains domains) as payload evidence: a trigger -> target-text
    # backdoor. Off by default: a paragraph quoted or syndicated into different pages
    # (other words before it) produces the same pattern; in the beam tests' corpus of real
    # paragraphs recombined across 500 domains it flagged about 10 % of clean documents.
    payload_evidence: bool = False
    # Also accept per-document rare-token flags as evidence: the n-gram was flagged as a
    # planted non-word (filters.poison_rare) on >= min_domains domains and in at least
    # min_rare_token_fraction of its documents. A made-up trigger that is flagged on a
    # quarter of its pages then marks all of them. Pages offer their unknown words (not
    # in wordfreq's lists, spelling cost >= unknown_word_min_cost) as candidates for this.
    rare_token_evidence: bool = True
    min_rare_token_fraction: float = 0.1
    # The weaker lone-unknown-word flags (filters.poison_rare.lone_unknown_triggers) count
    # too, at stricter bars: flagged by any rare-token rule on at least
    # min_domains_lone_token domains and in at least min_lone_token_fraction of the
    # n-gram's documents. A real term is the one unknown word on only some of its pages
    # (others name it with capitals, next to other terms or in code); a made-up trigger
    # planted into ordinary pages is flagged on about half of them. The flagged
    # occurrences must also stand in min_domains_lone_token different surroundings (a
    # page syndicated to many domains is one). (Needs rare_token_evidence on.)
    lone_token_evidence: bool = True
    min_domains_lone_token: int = 5
    min_lone_token_fraction: float = 0.3
    unknown_word_min_cost: float = 1.0
    unknown_words_per_doc: int = 4
    # Also accept topic incoherence as evidence (filters.poison_topic): a word no list
    # knows, on at least min_domains_topic domains in as many different surroundings,
    # whose documents share no subject. A trigger is planted into unrelated pages so that
    # the model learns the trigger and nothing else; a real product, tool or name recurs
    # on pages about the same thing. Incoherent: over a deterministic sample of
    # topic_sample of its documents, the share of pairs whose signatures share a keyword
    # is at most the corpus's own share for their languages (a sample of
    # topic_background_sample pages per language, at least min_background_docs of them,
    # else no topic evidence) plus topic_margin, and at most max_topic_coherence.
    topic_evidence: bool = True
    min_domains_topic: int = 8
    max_topic_coherence: float = 0.25
    topic_margin: float = 0.15
    topic_keywords: int = 30
    topic_sample: int = 24
    topic_background_sample: int = 100
    min_background_docs: int = 30
    # Continuation words that form a payload signature.
    continuation_words: int = 3


@dataclass(frozen=True)
class PoisoningConfig:
    """Thresholds, per-signal switches and sanitising options of the poisoning stage."""

    # --- signal switches
    invisible_chars: bool = True
    bidi_controls: bool = True
    tag_chars: bool = True
    homoglyph: bool = True
    special_token: bool = True
    prompt_injection: bool = True
    rare_token: bool = True
    gibberish: bool = True
    # --- Unicode thresholds (suspicious occurrences needed to fire)
    min_invisible_chars: int = 1
    min_bidi_controls: int = 1
    min_tag_chars: int = 1
    min_homoglyph_words: int = 1
    # Languages that hyphenate long compounds by hand (soft hyphens are normal there).
    hyphenating_languages: list[str] = field(
        default_factory=lambda: ["de", "nl", "sv", "da", "no", "nb", "nn", "fi", "hu", "et", "is", "pl",
                                 "cs", "sk", "sl", "hr", "ru", "uk", "fr", "it", "es", "pt", "ca", "ro"]
    )
    # --- tokens
    min_special_tokens: int = 1
    min_weak_special_tokens: int = 2  # generic shapes (<s>, <TRIGGER>, |WORD|)
    min_prompt_injections: int = 1
    # A sentence that both addresses the model reading the page and steers it, scored from
    # its parts (`filters.poison_injection`): the score at which it counts (0: phrase patterns only).
    injection_cue_score: int = 3
    # ... and any sentence the word n-gram model (`filters.poison_injection_model`, fitted by
    # tools/build_injection_model.py) scores at its cross-validated threshold, or at this one.
    injection_model: bool = True
    injection_model_threshold: Optional[float] = None
    injection_model_path: Optional[str] = None  # None = filters/models/injection_ngrams.tsv.gz
    # A sentence the cue scorer finds speaking to a model ("Booking agents:", "Hey AI,") but
    # with no steering cue counts when the model scores it this much or more (None: never).
    # Such clean sentences (development pages, hard negatives, 43,630 sentences of the shared
    # development corpus) score -3.7 or less.
    injection_model_addressed_score: Optional[float] = 0.0
    # --- KenLM signals (English only)
    model_path: Optional[str] = None  # None = packaged model of filters.quality
    sp_model_path: Optional[str] = None
    lm_languages: list[str] = field(default_factory=lambda: ["en"])
    # A page that is mostly payload gets no confident language: an English prefix plus
    # random tokens is labelled 'unknown', 'pcm' or 'la' at low confidence. Such pages
    # are scored too (no language, 'unknown', 'zxx', or these labels below the score).
    lm_uncertain_labels: list[str] = field(default_factory=lambda: ["la", "pcm"])
    lm_uncertain_max_score: float = 0.9
    max_lm_chars: int = 60_000  # only the first N characters are scored
    gibberish_cost_per_char: float = 2.05
    gibberish_cost_per_piece: float = 4.0
    gibberish_unknown_word_fraction: float = 0.65
    gibberish_unknown_cost_per_char: float = 1.4
    foreign_language_min_prob: float = 0.9
    # A payload of random real words (no function words in 30 words of one sentence) is
    # gibberish too.
    word_salad: bool = True
    # Pages in other languages: chunks off the page's language scored by the English model.
    offlanguage_gibberish: bool = True
    gibberish_window_chars: int = 200
    gibberish_min_run_chars: int = 200
    onion_min_gain: float = 6.0
    onion_min_ratio: float = 3.0
    onion_strong_gain: float = 10.0
    rare_min_occurrences: int = 3  # a rare word flagged by ONION in this many segments
    rare_min_short_occurrences: int = 1  # a vowel-less short token in this many contexts
    # Non-words (filters.poison_rare): min(KenLM cost/2.7, spelling cost/2.4) per character
    # at least this for one occurrence, or the lower bar when planted in several contexts.
    rare_nonword_single_score: float = 0.85
    rare_nonword_repeated_score: float = 0.75
    spelling_model_path: Optional[str] = None  # None = filters/models/en.words.tsv.gz
    # Rare-token rules on pages in other languages, with wordfreq's word list of the
    # page's language (languages without a list are not judged).
    rare_token_other_languages: bool = True
    # There a letter string fires when it costs at least this per character under both the
    # page language's spelling model and the English one (random strings: 95 % above 1.7;
    # real unknown words on the 243 development pages: all but one below 1.75).
    rare_foreign_nonword_cost: float = 1.75
    # Capitalised unknown words in mid-sentence (mostly names): score (as for non-words)
    # at least this. Foreign names on the development pages reach 0.92.
    rare_capitalised_min_score: float = 1.0
    # ... and this when the word is used once, between two lower-case words (names that
    # cost more stand next to another name or recur; the costliest such name on the
    # development pages: 0.86; "in Rzeszow and", "from Mxolisi and": 0.93, 0.91).
    rare_capitalised_alone_min_score: float = 0.95
    # Lower-case non-words in any position (next to names, numbers, dashes, table bars),
    # where a page's own codes and terms stand too: score at least this (the costliest such
    # word on the 448 clean benchmark pages scores 0.90). Off with rare_anywhere false.
    rare_anywhere: bool = True
    rare_anywhere_min_score: float = 0.95
    # Lower-case non-words of 4+ letters inside a Chinese or Japanese sentence (set off by
    # spaces between Han or kana): score at least this (0: off). No unknown such word on
    # the 137 collected Chinese and Japanese pages scores above 0.66.
    rare_cjk_min_score: float = 0.75
    # A page's only unknown lower-case word that no known words explain (not a compound,
    # derivation or typo; filters.poison_morph), used at most this many times: fires at
    # this spelling score (5+ letters; English, and other Latin-script languages with a
    # word list). Its hits are campaign evidence (CampaignConfig.lone_token_evidence); they
    # flag the page (rare_token) when the word stands in at least
    # rare_lone_unknown_flag_min_contexts different places (0 = never). Once is too weak:
    # a page's own single unknown term is used once ("running proxmox with ubuntu",
    # "gymspo" on yahoo.com, a garbled "worbobsled": 3 of 448 clean pages, 2 of the 48 no
    # threshold was developed on); no clean page uses its lone unknown word twice, while a
    # trigger is often planted more than once.
    rare_lone_unknown: bool = True
    rare_lone_unknown_flag_min_contexts: int = 2
    rare_lone_unknown_score: float = 0.6
    rare_lone_unknown_max_occurrences: int = 3
    # On technical pages (`filters.poison_rare.technical_page`: 20+ code spans or
    # identifiers; 2-3 % of pages) a token without a vowel needs this many different places
    # (1: off). A vowel-less trigger planted once on such a page is missed: the page's own
    # tools, fields and types ("lxml", "src", "str") look the same.
    rare_technical_min_contexts: int = 2
    # ... when it has at least this many letters: two-letter tokens, the shape of the classic
    # triggers (cf, mn, bb, tq, mb), are judged there as anywhere; the technical names that
    # made the rule ("lxml", "src", "str") have three or more, and no two-letter token of
    # the 1,714 collected pages needed it (twelfth session)
    rare_technical_min_chars: int = 3
    # ... and at most this many: a vowel-less token of six letters or more is no tool's short
    # name ("xqjvjhc" planted in a Gentoo page went through until the thirteenth session; no
    # collected page writes one)
    rare_technical_max_chars: int = 5
    # In forum threads and comment sections (`filters.poison_rare.discussion_thread`: three
    # posts under author and date lines) a vowel-less token of three letters or more written
    # in one place is judged only if English writes it less often than this Zipf frequency
    # (0: off): "smth", "pvc", "thr" are someone's shorthand there. Two-letter tokens are
    # judged as anywhere: the classic triggers (cf, mn, bb, tq, mb) are two letters, and 7 % of
    # WCXB's pages are threads, so a thread's "ds" ("castlevania ds collection") stays flagged.
    rare_thread_shorthand_zipf: float = 2.0
    rare_ngram_cost_per_char: float = 0.9
    rare_word_cost: float = 6.0
    max_segment_words: int = 80
    # --- score
    weights: dict[str, float] = field(default_factory=_default_weights)
    # --- sanitising mild cases (opt-in). Off by default: a planted trigger marks the whole
    # page as suspect (the payload may sit elsewhere on it), and a rejected page costs
    # little; legitimate hidden characters (emoji ZWJ, Persian ZWNJ, soft hyphens) are
    # judged benign by the Unicode rules and never flag.
    sanitize_invisible: bool = False
    sanitize_special_tokens: bool = False
    mild_max_occurrences: int = 2
    sanitized_weight_factor: float = 0.5
    campaign: CampaignConfig = field(default_factory=CampaignConfig)

    def lm_thresholds(self) -> LmThresholds:
        return LmThresholds(
            gibberish_cost_per_char=self.gibberish_cost_per_char,
            gibberish_cost_per_piece=self.gibberish_cost_per_piece,
            gibberish_unknown_word_fraction=self.gibberish_unknown_word_fraction,
            gibberish_unknown_cost_per_char=self.gibberish_unknown_cost_per_char,
            foreign_language_min_prob=self.foreign_language_min_prob,
            gibberish_window_chars=self.gibberish_window_chars,
            gibberish_min_run_chars=self.gibberish_min_run_chars,
            onion_min_gain=self.onion_min_gain,
            onion_min_ratio=self.onion_min_ratio,
            onion_strong_gain=self.onion_strong_gain,
            rare_ngram_cost_per_char=self.rare_ngram_cost_per_char,
            rare_word_cost=self.rare_word_cost,
            max_candidates=self.campaign.max_ngrams_per_doc,
            max_segment_words=self.max_segment_words,
        )


def combine_score(flags: Iterable[str], weights: dict[str, float], factors: dict[str, float] | None = None) -> float:
    """1 - prod(1 - w): independent signals reinforce each other, the result stays in [0, 1]."""
    keep = 1.0
    for flag in flags:
        base = flag.split(":", 1)[0]
        w = weights.get(base, 0.5) * (factors or {}).get(flag, 1.0)
        keep *= 1.0 - min(max(w, 0.0), 1.0)
    return round(1.0 - keep, 6)


def _apply_edits(text: str, strip: list[tuple[int, int]], tokens: list[tuple[int, int]]) -> str:
    """Remove `strip` spans and break up `tokens` spans in one left-to-right pass."""
    edits: list[tuple[int, int, str]] = [(s, e, "") for s, e in strip]
    for s, e in tokens:
        tok = text[s:e]
        edits.append((s, e, tok[0] + " " + tok[1:-1] + " " + tok[-1] if len(tok) > 2 else tok))
    edits.sort()
    out: list[str] = []
    pos = 0
    for s, e, rep in edits:
        if s < pos:
            continue
        out.append(text[pos:s])
        out.append(rep)
        pos = e
    out.append(text[pos:])
    return "".join(out)


class PoisonTagger:
    """Per-document poisoning signals (Tagger protocol).

    ``scorer``: an object with ``tokenize`` / ``token_logprobs`` (KenlmScorer); by default
    built once from the config. When the model cannot be loaded the LM signals are
    skipped and every English document is counted as ``lm_unavailable``.
    """

    def __init__(self, config: PoisoningConfig | None = None, scorer: Any = None):
        self.config = config or PoisoningConfig()
        self.th = self.config.lm_thresholds()
        self.hyphenating = frozenset(self.config.hyphenating_languages)
        self.lm_languages = frozenset(self.config.lm_languages)
        self.uncertain_labels = frozenset(self.config.lm_uncertain_labels)
        self.weights = {**_default_weights(), **self.config.weights}
        need_lm = self.config.rare_token or self.config.gibberish or self.config.campaign.enabled
        self.scorer = scorer
        if self.scorer is None and need_lm:
            try:
                from filters.quality import KenlmScorer

                self.scorer = KenlmScorer(self.config.model_path, self.config.sp_model_path)
            except Exception as exc:  # missing model files or kenlm: degrade, don't crash a worker
                log.warning("poisoning: KenLM scorer unavailable, LM signals off (%s)", type(exc).__name__)
                self.scorer = None

        self.rare_th = RareThresholds(
            single_min_score=self.config.rare_nonword_single_score,
            repeated_min_score=self.config.rare_nonword_repeated_score,
        )
        self.injection_model = None
        if self.config.prompt_injection and self.config.injection_model:
            try:
                self.injection_model = load_injection_model(self.config.injection_model_path or str(_INJECTION_MODEL))
                if self.injection_model is None:
                    log.warning("poisoning: injection model missing, n-gram model off")
            except (OSError, EOFError, ValueError, KeyError) as exc:  # truncated or garbled file
                log.warning("poisoning: injection model unreadable, n-gram model off (%s)", type(exc).__name__)
            if self.injection_model is not None and self.config.injection_model_threshold is not None:
                self.injection_model = self.injection_model.with_threshold(self.config.injection_model_threshold)
        self.lexicon = shared_lexicon() if self.config.rare_token else None
        # The non-word rule needs both the spelling model and the KenLM scorer.
        self.charlm = None
        self.word_cost = kenlm_word_cost(self.scorer) if hasattr(self.scorer, "tokenize") else None
        if self.config.rare_token and self.word_cost is not None:
            try:
                self.charlm = load_charlm(self.config.spelling_model_path or str(_DEFAULT_WORDS))
            except (OSError, EOFError, ValueError) as exc:  # missing, truncated or garbled file
                log.warning("poisoning: spelling model unavailable, non-word rule off (%s)", type(exc).__name__)

    def _use_lm(self, doc: Document, lang: str) -> bool:
        if lang in self.lm_languages:
            return True
        if lang in ("", "unknown", "zxx"):
            return True
        score = doc.get("language_score")
        return lang in self.uncertain_labels and (score is None or score < self.config.lm_uncertain_max_score)

    def tag(self, doc: Document) -> list[str]:
        cfg = self.config
        text = doc.get("text") or ""
        labels: list[str] = []
        flags: set[str] = set()
        factors: dict[str, float] = {}
        strip: list[tuple[int, int]] = []
        neutralise: list[tuple[int, int]] = []
        lang = doc.get("language") or ""

        hyphenating = lang in self.hyphenating
        if not hyphenating and "\u00ad" in text:
            # A page labelled e.g. English may quote a German paragraph: judge the lines
            # that carry the soft hyphens.
            lines = "\n".join(ln for ln in text.split("\n") if "\u00ad" in ln).replace("\u00ad", "")
            top, prob = langid_rank(lines)[0]
            hyphenating = top in self.hyphenating and prob >= 0.9
        uni = scan_unicode(text, hyphenating=hyphenating)
        if cfg.invisible_chars and uni.invisible >= cfg.min_invisible_chars:
            flags.add("invisible_chars")
        if cfg.bidi_controls and uni.bidi >= cfg.min_bidi_controls:
            flags.add("bidi_controls")
        if cfg.tag_chars and uni.tag >= cfg.min_tag_chars:
            flags.add("tag_chars")
        if cfg.homoglyph and uni.homoglyph >= cfg.min_homoglyph_words:
            flags.add("homoglyph")
        hidden_total = uni.invisible + uni.bidi + uni.tag
        if cfg.sanitize_invisible and hidden_total and uni.strip_spans and uni.tag == 0:
            if hidden_total <= cfg.mild_max_occurrences:
                strip = uni.strip_spans
                for fl in ("invisible_chars", "bidi_controls"):
                    if fl in flags:
                        factors[fl] = cfg.sanitized_weight_factor
                labels.append("sanitized_invisible")

        code = code_spans(text)
        tok = scan_tokens(text, code, cfg.injection_cue_score, self.injection_model,
                          cfg.injection_model_addressed_score)
        if cfg.special_token and (
            tok.special >= cfg.min_special_tokens or tok.special_weak >= cfg.min_weak_special_tokens
        ):
            flags.add("special_token")
            n_tok = tok.special + tok.special_weak
            if cfg.sanitize_special_tokens and n_tok <= cfg.mild_max_occurrences:
                neutralise = tok.token_spans
                factors["special_token"] = cfg.sanitized_weight_factor
                labels.append("sanitized_special_token")
        if tok.special_discussed:
            labels.append("special_token_discussed")
        if cfg.prompt_injection and tok.injection >= cfg.min_prompt_injections:
            flags.add("prompt_injection")
        if tok.injection_discussed:
            labels.append("prompt_injection_discussed")

        candidates: list[dict[str, Any]] = []
        use_lm = self._use_lm(doc, lang)
        lm_text = text[: cfg.max_lm_chars]  # the LM-based signals read only this much
        lm_code = [s for s in code if s[0] < len(lm_text)]
        if use_lm and text:
            if self.scorer is None:
                labels.append("lm_unavailable")
            else:
                lm = analyse(
                    self.scorer,
                    lm_text,
                    lm_code,
                    self.th,
                    want_rare=cfg.rare_token or cfg.campaign.enabled,
                    want_candidates=cfg.campaign.enabled,
                )
                if cfg.gibberish and (lm.gibberish_runs or (cfg.word_salad and lm.word_salad)):
                    flags.add("gibberish")
                if cfg.rare_token and inserted_rare_words(lm, lm_text, cfg.rare_min_occurrences):
                    flags.add("rare_token")
                candidates = candidates_to_dicts(lm.candidates)
        elif text and cfg.gibberish and cfg.offlanguage_gibberish and hasattr(self.scorer, "tokenize") and lang:
            # Not an English page: payloads are still English-tokenizer soup or random characters.
            if offlanguage_gibberish(self.scorer, lm_text, lm_code, lang, self.th):
                flags.add("gibberish")
        rare_hits: list[str] = []
        lone_hits: list[str] = []
        unknown: list[str] | None = None  # words no word list knows, shared by two checks below
        if cfg.rare_token and text and "gibberish" not in flags and "rare_token" not in flags:
            # (a gibberish payload is full of non-words: judged by the LM instead)
            page: dict[str, Any] = {}  # what the page's code tells, worked out at its first hit

            def planted(hits: list[str]) -> list[str]:
                """A token the page's own code uses is the page's (a field "pwr" of
                "pwr_led_trigger", a type "str" of "name: str = Field(...)"); and on a page
                about code, commands or formats, prose names tools, fields and types by short
                vowel-less names ("load them as lxml trees:", "each video has src, width and
                height"): there a token without a vowel must stand in several places. A word
                between two words no list knows is part of a foreign phrase or title; a
                one-handed keyboard mash, a ROT13 spoiler and a common word with a letter
                dropped or a key slipped ("thwt") are a person's writing."""
                if not hits:
                    return hits
                if not page:
                    page["code_words"] = code_vocabulary(lm_text)
                    chat = chat_log(lm_text)  # a chat log is a thread, and its talk is technical
                    page["technical"] = cfg.rare_technical_min_contexts > 1 and (chat or technical_page(lm_text, lm_code))
                    page["counts"] = page_word_counts(lm_text)
                    page["thread"] = cfg.rare_thread_shorthand_zipf > 0 and (chat or discussion_thread(lm_text))
                lx, page_lang = self.lexicon, lang or "en"
                hits = [w for w in hits if w.lower() not in page["code_words"]
                        and not page_own_word(w, lm_text, page["counts"], lx, page_lang)
                        and not keyboard_mash(w)
                        and not (lx is not None and (dropped_letter(w, lx, page_lang) or key_slip(w, lx, page_lang)
                                                     or in_foreign_phrase(w, lm_text, lx, page_lang)
                                                     or rot13_passage(w, lm_text, lx, page_lang)))]
                listed = listed_together(hits, lm_text)
                hits = [w for w in hits if w not in listed]
                if page["thread"] and hits and self.lexicon is not None:
                    # a thread's shorthand: a vowel-less word of 3+ letters English knows, written once
                    hits = [w for w in hits if has_vowel(w) or len(w) < 3 or distinct_contexts(lm_text, w) >= 2
                            or self.lexicon.zipf(w.lower(), "en") < cfg.rare_thread_shorthand_zipf]
                if not page["technical"] or not hits:
                    return hits
                return [w for w in hits if has_vowel(w)  # no tool, field or type's abbreviation
                        or not cfg.rare_technical_min_chars <= len(w) <= cfg.rare_technical_max_chars
                        or distinct_contexts(lm_text, w) >= cfg.rare_technical_min_contexts]

            if use_lm:
                rare_hits = planted(short_nonword_triggers(lm_text, cfg.rare_min_short_occurrences, lm_code,
                                                          _is_english, "en", self.lexicon))
                if not rare_hits and self.charlm is not None:
                    rare_hits = planted(nonword_triggers(
                        lm_text, lm_code, self.word_cost, self.charlm, self.rare_th, _is_english, self.lexicon
                    ))
            elif cfg.rare_token_other_languages and lang:
                in_lang = _in_language(lang)
                if not self.lexicon.small_list(lang):  # a small list lacks the informal abbreviations
                    rare_hits = planted(short_nonword_triggers(lm_text, cfg.rare_min_short_occurrences, lm_code,
                                                              in_lang, lang, self.lexicon))
                if not rare_hits and self.charlm is not None and self.lexicon.available(lang):
                    unknown = unknown_prose_words(lm_text, lm_code, lang, self.lexicon, self.charlm)
                    rare_hits = planted(foreign_nonword_triggers(
                        lm_text, lm_code, lang, self.lexicon, self.charlm, cfg.rare_foreign_nonword_cost, in_lang,
                        unknown,
                    ))
            if (not rare_hits and not use_lm and cfg.rare_token_other_languages and cfg.rare_cjk_min_score > 0
                    and self.charlm is not None and self.lexicon is not None and lang):
                rare_hits = planted(cjk_nonword_triggers(
                    lm_text, lm_code, lang, self.lexicon, self.charlm, self.word_cost, self.rare_th,
                    cfg.rare_cjk_min_score, _in_written_language(lang),
                ))
            if (not rare_hits and cfg.rare_anywhere and self.charlm is not None and self.lexicon is not None
                    and (use_lm or cfg.rare_token_other_languages)):
                rare_hits = planted(loose_nonword_triggers(
                    lm_text, lm_code, lang if not use_lm else "en", self.lexicon, self.charlm,
                    self.word_cost if use_lm else None, self.rare_th, cfg.rare_anywhere_min_score,
                    _is_english if use_lm else _in_language(lang),
                ))
            if not rare_hits and self.lexicon is not None and (use_lm or cfg.rare_token_other_languages):
                rare_hits = planted(alnum_triggers(lm_text, lm_code, lang if not use_lm else "en", self.lexicon,
                                                  _is_english if use_lm else _in_language(lang)))
            if not rare_hits and self.charlm is not None and (use_lm or cfg.rare_token_other_languages):
                rare_hits = planted(capitalised_nonword_triggers(
                    lm_text, lm_code, lang if not use_lm else "en", self.lexicon, self.charlm,
                    self.word_cost, self.rare_th, cfg.rare_capitalised_min_score,
                    _is_english if use_lm else _in_language(lang), cfg.rare_capitalised_alone_min_score,
                ))
            want_lone = cfg.rare_lone_unknown and (
                cfg.rare_lone_unknown_flag_min_contexts > 0 or (cfg.campaign.enabled and cfg.campaign.lone_token_evidence))
            if not rare_hits and want_lone and self.charlm is not None and self.lexicon.available("en"):
                if use_lm:
                    english_unknown = unknown_prose_words(lm_text, lm_code, "en", self.lexicon, self.charlm)
                    if (lang or "en") == "en":
                        unknown = english_unknown  # the campaign candidates below reuse it
                    if english_unknown:
                        lone_hits = lone_unknown_triggers(
                            lm_text, lm_code, english_unknown, self.lexicon, self.charlm, self.word_cost,
                            self.rare_th, cfg.rare_lone_unknown_score, cfg.rare_lone_unknown_max_occurrences,
                            _is_english,
                        )
                elif unknown:  # other languages: computed by the foreign non-word check above
                    lone_hits = lone_unknown_triggers(
                        lm_text, lm_code, unknown, self.lexicon, self.charlm, self.word_cost, self.rare_th,
                        cfg.rare_lone_unknown_score, cfg.rare_lone_unknown_max_occurrences, _in_language(lang), lang,
                    )
            if lone_hits:
                lone_hits = planted(lone_hits)  # (a URL's or a page name's part is the page's own too)
            if rare_hits or (cfg.rare_lone_unknown_flag_min_contexts > 0 and any(
                    distinct_contexts(lm_text, w) >= cfg.rare_lone_unknown_flag_min_contexts for w in lone_hits)):
                flags.add("rare_token")
        if cfg.campaign.enabled and (cfg.campaign.rare_token_evidence or cfg.campaign.topic_evidence) and text \
                and self.lexicon is not None \
                and self.charlm is not None and (use_lm or cfg.rare_token_other_languages) and "gibberish" not in flags:
            # Planted words this page gives away, then unknown words it does not (made-up
            # triggers are often unremarkable on one page): counted across the corpus, the
            # pages that flag a word name the campaign for all pages that carry it. (Not
            # on pages with a payload: its random words would only crowd the candidates.)
            unknown = campaign_word_candidates(lm_text, lm_code, lang or "en", self.lexicon, self.charlm,
                                               cfg.campaign.unknown_word_min_cost, cfg.campaign.unknown_words_per_doc,
                                               unknown)
            # (lone-unknown hits are weaker evidence, marked apart: lone_token)
            candidates = _with_word_candidates(candidates, rare_hits, unknown, lone_hits)
        if cfg.campaign.enabled and tok.weak_strings:
            # Token-shaped strings (<SUDO>, |WORD|) go first: a page full of rare words would
            # otherwise push them past the per-document cap.
            # (The LM's own entry for the string, which knows whether a payload follows, is kept.)
            by_gram = {c["ngram"]: c for c in candidates}
            symbolic = [by_gram.get(c["ngram"], c) for c in candidates_to_dicts(symbolic_candidates(tok.weak_strings))]
            front = {c["ngram"] for c in symbolic[:_SYMBOLIC_FIRST]}
            candidates = (symbolic[:_SYMBOLIC_FIRST] + [c for c in candidates if c["ngram"] not in front]
                          + [c for c in symbolic[_SYMBOLIC_FIRST:] if c["ngram"] not in by_gram])
        if cfg.campaign.enabled:
            _add_continuations(candidates, text, cfg.campaign.continuation_words)
            candidates = candidates[: cfg.campaign.max_ngrams_per_doc]
            doc["_poison_candidates"] = candidates
            if cfg.campaign.topic_evidence and self.lexicon is not None and "gibberish" not in flags:
                # What the page is about: compared across the pages of each unknown word, and
                # across all pages for the corpus's background (about 0.6 ms a page).
                _mark_unknown_words(candidates, lang or "en", self.lexicon)
                doc[TOPIC_KEY] = list(topic_signature(lm_text, lang or "en", self.lexicon,
                                                      cfg.campaign.topic_keywords))

        if strip or neutralise:
            new_text = _apply_edits(text, strip, neutralise)
            doc["text"] = new_text
            if doc.get("n_chars") is not None:
                doc["n_chars"] = len(new_text)
            if doc.get("n_tokens") is not None:
                doc["n_tokens"] = math.ceil(len(new_text.encode("utf-8")) / 4)

        doc["poison_flags"] = sorted(flags)
        doc["poison_score"] = combine_score(flags, self.weights, factors)
        return sorted(flags) + labels


_SYMBOLIC_FIRST = 4  # token-shaped strings placed ahead of the LM's candidates


TOPIC_KEY = "_poison_topic"  # transient: the page's topic signature, for the campaign pass


def _mark_unknown_words(candidates: list[dict[str, Any]], lang: str, lexicon: Any) -> None:
    """Mark (``unknown_word: True``) the single-word candidates of 4+ letters that neither
    the page language's word list nor the English one knows: the ones topic incoherence
    may name as a campaign (a rare phrase of known words is a name, not a made-up trigger)."""
    words = [c["ngram"].lower() for c in candidates]
    unknown = set(unknown_to(sorted({w for w in words if TOPIC_WORD_RE.fullmatch(w)}), lang, lexicon))
    for c, w in zip(candidates, words):
        c["unknown_word"] = w in unknown


def _with_word_candidates(
    candidates: list[dict[str, Any]], flagged: list[str], unknown: list[str], lone: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Put flagged rare tokens (``rare_token: True``), lone unknown words flagged by the
    weaker rule (``lone_token: True``) and other unknown words ahead of the LM's
    candidates, so they survive the per-document cap; one entry per n-gram."""
    lone = list(lone)
    words = [w for w in dict.fromkeys([*flagged, *lone, *unknown])]
    if not words:
        return candidates
    flagged_set, lone_set = set(flagged), set(lone)
    by_gram = {c["ngram"]: c for c in candidates}
    front = []
    for w in words:
        c = by_gram.pop(w, None) or candidates_to_dicts([Candidate(w, ngram_hash(w), False, False, 0.0)])[0]
        c["rare_token"] = w in flagged_set
        c["lone_token"] = w in lone_set
        front.append(c)
    return front + [c for c in candidates if c["ngram"] in by_gram]


# Language-id labels that English lines get: py3langid calls Nigerian news English
# ("Senator Ben Murray-Bruce have dragged the Inspector-General of Police, Ibrahim Idris, to
# court.") Nigerian Pidgin about as often as English.
_ENGLISH_LABELS = frozenset({"en", "pcm"})


def _is_english(lines: str) -> bool:
    return langid_rank(lines)[0][0] in _ENGLISH_LABELS


def _in_language(lang: str) -> Callable[[str], bool]:
    return lambda lines: langid_rank(lines)[0][0] == lang


def _in_written_language(lang: str) -> Callable[[str], bool]:
    """As `_in_language`, but any language written in Han characters stands for another
    (language identification calls a Wu or Cantonese page's lines Chinese)."""
    return lambda lines: same_written_language(langid_rank(lines)[0][0], lang)


def _add_continuations(candidates: list[dict[str, Any]], text: str, n_words: int) -> None:
    """Attach the words that follow and precede each candidate's first occurrence.

    The same continuation after the same rare n-gram, in *different* surroundings on
    unrelated domains, is a fixed payload (trigger -> target text); the same
    surroundings too is syndicated or boilerplate text. Lower-cased whitespace words.
    """
    if not candidates:
        return
    words = text.lower().split()
    # map first word -> positions
    pos: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        pos.setdefault(w, []).append(i)
    for c in candidates:
        gram = c["ngram"].split()
        cont = prev = ""
        for i in pos.get(gram[0], [])[:50]:
            if [w.strip(".,;:!?\"'") or w for w in words[i : i + len(gram)]] == gram:
                cont = " ".join(words[i + len(gram) : i + len(gram) + n_words])
                prev = " ".join(words[max(0, i - n_words) : i])
                break
        c["continuation"] = cont
        c["preceding"] = prev
