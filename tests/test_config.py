"""The YAML config: every section builds, typos are errors, the example is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, SECTIONS, config_to_dict, load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "configs" / "example.yaml"


def test_defaults_build_every_section():
    config = load_config(None)
    assert set(config.sections) == set(SECTIONS)
    echo = config_to_dict(config)
    assert echo["output"]["rows_per_shard"] == 50_000
    assert echo["dedup"]["ngram"] == 5


def test_example_config_is_valid_and_applied():
    config = load_config(EXAMPLE)
    assert config.policy.languages == ["en"]
    assert config.mixture.enabled and config.mixture.targets == {"head": 0.6, "middle": 0.4}
    assert config.output.shuffle is True


def test_unknown_key_is_an_error_naming_the_section(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  min_char: 10\n")
    with pytest.raises(ConfigError, match=r"policy: unknown keys \['min_char'\]"):
        load_config(bad)


def test_unknown_section_and_wrong_type_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown config sections"):
        load_config({"polcy": {}})
    with pytest.raises(ConfigError, match="expected int"):
        load_config({"output": {"rows_per_shard": "many"}})
