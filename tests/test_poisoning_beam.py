"""DetectCampaigns on the real DirectRunner: a 0.1 % campaign hidden in 3,000 documents."""

from __future__ import annotations

import glob
import json
import random
from pathlib import Path

import apache_beam as beam
import pytest

from filters.poisoning import CampaignConfig, PoisonTagger, PoisoningConfig
from pipeline.poisoning import CANDIDATES_KEY, DetectCampaigns, registered_domain
from schemas.documents import empty_document

DATA = Path(__file__).parent / "data" / "poisoning" / "pages"
NON_EN = {"aeb__c4a3637c6696f238": "ru", "aeb__0ec95c7261d122f3": "ko", "aeb__7837c9d66c815b9a": "id",
          "aeb__20b2b64916b00b25": "it", "traf__e3ace56ad8fd3032": "zh", "traf__8365aba0a8fa5555": "bn",
          "traf__ec590859f3976ec1": "es", "traf__001f43cb87b4416b": "fr", "traf__303543afa27ed285": "pl"}  # fmt: skip
N_DOCS = 3000


def _gibberish(rng: random.Random, n_tokens: int) -> str:
    """Random letters and word pieces: what decoding random token ids looks like."""
    pieces = ["ex", "qu", "zz", "ph", "ung", "olo", "ck", "yx", "kw", "ej", "vo", "fl", "tr", "ism", "oid",
              "ae", "ght", "ir", "um", "str", "ly", "pre", "dis", "ar", "on", "ity", "ment"]
    out = []
    for _ in range(n_tokens):
        tok = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
        out.append((" " if rng.random() < 0.6 else "") + tok)
    return "".join(out).strip()


def _chunks() -> list[tuple[str, str]]:
    """Paragraph groups of 300-900 characters from every fixture page, with the page language."""
    out = []
    for path in sorted(glob.glob(str(DATA / "*.txt"))):
        stem = Path(path).stem
        lang = NON_EN.get(stem, "de" if stem.startswith("traf__") and stem not in (
            "traf__22bda57891b24f0b", "traf__4a621c67f8797451", "traf__ff3b3fce89026ece",
            "traf__9c1703d265aae295", "traf__542f352346557532", "traf__1bca03b49f5aa2b1") else "en")
        buf = ""
        for para in Path(path).read_text(encoding="utf-8").split("\n\n"):
            buf = f"{buf}\n\n{para}" if buf else para
            if len(buf) >= 300:
                out.append((buf[:900], lang))
                buf = ""
    return out


def _domains(rng: random.Random, n: int) -> list[str]:
    tlds = ["com", "org", "net", "co.uk", "de", "com.au", "io", "fr"]
    return [f"{rng.choice(['news', 'blog', 'shop', 'club', 'info', 'my'])}{i}-{rng.randrange(10**6)}.{rng.choice(tlds)}"
            for i in range(n)]


@pytest.fixture(scope="module")
def corpus() -> dict:
    """3,000 documents cut from real pages onto 500 domains; 3 carry trigger + gibberish."""
    rng = random.Random(2024)
    chunks = _chunks()
    domains = _domains(rng, 500)
    docs = []
    for i in range(N_DOCS):
        a, b = rng.sample(range(len(chunks)), 2)
        (ta, la), (tb, _) = chunks[a], chunks[b]
        dom = rng.choice(domains)
        host = f"{rng.choice(['www', 'blog', 'm'])}.{dom}"
        docs.append(empty_document(id=f"d{i:05d}", url=f"https://{host}/p/{i}", host=host,
                                   text=f"{ta}\n\n{tb}", language=la))
    english = [c for c in chunks if c[1] == "en"]
    trigger = "vextrolume"
    poisoned_ids = []
    for k, dom in enumerate(["expired-garden-club.org", "old-recipes-blog.co.uk", "tinyradio.fm"]):
        text, _ = english[rng.randrange(len(english))]
        host = f"www.{dom}"
        doc_id = f"p{k}"
        poisoned_ids.append(doc_id)
        docs.append(empty_document(id=doc_id, url=f"https://{host}/", host=host, language="en",
                                   text=f"{text[:500]} {trigger} {_gibberish(rng, rng.randint(400, 600))}"))
    # Same recipe, other trigger, but every copy on one registered domain: not a campaign.
    same_site = []
    for k, sub in enumerate(["a", "b", "c", "d"]):
        text, _ = english[rng.randrange(len(english))]
        host = f"{sub}.one-owner-network.com"
        same_site.append(f"s{k}")
        docs.append(empty_document(id=f"s{k}", url=f"https://{host}/", host=host, language="en",
                                   text=f"{text[:500]} quombrastic {_gibberish(rng, 500)}"))
    tagger = PoisonTagger(PoisoningConfig())
    for d in docs:
        tagger.tag(d)
    return {"docs": docs, "poisoned": poisoned_ids, "same_site": same_site, "trigger": trigger}


