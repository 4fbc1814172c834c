"""``airflow social usage twitter``: a connection's counted X calls and their estimated cost, today and this month,
beside X's own count of posts read (``GET /2/usage/tweets``) where the app's credentials may read it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any


def usage_twitter(args: argparse.Namespace, *, announce: Callable[[str], None] = print, hook: Any = None) -> None:
    """Print today's and this month's calls and estimated cost of ``--conn-id``, its budget, and X's own count.

    The counts are the ones the connection's token store keeps (files, Redis or PostgreSQL: every worker's calls;
    the Variable store: this process's only, so nothing from the workers).
    """
    from airflow_provider_social.core.errors import SocialApiError
    from airflow_provider_social.core.spending import SpendSummary
    from airflow_provider_social.hooks.twitter import TwitterHook
    from airflow_provider_social.hooks.twitter.costs import PRICES, PRICES_CHECKED

    hook = hook or TwitterHook(args.conn_id)
    summary = SpendSummary.of(hook)
    now = datetime.fromtimestamp(hook.clock(), timezone.utc)
    today = summary.today
    announce(f"X usage of connection {hook.conn_id!r}, as counted here (estimated at X's prices of {PRICES_CHECKED}; "
             f"kept in {summary.kept_in}):")
    for title, totals in ((f"today ({summary.day} UTC)", today), (f"this month ({summary.month_name} UTC)",
                                                                   summary.month)):
        announce(f"  {title}: {totals['calls']} calls, ${totals['usd']:.3f}")
        for kind, line in sorted(totals["kinds"].items()):
            if line["calls"]:
                price = PRICES.get(kind)
                label = price.label if price else kind
                announce(f"    {label:<32} {line['calls']:>6} calls {line['units']:>7} billed   ${line['usd']:.3f}")
    announce(f"  daily budget: {summary.budget_line()}")
    try:
        usage = hook.get_usage(days=max(1, now.day))
    except SocialApiError as exc:
        announce(f"X's own count (GET /2/usage/tweets): not available with these credentials ({exc.api_message})")
        return
    daily = (usage.get("daily_project_usage") or {}).get("usage") or []
    today_count = next((d.get("usage") for d in daily if str(d.get("date", "")).startswith(f"{now:%Y-%m-%d}")), 0)
    ours = today["kinds"].get("post_read", {}).get("units", 0)
    announce(f"X's own count (GET /2/usage/tweets): posts read today {today_count} (ours {ours}), this billing "
             f"cycle {usage.get('project_usage')} of a cap of {usage.get('project_cap')}")
