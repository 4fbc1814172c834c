"""X's weighted post length against X's own twitter-text conformance cases (tests/hooks/data/twitter_text/)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from airflow_provider_social.hooks.twitter.weighted_text import CONFIG_V2, CONFIG_V3, link_spans, parse_text

DATA = Path(__file__).parent / "data" / "twitter_text"
WEIGHTED = yaml.safe_load((DATA / "validate_weighted.yml").read_text(encoding="utf-8"))["tests"]
TLDS = yaml.safe_load((DATA / "tlds.yml").read_text(encoding="utf-8"))["tests"]

CONFIG_OF_SECTION = {
    "WeightedTweetsCounterTest": CONFIG_V2,
    "WeightedTweetsWithDiscountedEmojiCounterTest": CONFIG_V3,
    "UnicodeDirectionalMarkerCounterTest": CONFIG_V3,
}
CASES = [(section, case) for section in CONFIG_OF_SECTION for case in WEIGHTED[section]]


def test_every_conformance_section_is_run():
    assert set(WEIGHTED) == set(CONFIG_OF_SECTION)
    assert len(CASES) == 44


@pytest.mark.parametrize(("section", "case"), CASES, ids=[f"{s}: {c['description']}" for s, c in CASES])
def test_weighted_length_matches_x(section, case):
    parsed = parse_text(case["text"], CONFIG_OF_SECTION[section])
    assert (parsed.weighted_length, parsed.valid) == (case["expected"]["weightedLength"], case["expected"]["valid"])


TLD_CASES = [case for kind in ("country", "generic") for case in TLDS[kind]]


def test_every_top_level_domain_x_knows_makes_a_link():
    missed = []
    for case in TLD_CASES:
        text = case["text"]
        if [text[start:end] for start, end in link_spans(text)] != case["expected"]:
            missed.append(text)
    assert len(TLD_CASES) > 1500
    assert missed == []


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see example.com and http://example.org/a?b=c", ["example.com", "http://example.org/a?b=c"]),
        ("no link in example.notatld or in foo.", []),
        ("a short link ends at its slug: https://t.co/abc123/extra", ["https://t.co/abc123"]),
        ("preceded by a dash: -example.com, or an at: @example.com", []),
        ("trailing dot: go to example.com/path.", ["example.com/path"]),
    ],
)
def test_links_are_found_as_x_finds_them(text, links):
    assert [text[start:end] for start, end in link_spans(text)] == links


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("©", 1),  # text-style symbol on its own: a character, as on X
        ("©\ufe0f", 2),  # with the emoji selector: one emoji
        ("🇩🇪", 2),  # a flag is one emoji of two code points
        ("日" * 140, 280),
        ("\u0410" * 280, 280),  # Cyrillic weighs 1
    ],
)
def test_emoji_and_script_weights(text, length):
    assert parse_text(text).weighted_length == length


def test_empty_text_and_invalid_characters_are_not_valid():
    assert parse_text("").valid is False
    assert parse_text("ok\ufeff").valid is False
    assert parse_text("x" * 280).valid is True
    assert parse_text("x" * 281).valid is False


@pytest.mark.slow  # a fresh interpreter where pkg_resources cannot be imported
def test_counting_needs_no_pkg_resources():
    """twitter-text-parser imported pkg_resources, which Python 3.12+ virtualenvs and setuptools 81+ lack: X posting
    then failed on import. The counter must work where pkg_resources cannot be imported at all."""
    import subprocess
    import sys

    probe = ("import sys; sys.modules['pkg_resources'] = None\n"
             "from airflow_provider_social.hooks.twitter import weighted_length\n"
             "print(weighted_length('hi https://example.com/a 😷'))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "29"), done.stderr
