"""Names, prefixes and limits of the Yandex Disk sandbox (reference section 7)."""

from __future__ import annotations

NAME = "yandex_disk"
PREFIX = "/yandex-disk"
UPLOADER_NAME = "yandex_uploader"
UPLOADER_PREFIX = "/yandex-uploader"
DOWNLOADER_NAME = "yandex_downloader"
DOWNLOADER_PREFIX = "/yandex-downloader"
GIB = 1024**3
MAX_PATH = 32760
MAX_NAME = 255
CHUNK = 1024 * 1024
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# Successes and errors differ in content type at the real API (reference §7).
_OK_TYPE = "application/json; charset=utf-8"
_ERROR_TYPE = "application/json"

_MEDIA_TYPES = {
    "image": "image", "video": "video", "audio": "audio",
}
_EXT_MEDIA = {
    ".zip": "compressed", ".gz": "compressed", ".tgz": "compressed", ".rar": "compressed", ".7z": "compressed",
    ".bz2": "compressed", ".xz": "compressed", ".tar": "compressed",
    ".doc": "document", ".docx": "document", ".pdf": "document", ".odt": "document", ".rtf": "document",
    ".xls": "spreadsheet", ".xlsx": "spreadsheet", ".ods": "spreadsheet", ".csv": "spreadsheet",
    ".ppt": "development", ".txt": "text", ".md": "text", ".log": "text", ".json": "text", ".xml": "text",
    ".bin": "data", ".dat": "data", ".iso": "diskimage", ".exe": "executable", ".py": "development",
}
