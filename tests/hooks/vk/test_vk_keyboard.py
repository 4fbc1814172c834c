"""The keyboard builder and the keyboard check: VK's limits (dev.vk.com bots keyboard), each refused by name before
any request. Sending a built keyboard through the sandbox is in test_vk_sandbox.py."""

from __future__ import annotations

import json

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.vk import Keyboard
from airflow_provider_social.hooks.vk.keyboard import check_keyboard


def test_rows_of_text_link_and_callback_buttons():
    kb = Keyboard(one_time=True).text("Yes", color="positive", payload={"answer": 1}).text("No", color="negative")
    kb.row().link("Report", "https://example.com/r").callback("Refresh", payload='{"cmd":"refresh"}')
    assert kb.to_dict() == {"inline": False, "one_time": True, "buttons": [
        [{"action": {"type": "text", "label": "Yes", "payload": '{"answer":1}'}, "color": "positive"},
         {"action": {"type": "text", "label": "No"}, "color": "negative"}],
        [{"action": {"type": "open_link", "label": "Report", "link": "https://example.com/r"}},
         {"action": {"type": "callback", "label": "Refresh", "payload": '{"cmd":"refresh"}'}, "color": "secondary"}],
    ]}


def test_from_labels_as_the_originals_form_keyboard():
    rows = Keyboard.from_labels([["Yes", "No"], "Later"]).to_dict()["buttons"]
    assert [[b["action"]["label"] for b in row] for row in rows] == [["Yes", "No"], ["Later"]]
    assert Keyboard.from_labels(["A"], inline=True).to_dict() == {
        "inline": True, "buttons": [[{"action": {"type": "text", "label": "A"}, "color": "secondary"}]]}


def test_standard_limits_5_per_row_10_rows_40_buttons():
    kb = Keyboard()
    for row in range(8):
        if row:
            kb.row()
        for _ in range(5):
            kb.text("b")
    with pytest.raises(ValidationError, match="at most 40 buttons"):
        kb.row().text("41st")
    with pytest.raises(ValidationError, match="a row has at most 5 buttons"):
        Keyboard().text("1").text("2").text("3").text("4").text("5").text("6")
    ten = Keyboard.from_labels([str(i) for i in range(10)])
    with pytest.raises(ValidationError, match="at most 10 rows"):
        ten.row()


def test_inline_limits_6_rows_10_buttons_and_no_one_time():
    with pytest.raises(ValidationError, match="at most 6 rows"):
        Keyboard.from_labels([str(i) for i in range(7)], inline=True)
    with pytest.raises(ValidationError, match="inline keyboard has at most 10 buttons"):
        Keyboard.from_labels([["a"] * 5, ["b"] * 5, ["c"]], inline=True)
    with pytest.raises(ValidationError, match="one_time is not allowed for inline"):
        Keyboard(inline=True, one_time=True)


@pytest.mark.parametrize(("build", "rule"), [
    (lambda: Keyboard().text(""), "label is 1 to 40"),
    (lambda: Keyboard().text("x" * 41), "label is 1 to 40"),
    (lambda: Keyboard().text(5), "label is 1 to 40"),
    (lambda: Keyboard().text("a", color="red"), "color"),
    (lambda: Keyboard().text("a", payload={"k": "v" * 250}), "at most 255 characters"),
    (lambda: Keyboard().text("a", payload="not json"), "payload must be JSON"),
    (lambda: Keyboard().text("a", payload=5), "payload must be a dict"),
    (lambda: Keyboard().link("a", "javascript:alert(1)"), "http"),
    (lambda: Keyboard().link("a", "https://"), "http"),
    (lambda: Keyboard(one_time="yes"), "True or False"),
    (lambda: Keyboard.from_labels([]), "labels"),
    (lambda: Keyboard.from_labels("Yes"), "labels"),
])
def test_each_button_rule_is_named(build, rule):
    with pytest.raises(ValidationError, match=rule) as caught:
        build()
    assert "keyboard" in str(caught.value)


@pytest.mark.parametrize(("keyboard", "rule"), [
    ({"buttons": [[{"action": {"type": "text", "label": "a"}}]] * 7, "inline": True}, "at most 6 rows"),
    ({"buttons": [[{"action": {"type": "text", "label": "a"}}] * 5] * 9}, "at most 40 buttons"),
    ({"buttons": [[{"action": {"type": "nope", "label": "a"}}]]}, "action.type"),
    ({"buttons": [[{"action": {"type": "open_link", "label": "a"}, "color": "primary"}]]}, "http"),
    ({"buttons": [[{"action": {"type": "location"}, "color": "primary"}]]}, "color is only for"),
    ({"buttons": [[{"label": "no action"}]]}, "action"),
    ({"buttons": 5}, "buttons"),
    ({"buttons": [], "inline": "no"}, "True or False"),
])
def test_a_dict_keyboard_is_checked_by_the_same_rules(keyboard, rule):
    with pytest.raises(ValidationError, match=rule):
        check_keyboard(keyboard)


def test_a_plain_dict_passes_unchanged_and_an_empty_keyboard_hides_it():
    keyboard = {"one_time": True, "buttons": [[{"action": {"type": "location", "payload": "{}"}}]]}
    assert check_keyboard(keyboard) == keyboard
    assert check_keyboard({"buttons": []}) == {"buttons": []}  # VK: an empty keyboard removes a chat's keyboard
    assert json.dumps(check_keyboard(Keyboard.from_labels(["Ок"])), ensure_ascii=False).count("Ок") == 1
