"""X's weighted post length, as X counts it before it accepts a post.

X publishes its rules as the twitter-text configuration (github.com/twitter/twitter-text, config/v3.json, Apache-2.0):
a post holds up to 280 *weighted* characters; code points in a few ranges (Latin, Cyrillic, general punctuation...)
weigh 1, every other one 2; every link weighs 23 whatever its length (X shortens it to a t.co link); an emoji, even
a sequence of several code points (skin tones, families, flags), weighs 2. The text is NFC-normalised first, and
U+FFFE, U+FEFF and U+FFFF make a post invalid. Which strings are links follows twitter-text's extractor: an
http(s) URL, or a bare domain whose top-level domain X knows (``tlds.py``), with the preceding-character, label
length and t.co rules below. The tests run X's own conformance cases (tests/hooks/data/twitter_text/).

Emoji are found with the ``emoji`` package (Unicode's emoji data, kept current by its maintainers): the Python
standard library has no emoji properties. A lone code point that is not emoji by default (©, ®) counts as text,
as it does on X.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .tlds import COUNTRY_TLDS, GENERIC_TLDS


@dataclass(frozen=True)
class WeightConfig:
    """One twitter-text configuration.

    :param max_weighted_length: the most weighted characters a post holds (280).
    :param default_weight: the weight of a code point outside ``ranges`` and of an emoji, in ``scale`` units.
    :param ranges: ``(first code point, last code point, weight)`` of the lighter code points.
    :param url_length: what every link counts, in characters (23: X shortens each link to a t.co one).
    :param emoji_parsing: whether an emoji, sequence and all, counts once (config v3) or per code point (v2).
    :param scale: the units of a weight per character (weights are in hundredths).
    """

    max_weighted_length: int
    default_weight: int
    ranges: tuple[tuple[int, int, int], ...]
    url_length: int
    emoji_parsing: bool
    scale: int = 100


_RANGES = ((0x0000, 0x10FF, 100), (0x2000, 0x200D, 100), (0x2010, 0x201F, 100), (0x2032, 0x2037, 100))

# Config v2 weighs each code point of an emoji on its own; v3, what X uses today, counts a whole emoji as 2.
CONFIG_V2 = WeightConfig(max_weighted_length=280, default_weight=200, ranges=_RANGES, url_length=23,
                         emoji_parsing=False)
CONFIG_V3 = WeightConfig(max_weighted_length=280, default_weight=200, ranges=_RANGES, url_length=23,
                         emoji_parsing=True)

INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")


@dataclass(frozen=True)
class WeightedText:
    """What X makes of a post's text.

    :param weighted_length: its weighted length.
    :param valid: no invalid character, not empty, and within the maximum.
    """

    weighted_length: int
    valid: bool


def parse_text(text: str, config: WeightConfig = CONFIG_V3) -> WeightedText:
    """Weighted length and validity of ``text`` under ``config`` (X's current rules by default)."""
    text = unicodedata.normalize("NFC", text)
    spans: dict[int, int] = {}  # start -> end of each entity that counts as one unit; links take precedence
    if config.emoji_parsing:
        for start, end in _emoji_spans(text):
            spans[start] = end
    link_starts = set()
    for start, end in link_spans(text):
        spans[start] = end
        link_starts.add(start)
    total = 0
    index = 0
    while index < len(text):
        entity_end = spans.get(index)
        if entity_end is not None:
            total += config.url_length * config.scale if index in link_starts else config.default_weight
            index = entity_end
            continue
        total += _code_point_weight(ord(text[index]), config)
        index += 1
    weighted = total // config.scale
    valid = 0 < weighted <= config.max_weighted_length and not INVALID_CHARACTERS.intersection(text)
    return WeightedText(weighted, valid)


def _code_point_weight(code_point: int, config: WeightConfig) -> int:
    for first, last, weight in config.ranges:
        if first <= code_point <= last:
            return weight
    return config.default_weight


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """The emoji in ``text``, longest first at each position, as X's emoji parser finds them."""
    names, prefixes, presented = _emoji_table()
    spans = []
    index = 0
    while index < len(text):
        end = None
        probe = index + 1
        while probe <= len(text) and (text[index:probe] in prefixes or text[index:probe] in names):
            if text[index:probe] in names:
                end = probe
            probe += 1
        # ©, ® and other text-style symbols on their own are characters to X, not emoji (no U+FE0F, no sequence).
        if end is not None and (end - index > 1 or text[index] in presented):
            spans.append((index, end))
            index = end
        else:
            index += 1
    return spans


@lru_cache(maxsize=1)
def _emoji_table() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Every emoji and emoji sequence Unicode lists (from the emoji package), their proper prefixes, and the
    single code points that show as emoji by default (fully qualified on their own)."""
    import emoji

    names = frozenset(emoji.EMOJI_DATA)
    prefixes = frozenset(name[:length] for name in names for length in range(1, len(name)))
    fully_qualified = emoji.STATUS["fully_qualified"]
    presented = frozenset(name for name in names
                          if len(name) == 1 and emoji.EMOJI_DATA[name]["status"] == fully_qualified)
    return names, prefixes, presented


# Links, as twitter-text's extractor finds them (the facts: which characters may precede, form a domain, a path or a
# query; the 63-character DNS label limit after punycode; 4096 characters at most; a t.co link ends at its slug).
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_PUNCTUATION = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = ("\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f"
                  "\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
_CYRILLIC = "\u0400-\u04ff"
MAX_URL_LENGTH = 4096
MAX_LABEL_LENGTH = 63
MAX_TCO_SLUG_LENGTH = 40


def _tld_group(names: frozenset[str]) -> str:
    ordered = sorted(names, key=lambda name: (-len(name), name))
    return "(?:(?:" + "|".join(re.escape(name) for name in ordered) + r")(?=[^0-9a-zA-Z@+\-]|\Z))"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    domain_char = f"[^{_PUNCTUATION}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    tld = f"(?:{_tld_group(GENERIC_TLDS)}|{_tld_group(COUNTRY_TLDS)}|(?:xn--[\\-0-9a-z]+))"
    subdomain = f"(?:(?:{domain_char}(?:[_\\-]|{domain_char})*)?{domain_char}\\.)"
    domain_name = f"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\\.)"
    path_char = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
    parens = f"\\((?:{path_char}+|{path_char}*\\({path_char}+\\){path_char}*)\\)"
    path_end = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{parens})"
    path = f"(?:{path_char}*(?:{parens}{path_char}*)*{path_end}|@{path_char}+/)"
    query = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"
    preceding = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
    link = re.compile(
        f"(?P<before>{preceding})(?P<url>(?P<protocol>https?://)?(?P<domain>{subdomain}*{domain_name}{tld})"
        f"(?::[0-9]+)?(?P<path>/{path}*)?(?:{query})?)",
        re.IGNORECASE,
    )
    ascii_domain = re.compile(f"(?:[\\-a-z0-9{_LATIN_ACCENTS}]+\\.)+{tld}", re.IGNORECASE)
    tco = re.compile(f"https?://t\\.co/(?P<slug>[a-z0-9]+)(?:{query})?", re.IGNORECASE)
    return link, ascii_domain, tco


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where X sees links in ``text``: (start, end) code point offsets."""
    if "." not in text:
        return []
    link, ascii_domain, tco = _patterns()
    spans = []
    for found in link.finditer(text):
        url, protocol, domain = found["url"], found["protocol"], found["domain"]
        start, end = found.start("url"), found.end("url")
        if not _fits_dns(domain, ascii_domain) or len(protocol or "https://") + len(url) > MAX_URL_LENGTH:
            continue
        if protocol:
            short = tco.match(url)
            if short:
                if len(short["slug"]) > MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + short.end()
            spans.append((start, end))
            continue
        # Without a scheme only ASCII domains are links, and not right after "-", "_", "." or "/".
        if found["before"][-1:] in ("-", "_", ".", "/"):
            continue
        found_domains = [(start + m.start(), start + m.end()) for m in ascii_domain.finditer(domain)]
        if found_domains and found["path"]:
            found_domains[-1] = (found_domains[-1][0], end)
        spans.extend(found_domains)
    return spans


def _punycode_label(label: str) -> str:
    return label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")


def _fits_dns(domain: str, ascii_domain: re.Pattern[str]) -> bool:
    if domain[:4].lower() == "xn--" and not ascii_domain.search(domain):
        return False  # a punycode name holds ASCII only
    return all(1 <= len(_punycode_label(label)) <= MAX_LABEL_LENGTH for label in domain.split("."))

