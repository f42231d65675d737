"""Run configuration: one YAML file, one section per stage, each a dataclass.

Each stage owns its config dataclass next to its logic (``filters/<stage>.py``);
this module only composes them. Unknown keys are an error, so a typo in a
threshold never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import importlib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml


@dataclass(frozen=True)
class OutputConfig:
    """How Parquet shards are laid out."""

    # Target rows per shard; the shard count is derived from the row count so
    # shards stay balanced whatever the corpus size.
    rows_per_shard: int = 50_000
    # A fixed shard count overrides rows_per_shard when > 0.
    num_shards: int = 0
    # Order rows inside a shard by hash(seed, id) instead of by id (training-friendly).
    shuffle: bool = False
    shuffle_seed: int = 0
    compression: str = "zstd"
    # Keep sampled-out documents in rejected/ (else they are only counted).
    write_sampled_out: bool = True


# section name -> "module:Class". Sections are imported lazily so a stage's heavy
# imports (presidio, kenlm) only happen when its config is built.
SECTIONS: dict[str, str] = {
    "read": "pipeline.warc_reader:ReadConfig",
    "extract": "filters.extract:ExtractConfig",
    "language": "filters.language:LanguageConfig",
    "licenses": "filters.licenses:LicenseConfig",
    "dedup": "filters.dedup:DedupConfig",
    "secrets": "filters.secrets:SecretsConfig",
    "pii": "filters.pii:PiiConfig",
    "quality": "filters.quality:QualityConfig",
    "poisoning": "filters.poisoning:PoisoningConfig",
    "policy": "filters.policy:PolicyConfig",
    "mixture": "filters.mixture:MixtureConfig",
    "output": "pipeline.config:OutputConfig",
}


class ConfigError(ValueError):
    """The configuration file is not valid."""


def load_object(path: str):
    """Import "package.module:Name" (config classes, taggers)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _convert(tp: Any, value: Any, where: str) -> Any:
    """Convert a YAML value to the annotated type (dataclasses, lists, dicts, optionals)."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return build_dataclass(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, where)
            except (ConfigError, TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ConfigError(f"{where}: {value!r} fits none of {args}: {errors}")
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        args = typing.get_args(tp)
        item_tp = args[0] if args else Any
        items = [_convert(item_tp, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return origin(items) if origin is not list else items
    if origin in (dict, Mapping) or tp in (dict,):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        args = typing.get_args(tp)
        val_tp = args[1] if len(args) == 2 else Any
        return {k: _convert(val_tp, v, f"{where}.{k}") for k, v in value.items()}
    if tp is Any or tp is typing.Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp in (int, float, str, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    return value


def build_dataclass(cls: type, mapping: Mapping[str, Any] | None, where: str = "") -> Any:
    """Build `cls` from a mapping, rejecting unknown keys and converting nested types."""
    mapping = dict(mapping or {})
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ConfigError(f"{where or cls.__name__}: unknown keys {unknown}; known: {sorted(fields)}")
    kwargs = {
        name: _convert(hints[name], value, f"{where or cls.__name__}.{name}")
        for name, value in mapping.items()
    }
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where or cls.__name__}: {exc}") from exc


@dataclass(frozen=True)
class RunConfig:
    """All sections, built from YAML; absent sections take their defaults."""

    sections: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        sections = self.__dict__.get("sections", {})
        if name in sections:
            return sections[name]
        raise AttributeError(name)


def load_config(source: str | Path | Mapping[str, Any] | None = None) -> RunConfig:
    """Load a YAML file (or an already-parsed mapping) into a RunConfig."""
    if source is None:
        raw: dict[str, Any] = {}
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        text = Path(source).read_text(encoding="utf-8")
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: top level must be a mapping of sections")
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"unknown config sections {unknown}; known: {sorted(SECTIONS)}")
    sections = {
        name: build_dataclass(load_object(path), raw.get(name), name)
        for name, path in SECTIONS.items()
    }
    return RunConfig(sections=sections, raw=raw)


def config_to_dict(config: RunConfig) -> dict[str, Any]:
    """Every section with every value (defaults included), for the report's config echo."""
    return {name: dataclasses.asdict(section) for name, section in config.sections.items()}