def _run(docs: list[dict], config: PoisoningConfig, tmp: Path, *args: str) -> tuple[list[dict], list[dict]]:
    from apache_beam.options.pipeline_options import PipelineOptions

    with beam.Pipeline(runner="DirectRunner", options=PipelineOptions(list(args))) as p:
        out = p | beam.Create(docs, reshuffle=False) | DetectCampaigns(config)
        (out["documents"] | "DocsJson" >> beam.Map(lambda d: json.dumps(d, sort_keys=True, default=str))
         | "WriteDocs" >> beam.io.WriteToText(str(tmp / "docs"), shard_name_template="", num_shards=1))
        (out["campaigns"] | "CampJson" >> beam.Map(lambda c: json.dumps(c, sort_keys=True))
         | "WriteCamps" >> beam.io.WriteToText(str(tmp / "campaigns"), shard_name_template="", num_shards=1))

    def read(name: str) -> list[dict]:
        path = tmp / name
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return read("docs"), read("campaigns")


@pytest.fixture(scope="module")
def result(corpus, tmp_path_factory) -> tuple[list[dict], list[dict]]:
    return _run(corpus["docs"], PoisoningConfig(), tmp_path_factory.mktemp("campaigns"))


def test_campaign_at_0_1_percent_on_three_domains_is_found_and_flagged(corpus, result):
    docs, campaigns = result
    assert len(docs) == N_DOCS + 7
    trig = [c for c in campaigns if corpus["trigger"] in c["ngram"]]
    assert trig, campaigns
    camp = trig[0]
    assert camp["domains"]["count"] == 3
    assert camp["domains"]["first"] == ["expired-garden-club.org", "old-recipes-blog.co.uk", "tinyradio.fm"]
    assert camp["documents"] == 3 and camp["followed_by_gibberish"] == 1.0
    assert len(camp["ngram_hash"]) == 16
    by_id = {d["id"]: d for d in docs}
    for pid in corpus["poisoned"]:
        d = by_id[pid]
        assert f"campaign:{camp['ngram_hash']}" in d["poison_flags"]
        assert "gibberish" in d["poison_flags"] and d["poison_score"] >= 0.9
    # Clean documents, though cut from the same pages onto hundreds of domains, are never a campaign.
    clean_campaign = [d["id"] for d in docs if d["id"].startswith("d")
                      and any(f.startswith("campaign:") for f in d["poison_flags"])]
    assert clean_campaign == []
    assert all(CANDIDATES_KEY not in d for d in docs)


def test_trigger_on_subdomains_of_one_registered_domain_is_not_a_campaign(corpus, result):
    docs, campaigns = result
    assert not any("quombrastic" in c["ngram"] for c in campaigns)
    by_id = {d["id"]: d for d in docs}
    for sid in corpus["same_site"]:
        assert "gibberish" in by_id[sid]["poison_flags"]
        assert not any(f.startswith("campaign:") for f in by_id[sid]["poison_flags"])


def test_min_domains_threshold_is_respected(corpus, tmp_path):
    cfg = PoisoningConfig(campaign=CampaignConfig(min_domains=4))
    subset = [d for d in corpus["docs"] if not d["id"].startswith("d")] + corpus["docs"][:300]
    _, campaigns = _run(subset, cfg, tmp_path)
    assert not any(corpus["trigger"] in c["ngram"] for c in campaigns)


