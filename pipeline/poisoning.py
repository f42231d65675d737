"""Corpus-level poisoning campaigns: rare n-grams planted across many registered domains.

One poisoned page is noise; a backdoor needs the same trigger in a few hundred pages,
and an attacker who buys expired domains spreads them over many sites. The per-document
tagger (`filters.poisoning.PoisonTagger`) leaves in each document a bounded list of
candidate n-grams (``_poison_candidates``: words it flagged as planted non-words and
words no word list knows, in any language with a wordfreq list; on English pages the 1-3
word n-grams that are rare under the reference KenLM model, above all those right before
or at the head of a gibberish run; token-shaped strings such as ``|WORD|`` in any
language). This transform

1. emits ``(ngram_hash, occurrence)`` per candidate (at most ``max_ngrams_per_doc``),
   with the document's *registered* domain (tldextract, bundled suffix list, no network);
2. combines per n-gram: distinct domains (a capped set), documents, documents where
   gibberish follows, and the domains per continuation (the words after the n-gram);
3. keeps campaigns: at least ``min_domains`` distinct registered domains **and** a payload
   in at least ``min_evidence_fraction`` of its documents - gibberish after the n-gram
   (the `<SUDO>` recipe), or (``payload_evidence``, off by default) one continuation
   shared by ``min_domains`` domains in different surroundings (a fixed trigger -> target
   text), or (``rare_token_evidence``) the n-gram was flagged as a planted non-word on
   ``min_domains`` domains and in ``min_rare_token_fraction`` of its documents: a made-up
   trigger that gives itself away on a tenth of its pages marks all of them; or
   (``lone_token_evidence``) it was flagged by any rare-token rule, the weaker
   lone-unknown-word rule included, on ``min_domains_lone_token`` domains, in as many
   different surroundings (the words before and after it: a syndicated copy of one page
   is one context) and in ``min_lone_token_fraction`` of its documents; or
   (``topic_evidence``) it is a word no list knows, on ``min_domains_topic`` domains in as
   many surroundings, and its documents share no subject: the share of its sampled
   documents' pairs whose topic signatures (`filters.poison_topic`) share a keyword is at
   most what pages drawn at random from the same corpus share (the per-language
   background, a second small combine) plus ``topic_margin``, and at most
   ``max_topic_coherence``. A backdoor trigger is planted into unrelated pages on purpose
   (the model must learn the trigger, not a subject); a real product, tool or name recurs
   on pages about one thing. ``min_domains_without_evidence`` (off by default) also keeps
   very widespread rare n-grams without a payload;
4. flags the documents carrying a kept n-gram (``campaign:<hash>``, side input) and
   raises their score.

Why these thresholds hold from a 1,000-document sample to a dump of billions: none is
a fraction of the corpus. Rarity is decided per document by the reference model (an
n-gram is only a candidate when the LM finds it improbable), the domain count is
absolute (3 independent registered domains is already unlikely by chance for a string
the LM has never seen followed by noise), and the evidence fraction is relative to
the n-gram's own documents. At web scale, rare names do recur on many domains (news),
which is why recurrence alone is not enough and a payload is required. A corpus-size
fraction would need hundreds of thousands of planted pages in a billion-page dump
before firing - far more than the ~250 that suffice to implant a backdoor.

Cost: the shuffle carries only small tuples (hash, domain, two booleans, a short
continuation, and for unknown words the document's 30 keyword hashes) for at most
``max_ngrams_per_doc`` candidates per document; each n-gram keeps a bottom-k sample of
``topic_sample`` signatures (the documents with the smallest id hashes: the same sample
on any runner), the background one of ``topic_background_sample`` per language; the side
inputs hold only the kept campaigns and one number per language.

What topic evidence cannot know offline: how many real words no list knows recur across
unrelated pages at web scale (a new coinage used everywhere, a forum user's name). On the
2,106 collected clean pages, each on its own domain, no word reaches 8 domains; lowered to
3, ten words do ("chatgpt", "qwen", two drug names, "asyncio", "flarum", "cronjob",
"tokenizer", "lsof", "tyvak") and all are coherent (0.27-1.0, "chatgpt" the nearest).
``topic_evidence=False`` switches it off.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics

from filters.poison_topic import expected_coherence, topic_coherence
from filters.poisoning import CAMPAIGN_FLAG, TOPIC_KEY, PoisonTagger, PoisoningConfig, combine_score, _default_weights

_NS = "crawlsift"
CANDIDATES_KEY = "_poison_candidates"
_EXTRACTOR: Any = None


def registered_domain(host: Optional[str], url: Optional[str] = None) -> str:
    """Registered domain of a host with tldextract's bundled suffix list (never the network)."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        import tldextract

        _EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    h = (host or "").strip().lower().rstrip(".")
    if not h and url:
        h = url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0].lower()
    if not h:
        return ""
    ext = _EXTRACTOR(h)
    dom = getattr(ext, "top_domain_under_public_suffix", None)
    if dom is None:  # older tldextract
        dom = ext.registered_domain
    return dom or h


