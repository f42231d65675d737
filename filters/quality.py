"""Quality scoring: KenLM perplexity (cc_net recipe), head/middle/tail buckets, heuristic signals.

Perplexity follows cc_net (Wenzek et al. 2019): normalise each line the way cc_net's
``text_normalizer.normalize`` does, cut it into SentencePiece pieces, score the
space-joined pieces with KenLM (with <s> and </s>), and take
``10 ** (-sum(log10 p) / sum(pieces + 1))`` over the document's lines. Because the
normaliser and the tokenisation are cc_net's, a user can point the config at cc_net's
published ``<lang>.arpa.bin`` + ``<lang>.sp.model`` and get numbers on cc_net's scale.

A model trained on clean prose gives low perplexity to text that reads like that prose
and high perplexity to word salad, menus, keyword spam and noise; the buckets turn the
number into a coarse label with cut-offs from a reference distribution (see
``filters/models/MODEL_CARD.md``). Nothing is dropped here: the policy stage decides.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional

from filters.base import Document
from filters.heuristics import HEURISTIC_NAMES, heuristic_signals

PACKAGED_MODEL = "en.arpa.bin"
PACKAGED_SP_MODEL = "en.sp.model"

# --- cc_net normalisation -----------------------------------------------------------
# Same mapping as cc_net's text_normalizer (full-width / typographic punctuation to
# ASCII); kept identical so published cc_net models see the text they were trained on.
_UNICODE_PUNCT = {
    "，": ",", "。": ".", "、": ",", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"',
    "１": '"', "」": '"', "「": '"', "《": '"', "》": '"', "´": "'", "∶": ":", "：": ":",
    "？": "?", "！": "!", "（": "(", "）": ")", "；": ";", "–": "-", "—": " - ", "．": ". ",
    "～": "~", "’": "'", "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]",
    "％": "%", "►": "-",
}  # fmt: skip
_DIGIT_RE = re.compile(r"\d")
_ASCII_DIGIT_RE = re.compile(r"[0-9]")
_NON_PRINTING = [chr(c) for c in list(range(0, 32)) + list(range(127, 160))]
_NON_PRINTING_RE = re.compile("[" + re.escape("".join(_NON_PRINTING)) + "]")
# Same set but keeping "\n", to normalise a whole document at once and split after.
_NON_PRINTING_KEEP_NL_RE = re.compile(
    "[" + re.escape("".join(c for c in _NON_PRINTING if c != "\n")) + "]"
)
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")


def _fold_non_ascii(match: re.Match[str]) -> str:
    """cc_net's accent, digit and punctuation steps, in cc_net's order, on a non-ASCII run.

    Equivalent to applying them to the whole text: NFD only decomposes and reorders
    non-ASCII characters, and every mark, non-ASCII digit and mapped punctuation mark is
    non-ASCII. English text is mostly ASCII, so this touches few characters."""
    return _fold_run(match.group())


@functools.lru_cache(maxsize=1 << 16)
def _fold_run(run: str) -> str:
    """The same few runs (’, “, é, —) recur in every document: fold each once."""
    run = unicodedata.normalize("NFD", run)
    run = "".join(c for c in run if unicodedata.category(c) != "Mn")
    run = _DIGIT_RE.sub("0", run)
    return "".join(_UNICODE_PUNCT.get(c, c) for c in run)


def _normalize_chars(text: str) -> str:
    """cc_net's character steps except non-printing removal: lower-case, strip accents
    (NFD, drop category Mn), digits -> 0, unicode punctuation -> ASCII."""
    text = text.lower()
    if not text.isascii():
        text = _NON_ASCII_RUN_RE.sub(_fold_non_ascii, text)
    return _ASCII_DIGIT_RE.sub("0", text)


def normalize_line(line: str) -> str:
    """cc_net ``normalize(line)``: strip, lower-case, strip accents, digits -> 0,
    unicode punctuation -> ASCII, drop non-printing characters (including newlines)."""
    line = line.strip()
    if not line:
        return line
    return _NON_PRINTING_RE.sub("", _normalize_chars(line))


def normalize_lines(text: str) -> list[str]:
    """``normalize_line`` of every line of ``text``, empty results dropped (one pass over the text)."""
    stripped = [ln.strip() for ln in text.split("\n")]
    joined = "\n".join(ln for ln in stripped if ln)
    if not joined:
        return []
    joined = _NON_PRINTING_KEEP_NL_RE.sub("", _normalize_chars(joined))
    return [ln for ln in joined.split("\n") if ln]


# --- Markdown -> plain text for scoring ---------------------------------------------------
# The spine's text is Markdown; cc_net models were trained and calibrated on plain text, and
# link URLs, emphasis stars and heading marks read as noise to them (on trafilatura's
# Markdown of real articles they raise the median perplexity by about a third). Each rule
# runs only when its marker character is present.
_MD_RULES: list[tuple[str, re.Pattern[str], str]] = [
    ("](", re.compile(r"!?\[([^\[\]\n]{0,500})\]\([^)\n]{0,2000}\)"), r"\1"),  # links/images -> text (bounded)
    ("<", re.compile(r"<(?:https?|mailto):[^>\s]+>"), ""),  # autolinks
    ("`", re.compile(r"^[ \t]*```.*$", re.M), ""),  # code fences
    ("~", re.compile(r"^[ \t]*~~~.*$", re.M), ""),
    ("---", re.compile(r"^[ \t|:-]*-{3,}[ \t|:-]*$", re.M), ""),  # table rules, hr
    ("#", re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M), ""),  # heading marks
    (">", re.compile(r"^[ \t]*>[ \t]?", re.M), ""),  # block quotes
    ("", re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+", re.M), ""),  # list markers
    ("*", re.compile(r"\*+"), ""),  # emphasis
    ("__", re.compile(r"_{2,}"), ""),
    ("`", re.compile(r"`+"), ""),  # inline code ticks
    ("|", re.compile(r"[ \t]*\|[ \t]*"), " "),  # table cells
]


def markdown_to_text(text: str) -> str:
    """Plain text of Markdown for LM scoring: link/image text kept, URLs and markup dropped."""
    for marker, pattern, repl in _MD_RULES:
        if marker in text:
            text = pattern.sub(repl, text)
    return text


class KenlmScorer:
    """KenLM + SentencePiece perplexity, cc_net style. Load once per worker.

    ``join_lines=True`` scores the whole document as one line, which is what cc_net's
    ``mine.py`` effectively does (its normaliser deletes the newlines before tokenising):
    use it to reproduce cc_net's published numbers exactly. Default is per line.
    """

    def __init__(
        self,
        model_path: str | None = None,
        sp_model_path: str | None = None,
        *,
        join_lines: bool = False,
    ) -> None:
        import kenlm  # heavy C extension: imported only when a scorer is built
        import sentencepiece

        self._stack = contextlib.ExitStack()
        self.model_path = model_path or self._resource(PACKAGED_MODEL)
        self.sp_model_path = sp_model_path or self._resource(PACKAGED_SP_MODEL)
        for p in (self.model_path, self.sp_model_path):
            if not Path(p).is_file():
                raise FileNotFoundError(f"quality model file not found: {p}")
        self.join_lines = join_lines
        self._lm = kenlm.Model(self.model_path)
        self._sp = sentencepiece.SentencePieceProcessor(model_file=self.sp_model_path)

    def _resource(self, name: str) -> str:
        ref = resources.files("filters") / "models" / name
        # A real file for normal installs; extracted for the lifetime of the scorer otherwise.
        return str(self._stack.enter_context(resources.as_file(ref)))

    @property
    def order(self) -> int:
        return int(self._lm.order)

    def normalize(self, line: str) -> str:
        return normalize_line(line)

    def tokenize(self, line: str) -> list[str]:
        """SentencePiece pieces of the normalised line."""
        norm = normalize_line(line)
        return self._sp.encode(norm, out_type=str) if norm else []

    def tokenize_words(self, words: list[str]) -> tuple[list[str], list[int]] | None:
        """Pieces of the joined words and the index of each word's first piece (plus the
        end), from one encode: SentencePiece never crosses a space, so a word starts at
        each piece that starts with the boundary mark. None when the normalisation
        changed the word count (then the caller tokenises chunk by chunk)."""
        norm = normalize_line(" ".join(words))
        pieces = self._sp.encode(norm, out_type=str) if norm else []
        starts = [i for i, p in enumerate(pieces) if p[0] == "\u2581"]
        if len(starts) != len(words) or (starts and starts[0] != 0):
            return None
        starts.append(len(pieces))
        return pieces, starts

    def token_logprobs(self, tokens: list[str]) -> list[float]:
        """log10 p of each token given its history, then of </s> (length ``len(tokens) + 1``)."""
        return [s[0] for s in self._lm.full_scores(" ".join(tokens), bos=True, eos=True)]

    def pieces_logprob(self, tokens: list[str]) -> float:
        """sum of log10 p over the tokens and </s> (one call into KenLM)."""
        return self._lm.score(" ".join(tokens), bos=True, eos=True)

    def line_logprob(self, line: str) -> tuple[float, int]:
        """(sum of log10 p over the line's pieces and </s>, pieces + 1)."""
        pieces = self.tokenize(line)
        return self._lm.score(" ".join(pieces), bos=True, eos=True), len(pieces) + 1

    def perplexity(self, text: str) -> float | None:
        """Document perplexity over its non-empty lines; None when nothing is scorable."""
        if self.join_lines:
            norm = normalize_line(text)
            lines = [norm] if norm else []
        else:
            lines = normalize_lines(text)
        if not lines:
            return None
        log_sum, length = 0.0, 0
        score = self._lm.score
        # One thread: Beam already runs a worker per core; spawning threads per call costs more.
        for pieces in self._sp.encode(lines, out_type=str, num_threads=1):
            log_sum += score(" ".join(pieces), bos=True, eos=True)
            length += len(pieces) + 1
        return 10.0 ** (-log_sum / length)


@dataclass(frozen=True)
class QualityConfig:
    """Perplexity scoring, buckets and heuristic signals."""

    # KenLM binary / SentencePiece model; None = the packaged English model
    # (filters/models/en.arpa.bin + en.sp.model). cc_net's published models work too.
    model_path: Optional[str] = None
    sp_model_path: Optional[str] = None
    # Languages (doc["language"], ISO 639-1) the model is valid for; others get a null
    # perplexity and quality_note "language:<code>".
    languages: list[str] = field(default_factory=lambda: ["en"])
    # Bucket cut-offs for the packaged model: perplexity <= head_max -> head, <= middle_max
    # -> middle, else tail. head_max = 90th percentile of held-out clean reference prose
    # (reads like the reference); middle_max = 10th percentile of the same documents with
    # their words shuffled (as disfluent as word salad). See filters/models/MODEL_CARD.md
    # and en.build.json. Re-calibrate when you change the model (cc_net's models use
    # another scale).
    head_max_perplexity: float = 433.5
    middle_max_perplexity: float = 660.1
    # Documents with fewer stripped characters are not scored (too noisy): note "too_short".
    min_chars: int = 100
    # Only the first max_chars characters are scored (bounds the cost of giant pages).
    max_chars: int = 50_000
    # Score the document as one line (cc_net mine.py behaviour) instead of per line.
    join_lines: bool = False
    # Turn the Markdown text into plain text before scoring (links -> their text, markup
    # dropped), as the model expects. Heuristics always see the Markdown.
    strip_markdown: bool = True
    # Compute the Gopher / C4 / FineWeb heuristic columns.
    heuristics: bool = True

    def __post_init__(self) -> None:
        if self.head_max_perplexity > self.middle_max_perplexity:
            raise ValueError("head_max_perplexity must be <= middle_max_perplexity")
        if self.min_chars < 0 or self.max_chars <= 0:
            raise ValueError("min_chars must be >= 0 and max_chars > 0")


def bucket_for(perplexity: float, head_max: float, middle_max: float) -> str:
    """head | middle | tail from the configured cut-offs."""
    if perplexity <= head_max:
        return "head"
    if perplexity <= middle_max:
        return "middle"
    return "tail"


class QualityTagger:
    """Fills perplexity, quality_bucket, quality_note and the heuristic columns."""

    def __init__(self, config: QualityConfig | None = None) -> None:
        self.config = config or QualityConfig()
        self.scorer = KenlmScorer(
            self.config.model_path, self.config.sp_model_path, join_lines=self.config.join_lines
        )
        self._languages = frozenset(self.config.languages)

    def tag(self, doc: Document) -> Iterable[str]:
        cfg = self.config
        text = doc.get("text") or ""
        labels: list[str] = []

        if cfg.heuristics:
            doc.update(heuristic_signals(text))
        else:
            doc.update(dict.fromkeys(HEURISTIC_NAMES))

        doc["perplexity"] = None
        doc["quality_bucket"] = None
        lang = doc.get("language")
        if not text.strip():
            note = "no_text"
        elif not lang:
            note = "language:unknown"
        elif lang not in self._languages:
            note = f"language:{lang}"
        elif len(text.strip()) < cfg.min_chars:
            note = "too_short"
        else:
            scored = text[: cfg.max_chars]
            if cfg.strip_markdown:
                scored = markdown_to_text(scored)
            pp = self.scorer.perplexity(scored)
            note = None if pp is not None else "nothing_scorable"
            if pp is not None:
                doc["perplexity"] = pp
                bucket = bucket_for(pp, cfg.head_max_perplexity, cfg.middle_max_perplexity)
                doc["quality_bucket"] = bucket
                labels.append(bucket)
                if len(text) > cfg.max_chars:
                    labels.append("truncated")
        doc["quality_note"] = note
        if note is not None:
            # Counter label without the language code's long tail of values.
            labels.append("unscored:" + note.split(":", 1)[0])
        return labels