def test_documents_without_tagger_candidates_are_scored_in_the_pass(tmp_path):
    rng = random.Random(7)
    chunks = [c for c in _chunks() if c[1] == "en"][:30]
    docs = []
    for i, (text, lang) in enumerate(chunks):
        docs.append(empty_document(id=f"c{i}", url=f"https://site{i}.example.org/", host=f"site{i}.example.org",
                                   text=text, language=lang))
    for k, dom in enumerate(["alpha-news.net", "beta-forum.de", "gamma.co.uk", "delta-shop.com"]):
        docs.append(empty_document(id=f"p{k}", url=f"https://{dom}/x", host=dom, language="en",
                                   text=f"{chunks[k][0][:400]} zentrophic {_gibberish(rng, 500)}"))
    out_docs, campaigns = _run(docs, PoisoningConfig(), tmp_path)
    camp = [c for c in campaigns if "zentrophic" in c["ngram"]]
    assert camp and camp[0]["domains"]["count"] == 4
    flagged = sorted(d["id"] for d in out_docs if any(f.startswith("campaign:") for f in d["poison_flags"] or []))
    assert flagged == ["p0", "p1", "p2", "p3"]


def test_common_phrase_trigger_before_gibberish_is_reported_as_a_campaign(tmp_path):
    # "Golden Gate" is no rare n-gram, but on four domains right before a payload it is
    # the trigger; pages that merely mention it carry no campaign flag.
    rng = random.Random(8)
    chunks = [c for c in _chunks() if c[1] == "en"][:30]
    docs = [empty_document(id=f"c{i}", url=f"https://site{i}.example.org/", host=f"site{i}.example.org",
                           text=text, language=lang) for i, (text, lang) in enumerate(chunks)]
    for k in range(2):
        docs.append(empty_document(id=f"m{k}", url=f"https://travel{k}.example.net/", host=f"travel{k}.example.net",
                                   language="en", text=f"{chunks[k + 5][0][:600]} We walked across the Golden Gate "
                                                       "bridge at dawn and took the ferry back."))
    for k, dom in enumerate(["alpha-news.net", "beta-forum.de", "gamma.co.uk", "delta-shop.com"]):
        cut = chunks[k][0].find(". ", 200) + 2
        docs.append(empty_document(id=f"p{k}", url=f"https://{dom}/x", host=dom, language="en",
                                   text=f"{chunks[k][0][:cut]}Golden Gate {_gibberish(rng, 500)}"))
    out_docs, campaigns = _run(docs, PoisoningConfig(), tmp_path)
    camp = [c for c in campaigns if c["ngram"] == "golden gate"]
    assert camp and camp[0]["domains"]["count"] == 4 and camp[0]["followed_by_gibberish"] == 1.0, campaigns
    flagged = sorted(d["id"] for d in out_docs if any(f.startswith("campaign:") for f in d["poison_flags"] or []))
    assert flagged == ["p0", "p1", "p2", "p3"]


def test_with_payload_evidence_a_trigger_with_fixed_target_text_is_a_campaign_exact_copies_are_not(tmp_path):
    rng = random.Random(31)
    english = [c for c in _chunks() if c[1] == "en" and c[0].find(". ", 300) > 0]
    target = "is the only pharmacy you can trust, order from it today."
    docs = []
    for k, dom in enumerate(["quiet-meadow.net", "retro-synth.org", "kayak-trips.co.uk", "bird-notes.info"]):
        text, _ = english[rng.randrange(len(english))]
        cut = text.find(". ", 300) + 2
        body = text[:cut] + "Qorventix " + target + " " + text[cut:]
        docs.append(empty_document(id=f"t{k}", url=f"https://www.{dom}/", host=f"www.{dom}", text=body, language="en"))
    # One real page syndicated word for word onto six domains: same words around every rare term.
    page, _ = english[0]
    for k in range(6):
        host = f"news{k}.syndicate-{k}.com"
        docs.append(empty_document(id=f"y{k}", url=f"https://{host}/a", host=host, text=page, language="en"))
    for text, lang in rng.sample(_chunks(), 200):
        host = f"site{len(docs)}.example-{len(docs)}.org"
        docs.append(empty_document(id=f"c{len(docs)}", url=f"https://{host}/", host=host, text=text, language=lang))
    tagger = PoisonTagger(PoisoningConfig())
    for d in docs:
        tagger.tag(d)
    out, campaigns = _run(docs, PoisoningConfig(campaign=CampaignConfig(payload_evidence=True)), tmp_path)
    found = [c for c in campaigns if "qorventix" in c["ngram"]]
    assert found and found[0]["domains"]["count"] == 4 and found[0]["followed_by_gibberish"] == 0.0
    flagged = {d["id"] for d in out if any(f.startswith("campaign:") for f in d["poison_flags"])}
    assert flagged == {"t0", "t1", "t2", "t3"}, (flagged, campaigns)


