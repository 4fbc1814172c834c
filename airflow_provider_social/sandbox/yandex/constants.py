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
    # ".bin" is left to its MIME type (application/octet-stream: "unknown"); whether Yandex files it under "data"
    # is UNCONFIRMED (yadisk's known issues name .db and .dat there).
    ".3gp": "video", ".mp4": "video", ".avi": "video",  # named by yadisk's known issues; not in every MIME table
    ".dat": "data", ".db": "data", ".sqlite": "data", ".sqlite3": "data",
    ".iso": "diskimage", ".exe": "executable", ".py": "development",
}

#: Media types whose uploads the REST API throttles, decided from the target's name when the upload link is
#: requested (yadisk docs, "Known Issues": https://github.com/ivknv/yadisk/blob/master/docs/known_issues.rst).
THROTTLED_MEDIA_TYPES = frozenset({"data", "compressed", "video"})
