#!/usr/bin/env python3
"""Build the packaged English quality model from the shipped corpus (tools/model_corpus/).

Steps (all offline, deterministic for a given corpus and KenLM version):
  1. clean the corpus: WikiText-2 detokenised, headings dropped; Project Gutenberg
     header/footer stripped, hard-wrapped lines joined into paragraphs;
  2. split by document: every 10th WikiText article and every 10th Gutenberg chunk is
     held out for calibration, the rest is training text (one paragraph per line);
  3. normalise every line exactly as the scorer does (filters.quality.normalize_line);
  4. train SentencePiece (unigram) on the normalised training lines;
  5. lmplz on the SentencePiece pieces, then ``build_binary trie -q 8 -b 8``;
  6. score the held-out documents with the new model and write the percentiles that the
     bucket cut-offs in QualityConfig are taken from (filters/models/en.build.json).

Usage (after tools/build_kenlm.sh):
  python tools/build_model.py [--kenlm-bin third_party/kenlm-build/build/bin] [--order 5]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from filters.quality import KenlmScorer, normalize_line  # noqa: E402

CORPUS = REPO / "tools" / "model_corpus"
OUT = REPO / "filters" / "models"
WIKITEXT = "wiki.test.raw"
GUTENBERG = (
    "pg17474-krehbiel-how-to-listen-to-music.txt",
    "pg3261-morris-news-from-nowhere.txt",
    "pg972-bierce-devils-dictionary.txt",
)
HOLDOUT_EVERY = 10
GUTENBERG_CHUNK_PARAGRAPHS = 12
# Held-out text is scored in documents of this many paragraphs (web-page sized).
CALIBRATION_DOC_PARAGRAPHS = 4
PERCENTILES = (10, 30, 50, 60, 70, 80, 90, 95, 99)

_WT_SUBS = [
    (re.compile(r" @(.)@ "), r"\1"),  # " @-@ " -> "-", " @,@ " -> ","
    (re.compile(r" ([.,;:!?%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$]) "), r"\1"),
    (re.compile(r" (n't|'s|'re|'ve|'m|'ll|'d)\b"), r"\1"),
    (re.compile(r"\" (.*?) \""), r'"\1"'),
    (re.compile(r" {2,}"), " "),
]


def detokenize_wikitext(line: str) -> str:
    line = line.strip()
    for pattern, repl in _WT_SUBS:
        line = pattern.sub(repl, line)
    return line


def wikitext_articles(path: Path) -> list[list[str]]:
    """Articles as lists of paragraphs; an article starts at a top-level ' = Title = ' line."""
    articles: list[list[str]] = []
    for raw in path.read_text(encoding="utf-8").split("\n"):
        s = raw.strip()
        if not s:
            continue
        if re.fullmatch(r"= [^=].* =", s):
            articles.append([])
            continue
        if s.startswith("="):  # section heading
            continue
        if not articles:
            articles.append([])
        articles[-1].append(detokenize_wikitext(s))
    return [a for a in articles if a]


def gutenberg_paragraphs(path: Path) -> list[str]:
    """Body paragraphs of a PG e-text: header/footer, headings and illustrations dropped."""
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    start = re.search(r"^\*\*\* ?START OF (THIS|THE) PROJECT GUTENBERG.*$", text, re.M)
    end = re.search(r"^\*\*\* ?END OF (THIS|THE) PROJECT GUTENBERG.*$", text, re.M)
    if not start or not end:
        raise ValueError(f"{path.name}: Project Gutenberg markers not found")
    body = text[start.end() : end.start()]
    paragraphs = []
    for block in re.split(r"\n\s*\n", body):
        para = " ".join(ln.strip() for ln in block.split("\n") if ln.strip())
        para = re.sub(r"_(\S[^_]*?)_", r"\1", para)  # _italics_
        low = para.lower()
        if not para or para.startswith("[") or low.startswith(("produced by", "end of project gutenberg", "end of the project gutenberg")):
            continue  # illustrations, sidenotes, PG credits
        if len(para.split()) < 5 or para.upper() == para:
            continue  # headings, chapter numbers, tables of contents
        paragraphs.append(para)
    return paragraphs


def _docs(paragraphs: list[str]) -> list[str]:
    n = CALIBRATION_DOC_PARAGRAPHS
    return ["\n".join(paragraphs[i : i + n]) for i in range(0, len(paragraphs), n)]


def split_corpus() -> tuple[list[str], list[str], dict]:
    """(training paragraphs, held-out documents, counts)."""
    train: list[str] = []
    heldout: list[str] = []
    articles = wikitext_articles(CORPUS / WIKITEXT)
    for i, art in enumerate(articles):
        if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1:
            heldout.extend(_docs(art))
        else:
            train.extend(art)
    counts = {"wikitext_articles": len(articles)}
    for name in GUTENBERG:
        paras = gutenberg_paragraphs(CORPUS / name)
        chunks = [
            paras[i : i + GUTENBERG_CHUNK_PARAGRAPHS]
            for i in range(0, len(paras), GUTENBERG_CHUNK_PARAGRAPHS)
        ]
        for i, chunk in enumerate(chunks):
            if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1:
                heldout.extend(_docs(chunk))
            else:
                train.extend(chunk)
        counts[f"{name}:paragraphs"] = len(paras)
    counts["train_paragraphs"] = len(train)
    counts["train_words"] = sum(len(p.split()) for p in train)
    counts["heldout_documents"] = len(heldout)
    return train, heldout, counts


def write_word_counts(train: list[str], path: Path) -> int:
    """Lower-case ASCII word counts of the training text (the spelling model of
    `filters.poison_rare.CharLM`), sorted, gzip without a timestamp: byte-identical rebuilds."""
    import collections
    import gzip

    counts: collections.Counter[str] = collections.Counter()
    for p in train:
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", p) if len(w) <= 30)
    body = "".join(f"{w}\t{n}\n" for w, n in sorted(counts.items())).encode("utf-8")
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
        gz.write(body)
    return len(counts)


def shuffle_words(doc: str, seed: int) -> str:
    lines = [ln.split() for ln in doc.split("\n")]
    words = [w for ln in lines for w in ln]
    random.Random(seed).shuffle(words)
    out, k = [], 0
    for ln in lines:
        out.append(" ".join(words[k : k + len(ln)]))
        k += len(ln)
    return "\n".join(out)


def run(cmd: list[str], **kw) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), without numpy."""
    pos = (len(sorted_values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kenlm-bin", default=str(REPO / "third_party" / "kenlm-build" / "build" / "bin"))
    ap.add_argument("--order", type=int, default=5)
    ap.add_argument("--prune", default="0 0 1", help="lmplz --prune thresholds per order")
    ap.add_argument("--vocab-size", type=int, default=12000)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--words-only", action="store_true", help="only rewrite en.words.tsv.gz (no KenLM tools needed)")
    args = ap.parse_args()
    if args.words_only:
        train, _, _ = split_corpus()
        n = write_word_counts(train, Path(args.out) / "en.words.tsv.gz")
        print(f"en.words.tsv.gz: {n} word types")
        return 0

    import sentencepiece as spm

    t0 = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lmplz = Path(args.kenlm_bin) / "lmplz"
    build_binary = Path(args.kenlm_bin) / "build_binary"
    for tool in (lmplz, build_binary):
        if not os.access(tool, os.X_OK):
            sys.exit(f"{tool} not found: run tools/build_kenlm.sh first")

    train, heldout, counts = split_corpus()
    print(json.dumps(counts, indent=1))
    with tempfile.TemporaryDirectory(prefix="crawlsift-lm-") as tmp_s:
        tmp = Path(tmp_s)
        norm_path = tmp / "train.norm.txt"
        norm_lines = [n for n in (normalize_line(p) for p in train) if n]
        norm_path.write_text("\n".join(norm_lines) + "\n", encoding="utf-8")

        t_sp = time.time()
        # Sentences from memory and the model to memory: the .model file then embeds no
        # temporary paths, so rebuilding gives byte-identical files.
        sp_bytes = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(norm_lines),
            model_writer=sp_bytes,
            vocab_size=args.vocab_size,
            model_type="unigram",
            character_coverage=0.9999,
            num_threads=1,  # deterministic
            max_sentence_length=100_000,
            minloglevel=2,
        )
        (tmp / "en.sp.model").write_bytes(sp_bytes.getvalue())
        sp = spm.SentencePieceProcessor(model_file=str(tmp / "en.sp.model"))
        tok_path = tmp / "train.tok.txt"
        train_tokens = 0
        with tok_path.open("w", encoding="utf-8") as fh:
            for pieces in sp.encode(norm_lines, out_type=str):
                train_tokens += len(pieces)
                fh.write(" ".join(pieces) + "\n")
        sp_seconds = time.time() - t_sp

        t_lm = time.time()
        arpa = tmp / "en.arpa"
        with tok_path.open("rb") as fin, arpa.open("wb") as fout:
            run(
                [str(lmplz), "-o", str(args.order), "--prune", *args.prune.split(),
                 "--discount_fallback", "-S", "20%", "-T", str(tmp)],
                stdin=fin, stdout=fout,
            )  # fmt: skip
        binary = out / "en.arpa.bin"
        run([str(build_binary), "trie", "-q", "8", "-b", "8", str(arpa), str(binary)])
        lm_seconds = time.time() - t_lm
        (out / "en.sp.model").write_bytes((tmp / "en.sp.model").read_bytes())

    # Calibration on held-out documents with the scorer the pipeline uses.
    scorer = KenlmScorer(str(binary), str(out / "en.sp.model"))
    pps = sorted(p for p in (scorer.perplexity(d) for d in heldout) if p is not None)
    # The same documents as word salad (words shuffled within the document, line
    # lengths kept): where disfluent text starts, for the tail cut-off.
    salad = sorted(
        p for p in (scorer.perplexity(shuffle_words(d, i)) for i, d in enumerate(heldout))
        if p is not None
    )
    info = {
        "corpus": counts,
        "order": args.order,
        "prune": args.prune,
        "sp_vocab_size": args.vocab_size,
        "train_tokens": train_tokens,
        "files": {
            "en.arpa.bin": {"bytes": binary.stat().st_size, "sha256": sha256(binary)},
            "en.sp.model": {
                "bytes": (out / "en.sp.model").stat().st_size,
                "sha256": sha256(out / "en.sp.model"),
            },
        },
        "seconds": {
            "sentencepiece": round(sp_seconds, 1),
            "lmplz_and_build_binary": round(lm_seconds, 1),
            "total": round(time.time() - t0, 1),
        },
        "heldout_perplexity_percentiles": {
            str(q): round(percentile(pps, q), 1) for q in PERCENTILES
        },
        "heldout_shuffled_perplexity_percentiles": {
            str(q): round(percentile(salad, q), 1) for q in (1, 5, 10, 30, 50)
        },
    }
    info["spelling_model_word_types"] = write_word_counts(train, out / "en.words.tsv.gz")
    (out / "en.build.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
