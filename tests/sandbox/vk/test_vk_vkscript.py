"""The VKScript subset of the sandbox's execute: what clients send runs, the rest is refused (12/13)."""

from __future__ import annotations

import pytest
import requests
from vk_helpers import Vk

from airflow_provider_social.sandbox.vk.state import GROUP_ID


def test_variables_loops_and_bare_keys_run(vk: Vk) -> None:
    code = ("var ids = [], i = 1;"
            "while (i <= 3) { ids.push(API.users.get({user_ids: i})[0].id); i = i + 1; };"
            "if (ids.length == 3 && !false) { return {ids: ids, tail: ids.slice(-2), half: 7 / 2}; }"
            "else { return null; }")
    assert vk.ok("execute", code=code) == {"ids": [1, 2, 3], "tail": [2, 3], "half": 3.5}


def test_a_loop_past_25_api_calls_is_error_13(vk: Vk) -> None:
    code = "var i = 0; while (i < 30) { API.users.get({user_ids: 1}); i = i + 1; } return i;"
    assert vk.err("execute", code=code)["error_code"] == 13
    assert vk.err("execute", code="var i = 0; while (true) { i = i + 1; } return i;")["error_code"] == 13


@pytest.mark.parametrize(("method", "seed", "page"), [("wall.get", {"posts": 2600}, 100),
                                                       ("groups.getMembers", {"members": 30_000}, 1000)])
def test_vk_api_get_all_reads_everything_through_the_sandbox(vk: Vk, sandbox, method, seed, page) -> None:
    """vk_api's own VkTools.get_all code (its VKScript paging loop) against the sandbox: every item once."""
    import vk_api
    from vk_api.tools import VkTools

    sandbox.control.vk_configure(seed=seed)
    sent = []

    class ToSandbox(requests.Session):
        def request(self, verb, target, *args, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(target)
            return super().request(verb, target.replace("https://api.vk.ru", f"{sandbox.base_url}/vk-api"), *args,
                                   **kwargs)

    session = vk_api.VkApi(token=vk.user, session=ToSandbox(), api_version="5.199")
    values = {"owner_id": -GROUP_ID} if method == "wall.get" else {"group_id": GROUP_ID}
    result = VkTools(session).get_all(method, page, values)
    items = result["items"]
    keys = [item["id"] if isinstance(item, dict) else item for item in items]
    expected = seed.get("posts") or len(sandbox.state.services["vk"].groups[GROUP_ID].members)
    assert len(keys) == len(set(keys)) == expected
    assert len(sent) == -(-expected // (25 * page))
