"""The upload throttle of Yandex's REST API, and the names that avoid it.

Yandex Disk's REST API limits uploads to 128 KiB/s for files whose ``media_type`` is ``data`` (.db, .dat, ...),
``compressed`` (.zip, .gz, .tgz, .rar, ...) or ``video`` (.3gp, .mp4, .avi, ...). The limit is decided when the
upload link is requested, from the target's name; the content does not matter. The known workaround is to upload
under a name without such an extension and then rename the file. Source: yadisk's documentation, "Known Issues",
"Very Slow Upload of Certain Types of Files" (https://github.com/ivknv/yadisk/blob/master/docs/known_issues.rst,
also in yadisk-async's docs/known_issues.rst). At 128 KiB/s a 1 GiB backup archive takes over two hours.

Which extensions Yandex files under each media type is not published; the table below holds the ones the source
names plus the usual archive, database and video extensions (every ``video/*`` type included). A name missed
here is uploaded directly (possibly throttled); a name wrongly listed costs one extra ``move`` call.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath

#: The media types Yandex throttles on upload (yadisk's known issues).
THROTTLED_MEDIA_TYPES = frozenset({"data", "compressed", "video"})

_COMPRESSED = frozenset({
    ".zip", ".gz", ".tgz", ".rar", ".7z", ".bz2", ".tbz2", ".xz", ".txz", ".tar", ".zst", ".lz4", ".lzma", ".z",
    ".cab", ".arj",
})
_DATA = frozenset({".db", ".dat", ".sqlite", ".sqlite3", ".mdb", ".accdb", ".dbf"})
_VIDEO = frozenset({".3gp", ".mp4", ".avi", ".mkv", ".mov", ".wmv", ".flv", ".webm", ".m4v", ".mpg", ".mpeg", ".ts"})

#: Prefix of the temporary names uploads take while the workaround is applied (a hidden name in the same folder).
TEMPORARY_PREFIX = ".upload-"


def throttled_media_type(path: str) -> str | None:
    """The throttled media type Yandex would give the file at ``path`` (``"data"``, ``"compressed"``,
    ``"video"``), or None when its upload is not throttled.

    :param path: a Disk path or a file name.
    """
    name = posixpath.basename(path.rstrip("/"))
    extension = posixpath.splitext(name)[1].lower()
    if not extension:
        return None
    if extension in _COMPRESSED:
        return "compressed"
    if extension in _DATA:
        return "data"
    mime = mimetypes.guess_type(name, strict=False)[0] or ""
    if extension in _VIDEO or mime.startswith("video/"):
        return "video"
    return None


def temporary_upload_path(path: str) -> str:
    """Where a throttled upload goes first: a hidden name without an extension in the same folder.

    The name is derived from the final path, so a retried or re-run upload reuses (and overwrites) the same
    temporary file instead of leaving another one behind.

    :param path: the final Disk path (``disk:/Backups/db.zip``).
    """
    folder, name = posixpath.split(path)
    digest = hashlib.sha256(path.encode()).hexdigest()[:12]
    # No dot after the prefix: the name has no extension, so it has no throttled media type either.
    stem = name.replace(".", "_")[:200]
    return posixpath.join(folder, f"{TEMPORARY_PREFIX}{digest}-{stem}")
