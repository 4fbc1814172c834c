"""Rendered templates: a list or dict arrives as JSON, as a Python repr, or as itself; all three are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.rendered import MAX_LITERAL_CHARS, as_list, as_mapping, rendered_value


@pytest.mark.parametrize(
    "rendered",
    [["a.jpg", "b.jpg"], '["a.jpg", "b.jpg"]', "['a.jpg', 'b.jpg']", " ('a.jpg', 'b.jpg') "],
)
def test_a_list_arrives_in_any_of_its_rendered_forms(rendered):
    assert as_list(rendered, "images") == ["a.jpg", "b.jpg"]


def test_single_values_and_empties():
    assert as_list(None, "images") == [] and as_list("", "images") == []
    assert as_list("a.jpg", "images") == ["a.jpg"]
    assert as_list(Path("/x/a.jpg"), "images") == [Path("/x/a.jpg")]
    assert as_list(b"\x89PNG", "images") == [b"\x89PNG"]
    assert as_list("[draft] notes.txt", "files") == ["[draft] notes.txt"]  # not bracketed at both ends


def test_a_dict_arrives_as_json_or_repr():
    assert as_mapping("{'question': 'Q?', 'answers': ['a', 'b']}", "poll") == {"question": "Q?", "answers": ["a", "b"]}
    assert as_mapping('{"question": "Q?"}', "poll") == {"question": "Q?"}
    assert as_mapping(None, "poll") is None
    with pytest.raises(ValidationError, match="poll: expected a dict, got list"):
        as_mapping("['a']", "poll")


@pytest.mark.parametrize("text", ["[__import__('os').system('true')]", "[a.jpg, b.jpg]", "{1: }"])
def test_code_and_broken_literals_are_refused_naming_the_field(text):
    with pytest.raises(ValidationError, match=r"^images: looks like a list or dict but is neither JSON nor a Python"):
        rendered_value(text, "images")


def test_huge_literals_are_not_parsed():
    with pytest.raises(ValidationError, match="images: a rendered list or dict longer than"):
        rendered_value("[" + "1," * MAX_LITERAL_CHARS + "1]", "images")