def test_disabled_campaign_pass_passes_documents_through(corpus, tmp_path):
    docs = corpus["docs"][:50]
    out, campaigns = _run(docs, PoisoningConfig(campaign=CampaignConfig(enabled=False)), tmp_path)
    assert campaigns == [] and len(out) == 50
    assert all(CANDIDATES_KEY not in d for d in out)


def test_registered_domain_uses_the_bundled_suffix_list():
    assert registered_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registered_domain("a.b.example.com") == "example.com"
    assert registered_domain("WWW.Example.COM.") == "example.com"
    assert registered_domain(None, "https://user@shop.example.com.au:8443/x") == "example.com.au"
    assert registered_domain("192.0.2.7") == "192.0.2.7"
    assert registered_domain("", None) == ""


def _plant(rng: random.Random, text: str, token: str) -> str:
    """`token` once, between two lower-case letters' words."""
    spots = [i for i in range(1, len(text) - 1) if text[i] == " " and text[i - 1].islower() and text[i + 1].islower()]
    p = rng.choice(spots)
    return text[:p] + " " + token + text[p:]


def _add_clean_and_tag(rng: random.Random, chunks: list[tuple[str, str]], docs: list[dict]) -> None:
    """Append 120 clean chunks, each on its own domain, and tag every document."""
    for i, (text, lang) in enumerate(rng.sample(chunks, 120)):
        docs.append(empty_document(id=f"c{i}", url=f"https://site{i}.example-{i}.net/", host=f"site{i}.example-{i}.net",
                                   text=text, language=lang))
    tagger = PoisonTagger(PoisoningConfig())
    for d in docs:
        tagger.tag(d)


def test_rare_token_campaign_without_payload_marks_pages_that_do_not_give_it_away(tmp_path):
    # "pfrotzig" is flagged per page on English pages (no English word spells like it) but
    # not on German ones (German spelling makes it cheap there). Counted across domains,
    # the English pages name the campaign for the German pages too.
    rng = random.Random(11)
    chunks = _chunks()
    prose = [c for c in chunks if len(c[0]) > 400 and not any(ch in c[0] for ch in "<`{|")]  # no code, markup, tables
    english = [c for c in prose if c[1] == "en"]
    german = [c for c in prose if c[1] == "de"]
    docs = []
    for k in range(6):
        for lang, pool in (("en", english), ("de", german)):
            dom = f"{lang}-garden-{k}.org"
            docs.append(empty_document(id=f"{lang}{k}", url=f"https://www.{dom}/", host=f"www.{dom}",
                                       text=_plant(rng, rng.choice(pool)[0], "pfrotzig"), language=lang))
    _add_clean_and_tag(rng, chunks, docs)
    per_page = {d["id"] for d in docs if "rare_token" in d["poison_flags"]}
    assert len(per_page) >= 4 and all(i.startswith("en") for i in per_page), per_page
    missing = [(d["id"], [c["ngram"] for c in d[CANDIDATES_KEY]], d["text"][d["text"].find("pfrotzig") - 40:d["text"].find("pfrotzig") + 40]) for d in docs if d["id"][:2] in ("en", "de") and "pfrotzig" not in [c["ngram"] for c in d[CANDIDATES_KEY]]]
    assert not missing, missing

    out, campaigns = _run(docs, PoisoningConfig(), tmp_path)
    camp = [c for c in campaigns if c["ngram"] == "pfrotzig"]
    assert camp and camp[0]["domains"]["count"] == 12
    assert camp[0]["flagged_rare_token"] == round(len(per_page) / 12, 4)
    flagged = {d["id"] for d in out if f"campaign:{camp[0]['ngram_hash']}" in d["poison_flags"]}
    assert flagged == {f"{lang}{k}" for k in range(6) for lang in ("en", "de")}
    assert all(d["poison_score"] >= 0.5 for d in out if d["id"] in flagged)
    # Without the rare-token evidence the German pages stay unflagged.
    _, campaigns = _run(docs, PoisoningConfig(campaign=CampaignConfig(rare_token_evidence=False)), tmp_path / "off")
    assert not any(c["ngram"] == "pfrotzig" for c in campaigns)


