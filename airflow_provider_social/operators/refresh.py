"""The "keep tokens fresh" operator the OAuth services share: renew a connection's credentials now, persist them, and
return when they expire -- never a token.

Each service's operator (``TwitterRefreshTokenOperator``, ``OkRefreshTokenOperator``) puts its base operator first
(the connection parameter, its check and the service, from the service's hook mixin), then names the fields of its
XCom result and how its hook renews; the rest is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_social.core.hook_mixin import ServiceHookMixin

if TYPE_CHECKING:
    from airflow.sdk import Context


class RefreshCredentialsOperator(ServiceHookMixin[Any], BaseOperator):
    """Renew a connection's credentials now and persist them in the token store; the result (pushed to XCom) says
    when they expire, in ISO time (None: they live while they are used) -- never a token. The connection parameter
    is the service's (``class OkRefreshTokenOperator(OkBaseOperator, RefreshCredentialsOperator)``).
    """

    #: The keys of the result, in order: from ``conn_id``, ``expires_at`` and the fields :meth:`renew` returns.
    result_fields: ClassVar[Sequence[str]]
    #: The task log's line, formatted with the result's fields (``expires_at`` never None in it).
    renewal_log: ClassVar[str]
    #: What the log says of credentials that do not expire by the clock.
    lifetime_while_used: ClassVar[str] = "never, while used"

    def __init__(self, **kwargs: Any) -> None:
        """No argument of its own: the connection parameter is the service base operator's, the rest Airflow's."""
        super().__init__(**kwargs)

    def renew(self, conn_id: str) -> dict[str, Any]:
        """Renew the credentials now through the service's hook; returns ``expires_at`` (epoch seconds or None) and
        the result's other fields.

        :param conn_id: the connection.
        """
        raise NotImplementedError

    def execute(self, context: Context) -> dict[str, Any]:
        """Renew, persist and report.

        :param context: the task's Airflow context.
        """
        # The rendered id is checked first: an empty one must not fall back to the default connection.
        conn_id = self.checked_conn_id()
        renewed = self.renew(conn_id)
        expires_at = renewed.get("expires_at")
        expires = datetime.fromtimestamp(expires_at, tz=timezone.utc).isoformat() if expires_at else None
        result = {**renewed, "conn_id": conn_id, "expires_at": expires}
        self.log.info(self.renewal_log.format(**{**result, "expires_at": expires or self.lifetime_while_used}))
        return {field: result[field] for field in self.result_fields}
