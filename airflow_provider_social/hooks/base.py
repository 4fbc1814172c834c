"""The base every service hook builds on: Connection loading, endpoint resolution, transport, token lifecycle.

A service hook declares *what* is different about its service (connection type, endpoint defaults, how to read
its error bodies, how to refresh its tokens, its rate limit) and writes methods named after the user's action.
All plumbing lives here and in :mod:`airflow_provider_social.core`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar

from airflow.sdk import BaseHook

from airflow_provider_social.core.errors import ErrorParser, SocialApiError, ValidationError, default_error_parser
from airflow_provider_social.core.http import RetryPolicy, Transport
from airflow_provider_social.core.masking import redact, register_secret
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.core.tokens import (
    FileTokenStore,
    TokenManager,
    TokenSet,
    TokenStore,
    VariableTokenStore,
)

log = logging.getLogger(__name__)

# Connection extras every hook understands (declared once in get_provider_info.COMMON_CONN_FIELDS).
EXTRA_TIMEOUT = "timeout"
EXTRA_PROXY = "proxy"
EXTRA_CA_BUNDLE = "ca_bundle"
EXTRA_MAX_RETRIES = "max_retries"
EXTRA_MAX_RETRY_WAIT = "max_retry_wait"
EXTRA_TOKEN_STORE = "token_store"


class SocialHook(BaseHook):
    """Shared base of every hook in this provider.

    :param conn_id: the Airflow Connection to use; defaults to the hook's ``default_conn_name``.
    :param token_store: where rotating tokens persist; defaults to the Connection's ``token_store`` extra
        (``variable`` unless set: an Airflow Variable named ``social_token_<conn_id>``).
    :param retry: retry policy; defaults from the Connection's ``max_retries`` / ``max_retry_wait`` extras.
    :param clock: seconds since the epoch, injectable for tests (token expiry and rate-limit resets).
    :param sleep: the wait function, injectable so tests never sleep on a real clock.
    """

    #: Human-readable service name used in errors ("Yandex Disk").
    service_name: ClassVar[str] = ""
    #: Endpoint name (also the Connection extra that overrides it) -> default base URL of the real service.
    default_endpoints: ClassVar[dict[str, str]] = {}
    #: Parses this service's error bodies into code/message/error class.
    error_parser: ClassVar[ErrorParser] = staticmethod(default_error_parser)  # type: ignore[assignment]
    #: The CLI command that re-authorises a connection; ``{conn_id}`` is filled in.
    reauth_command: ClassVar[str] = ""
    #: Requests per second allowed for one credential, or None.
    requests_per_second: ClassVar[float | None] = None
    default_timeout: ClassVar[tuple[float, float]] = (10.0, 60.0)
    #: Set by every service hook (Airflow reads these to build the connection registry).
    conn_type: ClassVar[str]
    conn_name_attr: ClassVar[str]
    default_conn_name: ClassVar[str]
    hook_name: ClassVar[str]

    def __init__(
        self,
        conn_id: str | None = None,
        *,
        token_store: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id or self.default_conn_name
        self._token_store = token_store
        self._retry = retry
        self.clock = clock
        self.sleep = sleep
        self._read_only_tokens = False

    # ---------------------------------------------------------------------------------------------- connection
    @cached_property
    def connection(self):  # type: ignore[no-untyped-def]
        """The Airflow Connection, loaded once per hook."""
        conn = self.get_connection(self.conn_id)
        register_secret(conn.password, "password")
        return conn

    @cached_property
    def extras(self) -> dict[str, Any]:
        extras = dict(self.connection.extra_dejson or {})
        # Older UIs stored custom fields as extra__<conn_type>__<field>; accept both spellings.
        prefix = f"extra__{self.connection.conn_type}__"
        for key in list(extras):
            if key.startswith(prefix):
                extras.setdefault(key[len(prefix) :], extras[key])
        return extras

    def extra(self, name: str, default: Any = None) -> Any:
        value = self.extras.get(name)
        return default if value in (None, "") else value

    def secret_extra(self, name: str, default: str | None = None) -> str | None:
        value = self.extra(name, default)
        register_secret(value, name)
        return value

    def endpoint(self, name: str) -> str:
        """The base URL for ``name``: the Connection's override, else the real service's default."""
        try:
            default = self.default_endpoints[name]
        except KeyError:
            raise ValidationError(f"{name}: not an endpoint of {self.service_name}") from None
        return str(self.extra(name, default)).rstrip("/")

    def url(self, endpoint_name: str, path: str) -> str:
        return f"{self.endpoint(endpoint_name)}/{path.lstrip('/')}"

    # ---------------------------------------------------------------------------------------------- transport
    def _retry_policy(self) -> RetryPolicy:
        if self._retry is not None:
            return self._retry
        return RetryPolicy(
            max_attempts=int(self.extra(EXTRA_MAX_RETRIES, 4)) + 1,
            max_total_wait=float(self.extra(EXTRA_MAX_RETRY_WAIT, 120)),
        )

    def _timeout(self) -> tuple[float, float]:
        value = self.extra(EXTRA_TIMEOUT)
        if value is None:
            return self.default_timeout
        return (min(float(value), self.default_timeout[0]), float(value))

    @cached_property
    def transport(self) -> Transport:
        proxy = self.extra(EXTRA_PROXY)
        return Transport(
            service=self.service_name,
            timeout=self._timeout(),
            retry=self._retry_policy(),
            verify=self.extra(EXTRA_CA_BUNDLE, True),
            proxies={"http": proxy, "https": proxy} if proxy else None,
            error_parser=type(self).error_parser,
            sleep=self.sleep,
            clock=self.clock,
        )

    def rate_limit(self, credential: str, rate: float | None = None) -> None:
        """Share a token bucket with every hook in this process that uses the same credential."""
        rate = rate or self.requests_per_second
        if rate:
            self.transport.rate_limiter = rate_limiters.bucket(self.service_name, credential, rate)

    def get_conn(self) -> Transport:
        return self.transport

    # ---------------------------------------------------------------------------------------------- tokens
    @cached_property
    def token_store(self) -> TokenStore:
        if self._token_store is not None:
            return self._token_store
        setting = str(self.extra(EXTRA_TOKEN_STORE, "variable"))
        if setting == "variable":
            return VariableTokenStore()
        if setting.startswith("file:") and len(setting) > len("file:"):
            return FileTokenStore(setting[len("file:") :])
        # No "memory" option here on purpose: a process-local store would drop rotated tokens between tasks.
        raise ValidationError(
            f"{EXTRA_TOKEN_STORE}: expected 'variable' or 'file:<directory>', got {setting!r}",
            service=self.service_name,
        )

    def make_token_manager(
        self, seed: TokenSet, refresher: Callable[[TokenSet], TokenSet] | None, **kwargs: Any
    ) -> TokenManager:
        return TokenManager(
            key=self.conn_id,
            seed=seed,
            store=self.token_store,
            refresher=refresher,
            service=self.service_name,
            reauth_command=self.reauth_command.format(conn_id=self.conn_id),
            clock=self.clock,
            sleep=self.sleep,
            read_only=self._read_only_tokens,
            **kwargs,
        )

    # ---------------------------------------------------------------------------------------------- checks
    def check_connection(self) -> str:
        """Make the cheapest authenticated call; return a short description of the account. Subclasses."""
        raise NotImplementedError

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's connection test (UI "Test" button). Never reveals a secret."""
        self._read_only_tokens = True
        try:
            return True, self.check_connection()
        except SocialApiError as exc:
            return False, str(exc)
        except Exception as exc:  # the UI shows the message; keep it clean
            return False, redact(f"{type(exc).__name__}: {exc}")
