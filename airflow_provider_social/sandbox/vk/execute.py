"""``execute``: runs the VKScript subset of :mod:`.vkscript` (the batch clients send and vk_api's paging loop).

At most 25 API calls per run (dev.vk.ru/ru/method/execute): a script whose text has more calls and no loop is
refused before it runs, a loop that makes a 26th call stops there; both answer error 13 (UNCONFIRMED wording).
An inner call that fails yields ``false`` in its place and an entry ``{"method", "error_code", "error_msg"}`` in
``execute_errors``, in call order; like the recorded VK answers (voronind/vk#42, vkbottle's tests) a last entry
with ``"method": "execute"`` repeats the last failure (UNCONFIRMED where VK puts it with several failures; at the
end keeps ordered pairing right).
"""

from __future__ import annotations

from typing import Any

from .errors import VkError, missing
from .methods.registry import Call, method
from .params import to_param
from .routes import ExecuteResult, invoke
from .vkscript import compile_script

MAX_CALLS = 25


@method("execute", ("user", "community"))
def execute(call: Call) -> ExecuteResult:
    code = call.params.str("code", required=True)
    if code is None:
        raise missing("code")
    program = compile_script(code)
    if not program.loops and program.api_calls > MAX_CALLS:
        raise VkError(13, "Runtime error occurred during code invocation: Too many API calls")
    failures: list[dict[str, Any]] = []

    def call_api(name: str, params: dict[str, Any]) -> Any:
        data = {str(k): to_param(v) for k, v in params.items()}
        try:
            if name == "execute":
                raise VkError(3, "Unknown method passed")
            result = invoke(call.vk, call.token, name, data, call.v, call.base_url)
        except VkError as exc:
            failures.append(exc.short(name))
            return False
        return result.response if isinstance(result, ExecuteResult) else result

    response = program.run(call_api)
    if failures:
        failures.append({**failures[-1], "method": "execute"})
    return ExecuteResult(response, failures)
