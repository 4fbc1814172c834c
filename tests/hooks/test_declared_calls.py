"""X and Yandex Disk on the declared-call core: one response policy per service, a table of calls."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import ConflictError, NotFoundError
from airflow_provider_social.core.policy import Accept, CallContext, Fail, Retry


class _Response:
    def __init__(self, body, status=400, headers=None):
        self._body = body
        self.status_code = status
        self.text = str(body)
        self.reason = "Bad"
        self.headers = headers or {}

    def json(self):
        return self._body

    def close(self):
        pass


CONTEXT = CallContext("Yandex Disk", "probe", lambda: 0.0)


def test_yandex_disk_policy_maps_the_error_table_and_is_the_hooks():
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook, YandexDiskPolicy
    from airflow_provider_social.hooks.yandex_disk.policy import POLICY

    assert isinstance(POLICY, YandexDiskPolicy) and YandexDiskHook.response_policy is POLICY
    body = {"error": "DiskResourceAlreadyExistsError", "description": "Resource already exists", "message": "x"}
    decision = POLICY.decide(_Response(body, 409), CONTEXT)
    assert isinstance(decision, Fail) and isinstance(decision.error, ConflictError)
    assert decision.error.api_code == "DiskResourceAlreadyExistsError" and "pass overwrite=True" in decision.error.hint
    assert isinstance(POLICY.decide(_Response({}, 201), CONTEXT), Accept)


def test_yandex_link_calls_retry_a_lapsed_link_but_api_calls_do_not():
    from airflow_provider_social.hooks.yandex_disk.calls import CALLS
    from airflow_provider_social.hooks.yandex_disk.policy import LINK_POLICY, POLICY

    lapsed = _Response({"error": "DiskNotFoundError", "description": "gone"}, 404)
    assert isinstance(POLICY.decide(lapsed, CONTEXT), Fail)
    decision = LINK_POLICY.decide(lapsed, CONTEXT)
    assert isinstance(decision, Retry) and isinstance(decision.error, NotFoundError)
    assert isinstance(LINK_POLICY.decide(_Response({}, 507), CONTEXT), Fail)  # no space is final
    links = [call for call in CALLS.values() if call.signed_url]
    assert {call.name for call in links} == {"upload file", "read bytes", "download file"}
    assert all(call.token is None and call.policy is LINK_POLICY for call in links)


@pytest.mark.parametrize("package", ["yandex_disk", "twitter"])
def test_every_call_is_declared_once_with_its_operation_name(package):
    from importlib import import_module

    calls = import_module(f"airflow_provider_social.hooks.{package}.calls").CALLS
    assert calls and all(isinstance(call, ApiCall) for call in calls.values())
    creates = [call for call in calls.values() if call.method == "POST" and call.idempotent is None]
    assert creates == []  # every POST says whether a lost answer may be repeated


def test_every_name_the_hooks_call_is_in_their_table():
    import ast
    from importlib import import_module
    from pathlib import Path

    for package in ("yandex_disk", "twitter"):
        module = import_module(f"airflow_provider_social.hooks.{package}")
        table = import_module(f"{module.__name__}.calls").CALLS
        for source in Path(module.__file__).parent.glob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("call", "send_to_link", "_call", "_send_to_link") and node.args
                        and isinstance(node.args[0], ast.Constant)):
                    assert node.args[0].value in table, f"{source.name}: {node.args[0].value!r} is not declared"
