"""Which group a call is about (the given one, else the connection's ``group_id``), and what OK says about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.ok.posting import SERVICE, check_group_id

if TYPE_CHECKING:
    from airflow_provider_social.hooks.ok.client import OkClient


class OkGroups:
    """The group of each call and ``group.getInfo``.

    :param client: sends OK's declared calls.
    :param default_group: the connection's ``group_id`` (None or empty: the connection names none).
    :param conn_id: the connection, named when no group is given and it has none.
    """

    def __init__(self, client: OkClient, *, default_group: Any, conn_id: str) -> None:
        self.client = client
        self.default_group = default_group
        self.conn_id = conn_id

    def group_id(self, group_id: Any = None) -> str:
        """The given group, else the Connection's ``group_id``.

        :param group_id: a numeric group id (gid), or None for the Connection's."""
        value = group_id if group_id not in (None, "") else self.default_group
        if value in (None, ""):
            raise input_error("group_id", f"no group given and connection {self.conn_id!r} has no group_id",
                              service=SERVICE)
        return check_group_id(value)

    def get_group_info(self, group_id: Any = None,
                       fields: Sequence[str] = ("uid", "name", "description", "members_count")) -> dict[str, Any]:
        """``group.getInfo`` for one group; a ValidationError names the group when OK returns nothing.

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param fields: the group fields to return (OK wants some)."""
        gid = self.group_id(group_id)
        groups = self.client.call("group.getInfo", uids=gid, fields=list(fields))
        if not groups:
            raise input_error("group_id", f"group {gid} was not found (or is not visible to this user)",
                              service=SERVICE, operation="get group info")
        return dict(groups[0])