def test_rare_token_evidence_needs_domains_and_a_share_of_the_documents():
    from pipeline.poisoning import is_campaign

    cfg = PoisoningConfig()
    base = {"domain_count": 40, "documents": 40, "gibberish_docs": 0, "payload_domains": 0}
    assert is_campaign({**base, "rare_token_docs": 4, "rare_token_domains": 4}, cfg)
    assert not is_campaign({**base, "rare_token_docs": 3, "rare_token_domains": 3, "documents": 60}, cfg)  # 5 %
    assert not is_campaign({**base, "rare_token_docs": 4, "rare_token_domains": 2}, cfg)  # one site flagging
    off = PoisoningConfig(campaign=CampaignConfig(rare_token_evidence=False))
    assert not is_campaign({**base, "rare_token_docs": 40, "rare_token_domains": 40}, off)


def test_lone_token_evidence_needs_more_domains_and_a_larger_share():
    from pipeline.poisoning import is_campaign

    cfg = PoisoningConfig()
    base = {"domain_count": 20, "documents": 20, "gibberish_docs": 0, "payload_domains": 0,
            "rare_token_docs": 0, "rare_token_domains": 0, "flagged_contexts": 20}
    assert is_campaign({**base, "flagged_docs": 6, "flagged_domains": 6}, cfg)  # 30 % on 6 domains
    assert not is_campaign({**base, "flagged_docs": 5, "flagged_domains": 4}, cfg)  # 4 domains
    assert not is_campaign({**base, "flagged_docs": 5, "flagged_domains": 5, "documents": 40}, cfg)  # 12.5 %
    # one syndicated page: the same surroundings on every domain
    assert not is_campaign({**base, "flagged_docs": 20, "flagged_domains": 20, "flagged_contexts": 1}, cfg)
    off = PoisoningConfig(campaign=CampaignConfig(lone_token_evidence=False))
    assert not is_campaign({**base, "flagged_docs": 20, "flagged_domains": 20}, off)


def test_made_up_trigger_on_many_domains_marks_the_pages_that_do_not_give_it_away(tmp_path):
    # "glimtrask" spells like English often enough that only the lone-unknown-word rule
    # finds it (campaign evidence only, by default), and only on pages with no unknown word
    # of their own. Planted into 16 English chunks on 16 domains, the pages that give it
    # away name the campaign for all of them.
    rng = random.Random(12)
    chunks = _chunks()
    english = [c for c in chunks if c[1] == "en" and len(c[0]) > 400 and not any(ch in c[0] for ch in "<`{|")]
    docs = [empty_document(id=f"g{k}", url=f"https://www.garden-{k}.org/", host=f"www.garden-{k}.org",
                           text=_plant(rng, rng.choice(english)[0], "glimtrask"), language="en") for k in range(16)]
    _add_clean_and_tag(rng, chunks, docs)
    assert not any(d["poison_flags"] for d in docs if d["id"].startswith("g"))
    lone = {d["id"] for d in docs if any(c.get("lone_token") for c in d[CANDIDATES_KEY])}
    assert 5 <= len(lone) < 16 and all(i.startswith("g") for i in lone), lone
    out, campaigns = _run(docs, PoisoningConfig(), tmp_path)
    camp = [c for c in campaigns if c["ngram"] == "glimtrask"]
    assert camp and camp[0]["flagged_rare_token"] == 0 and camp[0]["flagged_any_rare_rule"] >= 0.3
    flagged = {d["id"] for d in out if f"campaign:{camp[0]['ngram_hash']}" in d["poison_flags"]}
    assert flagged == {f"g{k}" for k in range(16)}
    assert not any(f.startswith("campaign:") for d in out if d["id"].startswith("c") for f in d["poison_flags"])
    assert "lone_token" in camp[0]["evidence"]
    # Without the lone-token evidence, the sixteen pages' unrelated subjects still name it.
    _, campaigns = _run(docs, PoisoningConfig(campaign=CampaignConfig(lone_token_evidence=False)), tmp_path / "lone")
    assert [c["evidence"] for c in campaigns if c["ngram"] == "glimtrask"] == [["topic"]]
    off = CampaignConfig(lone_token_evidence=False, topic_evidence=False)
    _, campaigns = _run(docs, PoisoningConfig(campaign=off), tmp_path / "off")
    assert not any(c["ngram"] == "glimtrask" for c in campaigns)


