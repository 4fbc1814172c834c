"""VK API errors as the sandbox answers them: ``{"error": {"error_code", "error_msg", "request_params", ...}}``.

Codes and short descriptions are VK's own (``VKCOM/vk-api-schema`` ``errors.json``, schema 5.199). The
full ``error_msg`` wordings come from recorded VK traffic and VK's docs where one was found (each noted below);
``request_params`` is the list of ``{"key", "value"}`` pairs VK echoes, starting with ``method`` and
``oauth`` (dev.vk.ru/ru/api/captcha-error) and never containing the access token.
"""

from __future__ import annotations

from typing import Any

# error_msg texts. Recorded wordings: 5 (no token / invalid / expired: VK error bodies quoted by clients),
# 8 (python vk library tests: "8. Invalid request: v is required"), 27 (clients matching it verbatim),
# 15 ("Access denied: no access to call this method. It cannot be called with current scopes.", bot docs),
# 100 ("One of the parameters specified was missing or invalid: owner_id is undefined", recorded wall.get).
NO_TOKEN = "User authorization failed: no access_token passed."
INVALID_TOKEN = "User authorization failed: invalid access_token (4)."
EXPIRED_TOKEN = "User authorization failed: access_token has expired."
V_REQUIRED = "Invalid request: v is required"
# UNCONFIRMED wording; VK refuses versions below 5.0 with error 8.
V_TOO_OLD = "Invalid request: versions below 5.0 are no longer supported"
# Methods VK serves only from a later version. The story upload servers refuse older versions saying the API
# version is outdated (VKCOM/vk-php-sdk#115, May 2024: "5.236 or later"); the sentence below is the form VK's
# version floors answer with (error 8, recorded by clients for the 5.21 and 5.81 floors), with this floor's number.
METHOD_MIN_VERSION = {"stories.getPhotoUploadServer": "5.236", "stories.getVideoUploadServer": "5.236"}
UNKNOWN_METHOD = "Unknown method passed"
TOO_MANY_RPS = "Too many requests per second"
FLOOD = "Flood control"
# 9 for messages: VK's FAQ (vk.com/faq11583, as quoted by client docs) and clients matching it verbatim.
FLOOD_MESSAGES = "Flood control: too much messages sent to user"
# 29: the schema's description and VK's answers as recorded by clients ({"error_code":29,"error_msg":"Rate limit
# reached"}); VK's error list adds that a method's call quota was reached.
RATE_LIMIT_REACHED = "Rate limit reached"
CAPTCHA = "Captcha needed"
GROUP_AUTH = "Group authorization failed: method is unavailable with group auth."
NO_ACCESS = "Access denied: no access to call this method"
NO_SCOPE = "Access denied: no access to call this method. It cannot be called with current scopes."
PARAM_PREFIX = "One of the parameters specified was missing or invalid: "


class VkError(Exception):
    """One VK API error; ``extra`` goes into the error object next to code and message (captcha fields)."""

    def __init__(self, code: int, msg: str, **extra: Any) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.extra = extra

    def body(self, request_params: list[dict[str, str]]) -> dict[str, Any]:
        error: dict[str, Any] = {"error_code": self.code, "error_msg": self.msg, "request_params": request_params}
        error.update(self.extra)
        return {"error": error}

    def short(self, method: str) -> dict[str, Any]:
        """The form an inner call's error takes in ``execute_errors``."""
        return {"method": method, "error_code": self.code, "error_msg": self.msg}


def version_too_old(floor: str) -> str:
    return (f"Invalid request: versions below {floor} are deprecated. Version param should be passed as \"v\". "
            "\"version\" param is invalid and not supported. For more information go to "
            "https://vk.com/dev/constant_version_updates")


def missing(name: str) -> VkError:
    return VkError(100, f"{PARAM_PREFIX}{name} is undefined")


def invalid(name: str, why: str = "is invalid") -> VkError:
    return VkError(100, f"{PARAM_PREFIX}{name} {why}")


def request_params(method: str, params: dict[str, str]) -> list[dict[str, str]]:
    """What VK echoes back: method, oauth, then the caller's parameters minus the token."""
    echoed = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    echoed += [{"key": k, "value": v} for k, v in params.items() if k != "access_token"]
    return echoed
