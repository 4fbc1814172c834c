"""The Disk API's answers: ``{"message", "description", "error"}`` errors, JSON bodies, ``fields=``."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from starlette.responses import Response

from .constants import _ERROR_TYPE, _OK_TYPE

# ---------------------------------------------------------------------------------------------------- errors


class DiskError(Exception):
    """An API error answer; raised anywhere in a handler and turned into the Yandex error body."""

    def __init__(self, status: int, error: str, description: str, message: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description, self.message = status, error, description, message

    def response(self) -> Response:
        return disk_error(self.status, self.error, self.description, self.message)


def not_found() -> DiskError:
    return DiskError(404, "DiskNotFoundError", "Resource not found.", "Не удалось найти запрошенный ресурс.")


def field_error(name: str, problem: str = "This field is required.") -> DiskError:
    ru = "Это поле является обязательным." if problem == "This field is required." else problem
    return DiskError(
        400, "FieldValidationError", f'Error validating field "{name}": {problem}',
        f'Ошибка проверки поля "{name}": {ru}',
    )


def path_doesnt_exist(path: str) -> DiskError:
    return DiskError(
        409, "DiskPathDoesntExistsError", f'Specified path "{path}" doesn\'t exists.',
        f'Указанного пути "{path}" не существует.',
    )


def points_to_directory(path: str) -> DiskError:
    return DiskError(
        409, "DiskPathPointsToExistentDirectoryError", f'Specified path "{path}" points to existent directory.',
        f'Указанный путь "{path}" указывает на существующую папку.',
    )


def already_exists(path: str) -> DiskError:
    # The exact wording is UNCONFIRMED (reference §7); the error name is documented.
    return DiskError(
        409, "DiskResourceAlreadyExistsError", f'Resource "{path}" already exists.',
        f'Ресурс "{path}" уже существует.',
    )


def too_large() -> DiskError:
    return DiskError(413, "PayloadTooLargeError", "Payload Too Large", "Размер файла превышает допустимый.")


def insufficient_storage() -> DiskError:
    return DiskError(507, "InsufficientStorageError", "Insufficient Storage", "Недостаточно свободного места.")


def disk_json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=_OK_TYPE)


def disk_error(status: int, error: str, description: str, message: str) -> Response:
    body = json.dumps(
        {"message": message, "description": description, "error": error}, ensure_ascii=False, separators=(",", ":")
    )
    return Response(body.encode(), status_code=status, headers={"content-type": _ERROR_TYPE})


def unauthorized() -> Response:
    return disk_error(401, "UnauthorizedError", "Unauthorized", "Не авторизован.")


def select_fields(data: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """Apply the ``fields`` query parameter: comma-separated keys, nested with dots; others dropped."""
    if not fields:
        return data
    groups: dict[str, list[str]] = {}
    for spec in filter(None, (f.strip() for f in fields.split(","))):
        head, _, rest = spec.partition(".")
        groups.setdefault(head, []).append(rest)
    out: dict[str, Any] = {}
    for head, rests in groups.items():
        if head not in data:
            continue
        value = data[head]
        inner = ",".join(rests)
        if "" in rests or not isinstance(value, (dict, list)):
            out[head] = value
        elif isinstance(value, dict):
            out[head] = select_fields(value, inner)
        else:
            out[head] = [select_fields(v, inner) if isinstance(v, dict) else v for v in value]
    return out


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")