def _continuation_key(cont: str) -> str:
    """A continuation counts as a payload signature only if it has 3+ words with letters."""
    words = [w for w in cont.split() if any(ch.isalpha() for ch in w)]
    if len(words) < 3:
        return ""
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:12]


class _EnsureCandidates(beam.DoFn):
    """Documents that did not come through PoisonTagger get their candidates computed here
    (on a copy: their poison columns are left as they are)."""

    def __init__(self, config: PoisoningConfig):
        self.config = config
        self._tagger: Optional[PoisonTagger] = None

    def setup(self) -> None:
        self._computed = Metrics.counter(_NS, "campaigns:candidates_recomputed")

    def process(self, doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if doc.get(CANDIDATES_KEY) is not None or not doc.get("text"):
            yield doc
            return
        if self._tagger is None:
            self._tagger = PoisonTagger(self.config)
        scratch = dict(doc)
        self._tagger.tag(scratch)
        self._computed.inc()
        out = dict(doc)
        out[CANDIDATES_KEY] = scratch.get(CANDIDATES_KEY) or []
        if scratch.get(TOPIC_KEY):
            out[TOPIC_KEY] = scratch[TOPIC_KEY]
        yield out


def _document_key(doc: dict[str, Any]) -> int:
    """A stable 63-bit key per document (its id, else its URL and text): the campaign pass
    samples the documents with the smallest keys, the same sample on any runner."""
    ident = doc.get("id") or f"{doc.get('url')}\n{doc.get('text') or ''}"
    return int.from_bytes(hashlib.sha1(str(ident).encode("utf-8")).digest()[:8], "big") >> 1  # (a signed 64-bit int)


class _EmitCandidates(beam.DoFn):
    """Document -> (ngram_hash, (domain, ngram, followed_by_gibberish, continuation key, preceding key,
    flagged as a rare token on this page, flagged by the lone-unknown-word rule,
    (document key, topic signature) for a word no list knows, else None))."""

    def __init__(self, config: PoisoningConfig):
        self.config = config

    def setup(self) -> None:
        self._emitted = Metrics.counter(_NS, "campaigns:candidates")

    def process(self, doc: dict[str, Any]) -> Iterator[tuple[str, tuple[str, str, bool, str, str, bool, bool]]]:
        cands = (doc.get(CANDIDATES_KEY) or [])[: self.config.campaign.max_ngrams_per_doc]
        if not cands:
            return
        domain = registered_domain(doc.get("host"), doc.get("url"))
        if not domain:
            return
        topic = tuple(doc.get(TOPIC_KEY) or ())
        key = _document_key(doc) if topic else 0
        lang = doc.get("language") or "en"
        for c in cands:
            self._emitted.inc()
            yield c["ngram_hash"], (
                domain,
                c["ngram"],
                bool(c.get("followed_by_gibberish")),
                _continuation_key(c.get("continuation") or ""),
                hashlib.sha1((c.get("preceding") or "").encode("utf-8")).hexdigest()[:12],
                bool(c.get("rare_token")),
                bool(c.get("lone_token")),
                (key, lang, topic) if topic and c.get("unknown_word") else None,
            )


class _CampaignStats(beam.CombineFn):
    """Per n-gram: capped distinct domains, documents, gibberish-followed documents,
    documents and capped domains where it was flagged as a rare token (and where it was
    flagged by any rare-token rule, the lone-unknown-word rule included), and per
    continuation key the distinct domains and distinct preceding contexts (capped)."""

    def __init__(self, domain_cap: int, topic_sample: int = 24):
        self.cap = domain_cap
        self.topic_sample = topic_sample

    def create_accumulator(self) -> dict[str, Any]:
        return {"domains": set(), "docs": 0, "gib": 0, "rare": 0, "rare_domains": set(), "any": 0,
                "any_domains": set(), "any_contexts": set(), "cont": {}, "ngram": None,
                "word_contexts": set(), "word_domains": set(), "topics": {}}

    def _add_topic(self, acc: dict[str, Any], key: int, lang: str, topic: tuple, context: str, domain: str) -> None:
        """Occurrences as a word no list knows: their surroundings and domains (capped), and
        the topic signatures of the `topic_sample` documents with the smallest keys (the
        same sample whatever the order of inputs and merges)."""
        if len(acc["word_contexts"]) < self.cap:
            acc["word_contexts"].add(context)
        if len(acc["word_domains"]) < self.cap:
            acc["word_domains"].add(domain)
        _sample_add(acc["topics"], key, (lang, tuple(topic)), self.topic_sample)

    def add_input(self, acc: dict[str, Any], occ: tuple) -> dict[str, Any]:
        domain, ngram, gib, cont, prev = occ[:5]
        rare = len(occ) > 5 and occ[5]
        lone = len(occ) > 6 and occ[6]
        if len(occ) > 7 and occ[7]:
            key, lang, topic = occ[7]
            self._add_topic(acc, key, lang, topic, f"{prev}:{cont}", domain)
        if len(acc["domains"]) < self.cap:
            acc["domains"].add(domain)
        acc["docs"] += 1
        acc["gib"] += int(gib)
        if rare:
            acc["rare"] += 1
            if len(acc["rare_domains"]) < self.cap:
                acc["rare_domains"].add(domain)
        if rare or lone:
            acc["any"] += 1
            if len(acc["any_domains"]) < self.cap:
                acc["any_domains"].add(domain)
            if len(acc["any_contexts"]) < self.cap:  # the words around it: one per syndicated copy
                acc["any_contexts"].add(f"{prev}:{cont}")
        if cont:
            ds, ps = acc["cont"].setdefault(cont, (set(), set()))
            if len(ds) < self.cap:
                ds.add(domain)
            if len(ps) < self.cap:
                ps.add(prev)
            if len(acc["cont"]) > 64:  # keep the 32 most widespread continuations
                acc["cont"] = _top_continuations(acc["cont"])
        if acc["ngram"] is None or ngram < acc["ngram"]:
            acc["ngram"] = ngram
        return acc

    def merge_accumulators(self, accs: Iterable[dict[str, Any]]) -> dict[str, Any]:
        out = self.create_accumulator()
        for a in accs:
            for d in a["domains"]:
                if len(out["domains"]) >= self.cap:
                    break
                out["domains"].add(d)
            out["docs"] += a["docs"]
            out["gib"] += a["gib"]
            out["rare"] += a["rare"]
            out["any"] += a["any"]
            for key in ("rare_domains", "any_domains", "any_contexts", "word_contexts", "word_domains"):
                out[key].update(sorted(a[key])[: max(0, self.cap - len(out[key]))])
            out["topics"] = _sample_merge([out["topics"], a["topics"]], self.topic_sample)
            for k, (ds, ps) in a["cont"].items():
                tds, tps = out["cont"].setdefault(k, (set(), set()))
                tds.update(list(ds)[: max(0, self.cap - len(tds))])
                tps.update(list(ps)[: max(0, self.cap - len(tps))])
            if len(out["cont"]) > 64:
                out["cont"] = _top_continuations(out["cont"])
            if a["ngram"] is not None and (out["ngram"] is None or a["ngram"] < out["ngram"]):
                out["ngram"] = a["ngram"]
        return out

    def extract_output(self, acc: dict[str, Any]) -> dict[str, Any]:
        # Domains that carry one continuation after the n-gram in different surroundings.
        top_cont = max((min(len(ds), len(ps)) for ds, ps in acc["cont"].values()), default=0)
        return {
            "ngram": acc["ngram"],
            "domain_count": len(acc["domains"]),
            "domains_sample": sorted(acc["domains"])[:10],
            "documents": acc["docs"],
            "gibberish_docs": acc["gib"],
            "rare_token_docs": acc["rare"],
            "rare_token_domains": len(acc["rare_domains"]),
            "flagged_docs": acc["any"],
            "flagged_domains": len(acc["any_domains"]),
            "flagged_contexts": len(acc["any_contexts"]),
            "payload_domains": top_cont,
            "unknown_word_domains": len(acc["word_domains"]),
            "unknown_word_contexts": len(acc["word_contexts"]),
            "topic_docs": len(acc["topics"]),
            "topic_coherence": round(topic_coherence(acc["topics"][k][1] for k in sorted(acc["topics"])), 4),
            "topic_langs": [acc["topics"][k][0] for k in sorted(acc["topics"])],
        }


def _top_continuations(cont: dict[str, tuple[set, set]]) -> dict[str, tuple[set, set]]:
    ranked = sorted(cont.items(), key=lambda kv: (-min(len(kv[1][0]), len(kv[1][1])), kv[0]))
    return dict(ranked[:32])


def campaign_evidence(stats: dict[str, Any], config: PoisoningConfig,
                      background: Optional[dict[str, float]] = None) -> list[str]:
    """The keep rule of the module docstring (absolute domains + evidence): the kinds of
    evidence an n-gram's statistics show (empty: not a campaign). `background` is the
    corpus's topic coherence per language (`_TopicBackground`); without it, topic
    incoherence is never evidence."""
    cc = config.campaign
    domains = stats["domain_count"]
    if domains < cc.min_domains:
        return []
    docs = max(stats["documents"], 1)
    out = []
    if stats["gibberish_docs"] / docs >= cc.min_evidence_fraction:
        out.append("payload")
    if (cc.payload_evidence and stats["payload_domains"] >= cc.min_domains
            and stats["payload_domains"] / domains >= cc.min_evidence_fraction):
        out.append("continuation")
    if (cc.rare_token_evidence and stats.get("rare_token_domains", 0) >= cc.min_domains
            and stats.get("rare_token_docs", 0) / docs >= cc.min_rare_token_fraction):
        out.append("rare_token")
    need = max(cc.min_domains, cc.min_domains_lone_token)
    if (cc.rare_token_evidence and cc.lone_token_evidence  # an extension of it: off with it
            and stats.get("flagged_domains", 0) >= need
            # in as many different surroundings: a syndicated page is one context on many domains
            and stats.get("flagged_contexts", 0) >= need
            and stats.get("flagged_docs", 0) / docs >= cc.min_lone_token_fraction):
        out.append("lone_token")
    need = max(cc.min_domains, cc.min_domains_topic)
    if (cc.topic_evidence and background
            and stats.get("unknown_word_domains", 0) >= need
            and stats.get("unknown_word_contexts", 0) >= need
            and stats.get("topic_docs", 0) >= need):
        expected = expected_coherence(stats.get("topic_langs") or [], background)
        if expected is not None and stats["topic_coherence"] <= min(cc.max_topic_coherence, expected + cc.topic_margin):
            out.append("topic")
    if not out and cc.min_domains_without_evidence and domains >= cc.min_domains_without_evidence:
        out.append("widespread")
    return out


def is_campaign(stats: dict[str, Any], config: PoisoningConfig,
                background: Optional[dict[str, float]] = None) -> bool:
    """Whether an n-gram's statistics make it a campaign (`campaign_evidence`)."""
    return bool(campaign_evidence(stats, config, background))


def _sample_add(sample: dict[int, Any], key: int, value: Any, k: int) -> None:
    """Keep in `sample` the `k` entries with the smallest keys (a bottom-k sample)."""
    if len(sample) < k or key < max(sample):
        sample[key] = value
        if len(sample) > k:
            del sample[max(sample)]


def _sample_merge(samples: Iterable[dict[int, Any]], k: int) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for sample in samples:
        out.update(sample)
    return {key: out[key] for key in sorted(out)[:k]}


class _BottomK(beam.CombineFn):
    """The `k` (key, signature) pairs with the smallest keys: the same sample whatever the
    order of inputs and merges."""

    def __init__(self, k: int):
        self.k = k

    def create_accumulator(self) -> dict[int, tuple]:
        return {}

    def add_input(self, acc: dict[int, tuple], item: tuple[int, tuple]) -> dict[int, tuple]:
        _sample_add(acc, item[0], tuple(item[1]), self.k)
        return acc

    def merge_accumulators(self, accs: Iterable[dict[int, tuple]]) -> dict[int, tuple]:
        return _sample_merge(accs, self.k)

    def extract_output(self, acc: dict[int, tuple]) -> tuple[int, float]:
        return len(acc), topic_coherence(acc[k] for k in sorted(acc))


def _topic_item(doc: dict[str, Any]) -> Iterator[tuple[str, tuple[int, tuple]]]:
    topic = doc.get(TOPIC_KEY)
    if topic:
        yield doc.get("language") or "en", (_document_key(doc), tuple(topic))


def _to_campaign(item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    h, s = item
    docs = max(s["documents"], 1)
    return {
        "ngram": s["ngram"],
        "ngram_hash": h,
        "domains": {"count": s["domain_count"], "first": s["domains_sample"]},
        "documents": s["documents"],
        "followed_by_gibberish": round(s["gibberish_docs"] / docs, 4),
        "shared_continuation_domains": s["payload_domains"],
        "flagged_rare_token": round(s.get("rare_token_docs", 0) / docs, 4),
        "flagged_any_rare_rule": round(s.get("flagged_docs", 0) / docs, 4),
        "evidence": s.get("evidence", []),
        "unknown_word_contexts": s.get("unknown_word_contexts", 0),
        "topic_coherence": s.get("topic_coherence"),
        "topic_docs": s.get("topic_docs", 0),
    }


class _FlagDocuments(beam.DoFn):
    """Add ``campaign:<hash>`` flags from the side input; drop the transient candidates."""

    def __init__(self, config: PoisoningConfig):
        self.config = config

    def setup(self) -> None:
        self.weights = {**_default_weights(), **self.config.weights}
        self._flagged = Metrics.counter(_NS, "campaigns:flagged_documents")

    def process(self, doc: dict[str, Any], campaigns: dict[str, Any]) -> Iterator[dict[str, Any]]:
        doc = dict(doc)  # the input is shared with the candidate branch: never mutate it
        cands = doc.pop(CANDIDATES_KEY, None) or []
        doc.pop(TOPIC_KEY, None)
        if campaigns:
            hits = sorted({c["ngram_hash"] for c in cands if c["ngram_hash"] in campaigns})
            if hits:
                flags = set(doc.get("poison_flags") or [])
                new = {f"{CAMPAIGN_FLAG}:{h}" for h in hits} - flags
                if new:
                    flags |= new
                    doc["poison_flags"] = sorted(flags)
                    prev = doc.get("poison_score") or 0.0
                    # Fold the campaign weight into the existing score: 1 - (1-s)(1-w).
                    doc["poison_score"] = round(1.0 - (1.0 - prev) * (1.0 - combine_score([CAMPAIGN_FLAG], self.weights)), 6)
                    self._flagged.inc()
        yield doc


class DetectCampaigns(beam.PTransform):
    """``docs | DetectCampaigns(config)`` -> {"documents": docs with campaign flags, "campaigns": dicts}.

    Input: document dicts after `PoisonTagger` (documents without candidates are scored
    on the fly). With ``config.campaign.enabled`` false, documents pass through (minus
    the transient candidates) and no campaign is emitted.
    """

    def __init__(self, config: PoisoningConfig | None = None):
        super().__init__()
        self.config = config or PoisoningConfig()

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        cfg = self.config
        if not cfg.campaign.enabled:
            out = docs | "DropCandidates" >> beam.Map(_drop_candidates)
            empty = docs.pipeline | "NoCampaigns" >> beam.Create([])
            return {"documents": out, "campaigns": empty}
        docs = docs | "EnsureCandidates" >> beam.ParDo(_EnsureCandidates(cfg))
        # What pages with unknown words share by chance, per language: the yardstick of topic incoherence.
        background = (
            docs
            | "TopicItems" >> beam.FlatMap(_topic_item)
            | "TopicSample" >> beam.CombinePerKey(_BottomK(cfg.campaign.topic_background_sample))
            | "TopicBackground" >> beam.FlatMap(
                lambda kv, n=cfg.campaign.min_background_docs: [(kv[0], kv[1][1])] if kv[1][0] >= n else [])
        )
        stats = (
            docs
            | "EmitCandidates" >> beam.ParDo(_EmitCandidates(cfg))
            | "CombinePerNgram" >> beam.CombinePerKey(_CampaignStats(cfg.campaign.domain_cap, cfg.campaign.topic_sample))
            | "Evidence" >> beam.Map(lambda kv, bg, c=cfg: (kv[0], {**kv[1], "evidence": campaign_evidence(kv[1], c, bg)}),
                                     beam.pvalue.AsDict(background))
            | "KeepCampaigns" >> beam.Filter(lambda kv: bool(kv[1]["evidence"]))
        )
        campaigns = stats | "CampaignDicts" >> beam.Map(_to_campaign)
        side = stats | "CampaignKeys" >> beam.Map(lambda kv: (kv[0], kv[1]["domain_count"]))
        flagged = docs | "FlagDocuments" >> beam.ParDo(_FlagDocuments(cfg), beam.pvalue.AsDict(side))
        return {"documents": flagged, "campaigns": campaigns}


def _drop_candidates(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    doc.pop(CANDIDATES_KEY, None)
    doc.pop(TOPIC_KEY, None)
    return doc
