"""Which English documentation pages have a current Russian translation (docs/I18N.md describes the layout).

Usage: ``python scripts/docs_i18n.py [--hashes]``. For every English page under ``docs/`` (not ``docs/ru/``) prints
``missing``, ``current`` or ``stale`` (the English page changed since the ``en_hash`` its translation records);
``--hashes`` adds each English page's current hash, the value a translator writes into ``en_hash``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RU = DOCS / "ru"
# Pages of neither edition (notes for translators).
NOT_PAGES = {"I18N.md"}
HASH_LENGTH = 12
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_EN_HASH = re.compile(rf"^en_hash:\s*['\"]?([0-9a-f]{{{HASH_LENGTH}}})['\"]?\s*$", re.MULTILINE)


def english_hash(path: Path) -> str:
    """The first 12 hex digits of the SHA-256 of the file's bytes (``sha256sum FILE | cut -c1-12``)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]


def recorded_hash(markdown: str) -> str | None:
    """The ``en_hash`` of a Russian page's front matter, or None when it has none or a malformed one."""
    front = _FRONT_MATTER.match(markdown)
    if front is None:
        return None
    found = _EN_HASH.search(front.group(1))
    return found.group(1) if found else None


def english_pages(docs: Path = DOCS) -> list[str]:
    """Every English page, as a path relative to ``docs/`` (the same path its translation has under ``docs/ru/``)."""
    return sorted(
        str(p.relative_to(docs)) for p in docs.rglob("*.md")
        if not p.relative_to(docs).parts[0] == "ru" and str(p.relative_to(docs)) not in NOT_PAGES
    )


@dataclass(frozen=True)
class Translation:
    page: str
    state: str  # "missing", "current", "stale" or "no en_hash"
    english_hash: str


def translation_state(page: str, docs: Path = DOCS) -> Translation:
    english = english_hash(docs / page)
    russian = docs / "ru" / page
    if not russian.exists():
        return Translation(page, "missing", english)
    recorded = recorded_hash(russian.read_text(encoding="utf-8"))
    if recorded is None:
        return Translation(page, "no en_hash", english)
    return Translation(page, "current" if recorded == english else "stale", english)


def main(argv: list[str]) -> int:
    show_hashes = "--hashes" in argv
    for page in english_pages():
        t = translation_state(page)
        print(f"{t.state:<11} {page}" + (f"  en_hash: {t.english_hash}" if show_hashes else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
