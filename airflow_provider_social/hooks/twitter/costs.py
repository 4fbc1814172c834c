"""What X bills for each call under pay-per-use: the one price table, and how a call maps onto it.

Source: X's pricing page, https://docs.x.com/x-api/getting-started/pricing ("Credit consumption details"), as read
on **2026-12-06**; the 2026-04-20 changelog entry (shared/reference/twitter_x_yandex.md section 6) gives the same
create prices. Which endpoint is which kind follows X's own emulator, xdevplatform/playground
(``internal/playground/credits.go``, ``buildEndpointMapping``), where the pricing page names no endpoints.

* Reads are charged **per resource returned** (a post, a user), and "all resources are deduplicated within a
  24-hour UTC day window": the same post read twice in one UTC day is charged once (X calls this a soft guarantee).
* Writes are charged **per request**; a post whose text holds a URL is "Content: Create (with URL)".
* Only successful answers are billed (the emulator counts 2xx answers only) [UNCONFIRMED in X's docs].

To update the table: change :data:`PRICES` (and :data:`PRICES_CHECKED`) from the pricing page or the Developer
Console, and the table in docs/services/twitter.md ("Costs"); the sandbox's billing (sandbox/twitter/billing.py)
keeps its own copy on purpose, so a test compares two independent countings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_social.core.spending import PricedCall

if TYPE_CHECKING:
    import requests

#: When the prices below were last compared with X's pricing page.
PRICES_CHECKED = "2026-12-06"
PRICES_SOURCE = "https://docs.x.com/x-api/getting-started/pricing"


@dataclass(frozen=True)
class Price:
    """One line of X's price list.

    :param label: X's name for it.
    :param usd: US dollars per unit.
    :param per_resource: charged per resource returned (reads) rather than per request.
    :param confirmed: False where no X document ties our calls to this line (see the notes).
    """

    label: str
    usd: float
    per_resource: bool
    confirmed: bool = True


#: Billing kind -> price. UNCONFIRMED lines say why beside them.
PRICES: dict[str, Price] = {
    "post_read": Price("Posts: Read", 0.005, per_resource=True),
    "user_read": Price("User: Read", 0.010, per_resource=True),
    "content_create": Price("Content: Create", 0.015, per_resource=False),
    "content_create_url": Price("Content: Create (with URL)", 0.200, per_resource=False),
    # UNCONFIRMED: the pricing page lists no media upload line; X's emulator bills every upload request (one-shot,
    # initialize, each append, finalize) as Content: Create.
    "media_upload": Price("Content: Create (media upload)", 0.015, per_resource=False, confirmed=False),
    # UNCONFIRMED: X's emulator bills deleting a post as Content: Manage.
    "content_manage": Price("Content: Manage", 0.005, per_resource=False, confirmed=False),
}

_POST_READ = re.compile(r"/2/(?:tweets(?:/search/recent|/search/all|/[0-9]+)?|users/[^/]+/(?:tweets|mentions))$")
_USER_READ = re.compile(r"/2/users/(?:me|[0-9]+|by/username/[^/]+)$")
_UPLOAD = re.compile(r"/(?:2/media/upload(?:/initialize|/[^/]+/append|/[^/]+/finalize)?|1\.1/media/upload\.json)$")
#: Which ``includes`` list holds further resources of a read kind (expansions are billed as well).
_INCLUDES = {"post_read": "tweets", "user_read": "users"}


def kind_of(method: str, path: str, json_body: Any = None) -> str | None:
    """The billing kind of a request, or None for calls X does not bill (token endpoints, media status, usage).

    :param method: the HTTP method.
    :param path: the URL's path (a base URL's own path prefix is allowed before ``/2/``).
    :param json_body: the JSON body (a post's text decides "with URL").
    """
    method = method.upper()
    if method == "GET":
        if _POST_READ.search(path):
            return "post_read"
        if _USER_READ.search(path):
            return "user_read"
        return None  # media status, usage [UNCONFIRMED: X's emulator bills neither]
    if method == "POST" and path.endswith("/2/tweets"):
        return "content_create_url" if _has_link(json_body) else "content_create"
    if method == "DELETE" and re.search(r"/2/tweets/[0-9]+$", path):
        return "content_manage"
    if method == "POST" and _UPLOAD.search(path):
        return "media_upload"
    return None


def _has_link(json_body: Any) -> bool:
    """Whether a post's text holds a link as X finds them (the same rules that weigh its length)."""
    text = json_body.get("text") if isinstance(json_body, dict) else None
    if not text:
        return False
    from airflow_provider_social.hooks.twitter.weighted_text import link_spans

    return bool(link_spans(text))


class XPricing:
    """X's prices for the transport's meter (:class:`~airflow_provider_social.core.spending.Pricing`)."""

    def price(self, method: str, url: str, json_body: Any) -> PricedCall | None:
        """The kind and unit price of a request before it is sent (None: X does not bill it).

        :param method: the HTTP method.
        :param url: the whole URL (its path decides the kind).
        :param json_body: the JSON body (a post's text decides "with URL").
        """
        kind = kind_of(method, urlsplit(url).path, json_body)
        if kind is None:
            return None
        line = PRICES[kind]
        return PricedCall(kind, line.usd, per_resource=line.per_resource)

    def resources(self, call: PricedCall, response: requests.Response) -> list[str]:
        """The ids of the posts or users a read returned: ``data`` (one object or a list) and the same kind's
        ``includes`` (X bills expanded resources too).

        :param call: the priced call (its kind names the ``includes`` list).
        :param response: the successful answer.
        """
        try:
            body = response.json()
        except ValueError:
            return []
        if not isinstance(body, dict):
            return []
        data = body.get("data")
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        includes = body.get("includes")
        if isinstance(includes, dict):
            items = [*items, *(includes.get(_INCLUDES.get(call.kind, ""), None) or [])]
        return [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id") is not None]


PRICING = XPricing()
