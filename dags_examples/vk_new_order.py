"""A new order in the VK community shop starts a run that thanks the buyer (event-driven: no schedule, no polling
task).

The DAG is scheduled on an asset whose watcher is :class:`VkCommunityEventTrigger` on ``market_order_new``: the
triggerer holds a Bots Long Poll check open, and each new order becomes an asset event whose ``extra["payload"]``
is VK's event (``object`` is the order). Several orders arriving together may share one run, so the task handles
a list; a triggerer restart may repeat an order (docs/events.md), so the message's ``random_id`` comes from the
order's id and VK sends it once whatever happens.

Community settings (docs/events.md): Long Poll API on, API version 5.199, event type ``market_order_new``; the
connection needs a community key with ``manage`` and ``messages`` (``community_token``).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger

NEW_ORDERS = Asset(
    "vk_market_orders",
    watchers=[AssetWatcher(name="vk_market_order_new",
                           trigger=VkCommunityEventTrigger(event_types=["market_order_new"], vk_conn_id="vk_default"))],
)


@dag(dag_id="vk_new_order", schedule=[NEW_ORDERS], start_date=datetime(2026, 1, 1), catchup=False,
     tags=["vk", "events"])
def vk_new_order():
    @task
    def new_orders(**context) -> list[dict]:
        """The orders of the events that started this run, each once."""
        orders: dict[int, dict] = {}
        for event in context["triggering_asset_events"][NEW_ORDERS]:
            payload = event.extra.get("payload") or {}
            if payload.get("type") == "market_order_new":
                order = payload["object"]
                orders.setdefault(int(order["id"]), order)
        print(f"{len(orders)} new order(s)")
        return list(orders.values())

    @task
    def thank_buyers(orders: list[dict]) -> list[int]:
        from airflow_provider_social.hooks.vk import VkHook

        hook = VkHook("vk_default")
        sent = []
        for order in orders:
            text = (f"Thank you for order {order.get('display_order_id', order['id'])} "
                    f"({order.get('total_price', {}).get('text', '')}): we are packing it now.")
            # The same order always gets the same random_id: VK sends it once, even if the run repeats.
            hook.send_message(order["user_id"], text, random_id=int(order["id"]) % 2**31)
            sent.append(int(order["id"]))
        return sent

    thank_buyers(new_orders())


vk_new_order()
