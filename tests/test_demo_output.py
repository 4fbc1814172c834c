"""`make demo` prints what each DAG created, one line each: long values are cut at a boundary and marked."""

from __future__ import annotations

import json

from scripts.demo import shorten


def test_short_lines_are_printed_whole():
    assert shorten('{"post_id": 5}') == '{"post_id": 5}'


def test_long_lines_are_cut_after_a_whole_item_and_marked():
    detail = json.dumps({"text": "Погода на завтра: ясно", "url": "https://vk.com/wall-1_" + "9" * 40,
                         "attachments": ["photo-1_2", "photo-1_3", "doc-1_4"], "owner_id": -1}, ensure_ascii=False)
    line = shorten(detail, 90)
    assert len(line) <= 90 and line.endswith(" …")
    assert detail.startswith(line[:-2]) and line[:-2].endswith(",")  # ends after a whole "key": value item


def test_a_line_without_boundaries_is_still_marked():
    assert shorten("x" * 200, 50) == "x" * 49 + "…"
