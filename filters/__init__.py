"""Per-document logic of every crawlsift stage: plain Python, no Beam.

Each stage module exposes a config dataclass and a small class (a *tagger*) that
reads and writes columns of one document row (a dict keyed by the names in
`schemas.documents`). Taggers never drop documents: the policy stage decides.
"""