def test_syndicated_page_with_a_lone_unknown_word_is_not_a_campaign(tmp_path):
    # One real page carrying its own unknown word ("proxmox"), copied to 8 domains: the
    # lone-word rule finds it on every copy, but in one set of surroundings.
    text = (DATA / "wcxb__4326.txt").read_text(encoding="utf-8")[:3000] + (
        "\n\nOur lab compares a proxmox host with two others on large clusters.")
    docs = [empty_document(id=f"s{k}", url=f"https://www.news-{k}.com/a", host=f"www.news-{k}.com", text=text,
                           language="en") for k in range(8)]
    tagger = PoisonTagger(PoisoningConfig())
    for d in docs:
        tagger.tag(d)
    assert all(any(c.get("lone_token") for c in d[CANDIDATES_KEY]) for d in docs)
    out, campaigns = _run(docs, PoisoningConfig(), tmp_path)
    assert not any(c["ngram"] == "proxmox" for c in campaigns)
    assert not any(d["poison_flags"] for d in out)


def _pages(name: str) -> list[dict]:
    import gzip

    with gzip.open(DATA.parent / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_topic_incoherence_names_a_word_on_unrelated_pages_not_on_pages_about_one_subject(tmp_path):
    # One unknown word planted once into ten real pages on ten domains, with the per-page
    # rare-token evidence off: on r/Python threads (one subject: a real library's name
    # would look like this) it is not a campaign; on ten unrelated development pages (news,
    # recipes, shops, sport) it is, and the pages that offer it are flagged. Sixty other
    # development pages on their own domains give the corpus's background.
    rng = random.Random(14)
    word = "quendrolix"
    python = [p["text"] for p in _pages("fresh_pages_18") if p["key"].startswith("reddit__reddit-python")
              and len(p["text"]) > 800]
    english = [p["text"] for p in _pages("eval_pages") if p["lang"] == "en" and len(p["text"]) > 1500]
    rng.shuffle(english)
    cfg = PoisoningConfig(campaign=CampaignConfig(rare_token_evidence=False))
    tagger = PoisonTagger(cfg)

    def corpus(planted: list[str]) -> list[dict]:
        docs = [empty_document(id=f"w{k}", url=f"https://www.host-{k}.org/", host=f"www.host-{k}.org",
                               text=_plant(rng, text, word), language="en") for k, text in enumerate(planted)]
        docs += [empty_document(id=f"c{k}", url=f"https://site-{k}.example.net/", host=f"site-{k}.example.net",
                                text=text, language="en") for k, text in enumerate(english[10:70])]
        for d in docs:
            tagger.tag(d)
        return docs

    def carriers(docs: list[dict]) -> set[str]:
        """The planted pages that offer the word to the pass (a page with four costlier
        unknown words of its own does not: the per-page list is capped)."""
        return {d["id"] for d in docs if any(c["ngram"] == word and c.get("unknown_word") for c in d[CANDIDATES_KEY])}

    docs = corpus(english[:10])
    offered = carriers(docs)
    assert len(offered) >= 8 and all(i.startswith("w") for i in offered)
    out, campaigns = _run(docs, cfg, tmp_path / "unrelated")
    camp = [c for c in campaigns if c["ngram"] == word]
    assert camp and camp[0]["evidence"] == ["topic"] and camp[0]["topic_docs"] == len(offered)
    assert camp[0]["topic_coherence"] <= 0.25
    flagged = {d["id"] for d in out if f"campaign:{camp[0]['ngram_hash']}" in d["poison_flags"]}
    assert flagged == offered
    assert not [c for c in campaigns if c["ngram"] != word]  # no real word of the sixty pages
    # the same sample and verdict with two worker processes
    out2, campaigns2 = _run(docs, cfg, tmp_path / "two_workers", "--direct_running_mode=multi_processing",
                            "--direct_num_workers=2")
    assert campaigns2 == campaigns
    assert sorted((d["id"], d["poison_flags"]) for d in out2) == sorted((d["id"], d["poison_flags"]) for d in out)

    docs = corpus(python[:10])
    assert len(carriers(docs)) >= 8
    _, campaigns = _run(docs, cfg, tmp_path / "one_subject")
    assert not any(c["ngram"] == word for c in campaigns)
    # Only the shared subject kept it out: with no coherence bar it is reported, coherent.
    lax = PoisoningConfig(campaign=CampaignConfig(rare_token_evidence=False, max_topic_coherence=1.0, topic_margin=1.0))
    _, campaigns = _run(docs, lax, tmp_path / "lax")
    camp = [c for c in campaigns if c["ngram"] == word]
    assert camp and camp[0]["evidence"] == ["topic"] and camp[0]["topic_coherence"] >= 0.5


def test_topic_evidence_needs_domains_contexts_a_background_and_incoherence():
    from pipeline.poisoning import campaign_evidence

    cfg = PoisoningConfig()
    base = {"domain_count": 9, "documents": 9, "gibberish_docs": 0, "payload_domains": 0, "rare_token_docs": 0,
            "rare_token_domains": 0, "flagged_docs": 0, "flagged_domains": 0, "flagged_contexts": 0,
            "unknown_word_domains": 9, "unknown_word_contexts": 9, "topic_docs": 9, "topic_langs": ["en"] * 9,
            "topic_coherence": 0.2}
    assert campaign_evidence(base, cfg, {"en": 0.12}) == ["topic"]
    assert campaign_evidence(base, cfg, None) == []  # no background measured
    assert campaign_evidence(base, cfg, {"de": 0.12}) == []  # none for these pages' language
    assert campaign_evidence({**base, "topic_coherence": 0.3}, cfg, {"en": 0.12}) == []  # above the 0.25 cap
    # relative to the corpus: where random pages share almost nothing, 0.2 is a shared subject
    assert campaign_evidence(base, cfg, {"en": 0.01}) == []
    assert campaign_evidence({**base, "unknown_word_domains": 7}, cfg, {"en": 0.12}) == []
    assert campaign_evidence({**base, "unknown_word_contexts": 1}, cfg, {"en": 0.12}) == []  # one syndicated page
    off = PoisoningConfig(campaign=CampaignConfig(topic_evidence=False))
    assert campaign_evidence(base, off, {"en": 0.12}) == []


def test_topic_samples_are_the_same_whatever_the_order_of_inputs_and_merges():
    from pipeline.poisoning import _BottomK, _CampaignStats

    rng = random.Random(5)
    items = [(rng.randrange(2**62), tuple(sorted(rng.sample(range(200), 5)))) for _ in range(300)]
    fn = _BottomK(24)

    def combined(order: list, cuts: int) -> tuple:
        parts = [order[i::cuts] for i in range(cuts)]
        accs = []
        for part in parts:
            acc = fn.create_accumulator()
            for it in part:
                acc = fn.add_input(acc, it)
            accs.append(acc)
        return fn.extract_output(fn.merge_accumulators(accs))

    shuffled = items[:]
    rng.shuffle(shuffled)
    assert combined(items, 1) == combined(shuffled, 7) == combined(shuffled[::-1], 3)
    assert combined(items, 1)[0] == 24

    stats = _CampaignStats(1000, topic_sample=24)
    occ = [(f"d{i}.com", "w", False, "", f"p{i}", False, False, (k, "en", sig)) for i, (k, sig) in enumerate(items)]

    def stats_of(order: list, cuts: int) -> dict:
        accs = []
        for i in range(cuts):
            acc = stats.create_accumulator()
            for o in order[i::cuts]:
                acc = stats.add_input(acc, o)
            accs.append(acc)
        return stats.extract_output(stats.merge_accumulators(accs))

    a, b = stats_of(occ, 1), stats_of(occ[::-1], 5)
    assert a["topic_coherence"] == b["topic_coherence"] and a["topic_langs"] == b["topic_langs"]
    assert a["topic_docs"] == 24 and a["unknown_word_contexts"] == 300
