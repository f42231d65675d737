"""Language identification with py3langid (its model ships inside the wheel: offline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from filters.base import Document


@dataclass(frozen=True)
class LanguageConfig:
    enabled: bool = True
    # Characters of text looked at: enough for a stable guess, bounded cost.
    max_chars: int = 4000
    # Below this confidence the language is "unknown".
    min_score: float = 0.5


class LanguageTagger:
    """Sets `language` (ISO 639-1) and `language_score` (normalised probability)."""

    def __init__(self, config: LanguageConfig):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.config = config
        self._ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def tag(self, doc: Document) -> Iterable[str]:
        if not self.config.enabled:
            return ()
        text = doc.get("text") or ""
        if not text.strip():
            return ()
        lang, score = self._ident.classify(text[: self.config.max_chars])
        score = float(score)
        doc["language_score"] = round(score, 4)
        doc["language"] = lang if score >= self.config.min_score else "unknown"
        return (doc["language"],)
