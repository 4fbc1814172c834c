"""The base every service hook builds on: Connection loading, endpoint resolution, transport, token lifecycle.

A service hook declares *what* is different about its service (connection type, endpoint defaults, how to read
its error bodies, how to refresh its tokens, its rate limit) and writes methods named after the user's action.
All plumbing lives here and in :mod:`airflow_provider_social.core`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from functools import cached_property, wraps
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, ParamSpec, TypeVar

from airflow.sdk import BaseHook

from airflow_provider_social.core.errors import SocialApiError, ValidationError
from airflow_provider_social.core.masking import redact, register_secret

# The transport, policy, limiter and token modules are imported where they are used, not here: DAG files import
# operators, operators name hooks, and the scheduler parses DAG files every few seconds (see `make bench`,
# import_cost_ms). A task that runs a hook pays for them once.
if TYPE_CHECKING:
    from airflow_provider_social.core.calls import ApiCall
    from airflow_provider_social.core.declaration import ConnectionForm
    from airflow_provider_social.core.http import Auth, RetryPolicy, Transport
    from airflow_provider_social.core.oauth import OAuth2Client
    from airflow_provider_social.core.policy import ResponsePolicy
    from airflow_provider_social.core.ratelimit import RateLimit
    from airflow_provider_social.core.ratelimit.windows import WindowReader
    from airflow_provider_social.core.spending import Meter, SpendLedger
    from airflow_provider_social.core.tokens import TokenManager, TokenSet, TokenStore

log = logging.getLogger(__name__)

# Connection extras every hook understands (declared once in get_provider_info.COMMON_CONN_FIELDS).
EXTRA_TIMEOUT = "timeout"
EXTRA_PROXY = "proxy"
EXTRA_CA_BUNDLE = "ca_bundle"
EXTRA_MAX_RETRIES = "max_retries"
EXTRA_MAX_RETRY_WAIT = "max_retry_wait"
EXTRA_TOKEN_STORE = "token_store"

# Airflow's connection test (``POST /api/v2/connections/test``, the UI's Test button) exports the connection under
# ``airflow.utils.strings.get_random_string()``: 8 ASCII letters and digits, as ``AIRFLOW_CONN_<ID upper>``.
_TEST_CONN_ID = re.compile(r"[A-Za-z0-9]{8}")
#: What a re-authorisation command names instead of Airflow's temporary test id.
CONN_ID_PLACEHOLDER = "<connection id>"

# Bounds on the transport settings a Connection may carry (checked when the transport is built, before any call).
MAX_RETRIES_LIMIT = 20
MAX_TIMEOUT = 3600.0


P = ParamSpec("P")
R = TypeVar("R")


def delegate(concern: str, method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """A public hook method that runs ``method`` on the hook's concern object named ``concern``.

    Hooks are thin: each concern (``hook.wall``, ``hook.uploads``, ...) is a plain object the hook builds with
    what it needs, and the hook's stable public methods hand over to it. The delegate keeps the concern method's
    name, signature and docstring, so the hook's surface documents itself once::

        class VkHook(SocialHook):
            create_post = delegate("wall", VkWall.create_post)

    :param concern: the name of the hook attribute holding the concern object.
    :param method: the concern class's method (unbound) to run.
    """
    name = method.__name__

    @wraps(method)
    def run(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        return getattr(getattr(self, concern), name)(*args, **kwargs)

    return run


class SocialHook(BaseHook):
    """Shared base of every hook in this provider.

    :param conn_id: the Airflow Connection to use; defaults to the hook's ``default_conn_name``.
    :param token_store: where rotating tokens persist; defaults to the Connection's ``token_store`` extra
        (``variable`` unless set: an Airflow Variable named ``social_token_<conn_id>``).
    :param retry: retry policy; defaults from the Connection's ``max_retries`` / ``max_retry_wait`` extras.
    :param clock: seconds since the epoch, injectable for tests (token expiry and rate-limit resets).
    :param sleep: the wait function, injectable so tests never sleep on a real clock.
    :param connection: an Airflow Connection already loaded (a trigger reads it with ``aget_connection``; the CLI
        builds one before saving it); None loads ``conn_id`` on first use.
    """

    #: Human-readable service name used in errors ("Yandex Disk").
    service_name: ClassVar[str] = ""
    #: Endpoint name (also the Connection extra that overrides it) -> default base URL of the real service.
    default_endpoints: ClassVar[dict[str, str]] = {}
    #: Reads every answer and decides (success, error, retry, renew); None: the plain HTTP-status policy.
    response_policy: ClassVar[ResponsePolicy | None] = None
    #: Token kind -> the service's per-credential limit, enforced by the transport across the process's threads.
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}
    #: Reads the rate windows the service announces in its answers (X's ``x-rate-limit-*``); spent ones are held
    #: for every process sharing the token store (:mod:`core.ratelimit.windows`). None: the service announces none.
    window_reader: ClassVar[WindowReader | None] = None
    #: The CLI command that re-authorises a connection; ``{conn_id}`` is filled in.
    reauth_command: ClassVar[str] = ""
    default_timeout: ClassVar[tuple[float, float]] = (10.0, 60.0)
    #: Set by every service hook (Airflow reads these to build the connection registry).
    conn_type: ClassVar[str]
    conn_name_attr: ClassVar[str]
    default_conn_name: ClassVar[str]
    hook_name: ClassVar[str]

    def __init_subclass__(cls, form: ConnectionForm | None = None, conn_name_attr: str = "", **kwargs: Any) -> None:
        """Give a service hook its Airflow identity from its connection form, declared once in ``connection.py``.

        :param form: the service's connection form: ``conn_type`` and ``hook_name`` come from it, and the default
            connection is ``<conn_type>_default``.
        :param conn_name_attr: the constructor's connection-id parameter; ``<conn_type>_conn_id`` unless given.
        """
        super().__init_subclass__(**kwargs)
        if form is not None:
            cls.conn_type = form.conn_type
            cls.hook_name = form.hook_name
            cls.default_conn_name = f"{form.conn_type}_default"
            cls.conn_name_attr = conn_name_attr or f"{form.conn_type}_conn_id"

    def __init__(
        self,
        conn_id: str | None = None,
        *,
        token_store: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        connection: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id or self.default_conn_name
        self._given_connection = connection
        self._token_store = token_store
        self._retry = retry
        self.clock = clock
        self.sleep = sleep
        self._read_only_tokens = False

    # ---------------------------------------------------------------------------------------------- connection
    @classmethod
    async def for_trigger(cls, conn_id: str, **kwargs: Any) -> Any:
        """A hook for a trigger: the Connection is read with the async ``aget_connection`` (the triggerer's event
        loop must not block on the synchronous one), then handed to the constructor.

        :param conn_id: the connection to read.
        """
        connection = await BaseHook.aget_connection(conn_id)
        return cls(conn_id, connection=connection, **kwargs)

    @cached_property
    def connection(self):  # type: ignore[no-untyped-def]
        """The Airflow Connection, loaded once per hook (or the one given to the constructor)."""
        conn = self._given_connection if self._given_connection is not None else self.get_connection(self.conn_id)
        register_secret(conn.password, "password")
        return conn

    @cached_property
    def extras(self) -> dict[str, Any]:
        """The Connection's extras. Older UIs stored custom fields as ``extra__<conn_type>__<field>``; both spellings
        are accepted, and a set value wins over an unset one (null or empty) whichever spelling holds it: editing
        such a connection in Airflow 3.3's form adds the plain names, every unfilled one as null."""
        extras = dict(self.connection.extra_dejson or {})
        prefix = f"extra__{self.connection.conn_type}__"
        for key in list(extras):
            if key.startswith(prefix) and extras.get(key[len(prefix) :]) in (None, ""):
                extras[key[len(prefix) :]] = extras[key]
        return extras

    def extra(self, name: str, default: Any = None) -> Any:
        """A Connection extra; null, empty and absent all mean ``default`` (the UI saves empty fields as null).

        :param name: the extra's name (``extra__<conn_type>__<name>`` is accepted too).
        :param default: the value when the extra is unset.
        """
        value = self.extras.get(name)
        return default if value in (None, "") else value

    def secret_extra(self, name: str, default: str | None = None) -> str | None:
        """A secret extra, registered with the masker before anything can log it.

        :param name: the extra's name.
        :param default: the value when the extra is unset.
        """
        value = self.extra(name, default)
        register_secret(value, name)
        return value

    def expiry_extra(self, name: str = "expires_at") -> float | None:
        """A token expiry from the Connection, as epoch seconds: a number (or its string) or an ISO 8601 time with
        a zone; None when unset. Anything else is refused naming the field (before any call).

        :param name: the extra's name.
        """
        value = self.extra(name)
        if value is None:
            return None
        number: float | None = None
        if not isinstance(value, bool):
            try:
                number = float(value)
            except (TypeError, ValueError):
                from datetime import datetime

                try:
                    moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
                except ValueError:
                    moment = None
                if moment is not None and moment.tzinfo is not None:
                    number = moment.timestamp()
        # Year 1 to 9999 in epoch seconds: "inf", 1e300 or a negative time are not expiries.
        if number is None or not math.isfinite(number) or not 0 <= number <= 253_402_300_799:
            raise self._setting_error(
                name, f"expected epoch seconds or an ISO 8601 time with a zone (2026-12-31T23:00:00+00:00), "
                      f"got {value!r}",
            )
        return number

    def endpoint(self, name: str) -> str:
        """The base URL for ``name``: the Connection's override, else the real service's default.

        :param name: an endpoint the hook declares in ``default_endpoints`` (also the extra that overrides it).
        """
        try:
            default = self.default_endpoints[name]
        except KeyError:
            raise ValidationError(f"{name}: not an endpoint of {self.service_name}") from None
        value = str(self.extra(name, default)).rstrip("/")
        if value != default.rstrip("/"):
            from urllib.parse import urlsplit

            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                # Caught here, not after five retries of a "network error" on an address that cannot be reached.
                raise self._setting_error(name, f"expected an http(s) URL such as {default}, got {value!r}")
        return value

    def url(self, endpoint_name: str, path: str) -> str:
        """The full URL of ``path`` under an endpoint.

        :param endpoint_name: see :meth:`endpoint`.
        :param path: the path below the base URL.
        """
        return f"{self.endpoint(endpoint_name)}/{path.lstrip('/')}"

    # ---------------------------------------------------------------------------------------------- transport
    def _setting_error(self, name: str, problem: str) -> ValidationError:
        return ValidationError(
            f"connection {self.conn_id!r}, field {name}: {problem}", service=self.service_name,
            operation="read connection",
        )

    def _number_setting(
        self, name: str, default: float, *, minimum: float, maximum: float, whole: bool = False
    ) -> float:
        """A numeric transport setting from the Connection, checked for type and range (named in the error)."""
        value = self.extra(name)
        if value is None:
            return default
        kind = "a whole number" if whole else "a number"
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError):
            raise self._setting_error(name, f"expected {kind} from {minimum:g} to {maximum:g}, got {value!r}") from None
        if not math.isfinite(number) or not minimum <= number <= maximum or (whole and not number.is_integer()):
            raise self._setting_error(name, f"expected {kind} from {minimum:g} to {maximum:g}, got {value!r}")
        return number

    def _retry_policy(self) -> RetryPolicy:
        if self._retry is not None:
            return self._retry
        from airflow_provider_social.core.http import RetryPolicy

        retries = self._number_setting(EXTRA_MAX_RETRIES, 4, minimum=0, maximum=MAX_RETRIES_LIMIT, whole=True)
        wait = self._number_setting(EXTRA_MAX_RETRY_WAIT, 120, minimum=0, maximum=86_400)
        return RetryPolicy(max_attempts=int(retries) + 1, max_total_wait=wait)

    def _timeout(self) -> tuple[float, float]:
        if self.extra(EXTRA_TIMEOUT) is None:
            return self.default_timeout
        value = self._number_setting(EXTRA_TIMEOUT, 0, minimum=0.001, maximum=MAX_TIMEOUT)
        return (min(value, self.default_timeout[0]), value)

    def _proxies(self) -> dict[str, str] | None:
        proxy = self.extra(EXTRA_PROXY)
        if proxy is None:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(str(proxy))
        if parts.scheme not in ("http", "https", "socks5", "socks5h", "socks4") or not parts.hostname:
            raise self._setting_error(
                EXTRA_PROXY, "expected a proxy URL such as http://proxy.example:3128 (http, https or socks5)"
            )
        return {"http": str(proxy), "https": str(proxy)}

    def _verify(self) -> bool | str:
        value = self.extra(EXTRA_CA_BUNDLE)
        if value is None or value is True or str(value).lower() == "true":
            return True
        if value is False or str(value).lower() == "false":
            return False
        if not isinstance(value, str) or not os.path.isabs(value):
            raise self._setting_error(EXTRA_CA_BUNDLE, f"expected true, false or an absolute path to a PEM bundle, "
                                                       f"got {value!r}")
        # Checked where the transport is built (the task's host), before the first request would fail on it.
        if not os.path.isfile(value):
            raise self._setting_error(EXTRA_CA_BUNDLE, f"no file at {value!r} on this host")
        return value

    def check_transport_settings(self) -> None:
        """Validate every transport setting of the Connection (type and range) before any network call."""
        self._retry_policy()
        self._timeout()
        self._proxies()
        self._verify()
        if self._token_store is None:
            self.token_store.check_setting()  # building it validates the field; checking, what it names

    @cached_property
    def transport(self) -> Transport:
        from airflow_provider_social.core.http import Transport
        from airflow_provider_social.core.policy import ResponsePolicy
        from airflow_provider_social.core.ratelimit.windows import WindowBook

        self.check_transport_settings()
        reader = type(self).window_reader
        # The limiter's state lives where the token's does: shared by the Redis, PostgreSQL and file stores.
        backend = self.token_store.rate_backend() if type(self).rate_limits or reader is not None else None
        return Transport(
            service=self.service_name,
            timeout=self._timeout(),
            retry=self._retry_policy(),
            verify=self._verify(),
            proxies=self._proxies(),
            policy=type(self).response_policy or ResponsePolicy(),
            rate_limits=type(self).rate_limits,
            rate_backend=backend if type(self).rate_limits else None,
            windows=WindowBook(self.service_name, self.conn_id, reader, backend, self.clock,
                               app=self.rate_app()) if reader else None,
            sleep=self.sleep,
            clock=self.clock,
            conn_id=self.conn_id,
            reauth_command=self.reauth_hint_command,
            meter=self.make_meter(),
        )

    def rate_app(self) -> str | None:
        """A fingerprint of the app this connection's credentials belong to, whose rate windows every connection of
        the app shares (:mod:`core.ratelimit.windows`); None (the default) when the service has no app windows or
        the connection does not say which app it is."""
        return None

    def make_meter(self) -> Meter | None:
        """What counts this connection's spending and enforces its ``daily_budget`` (:mod:`core.spending`); None
        for services that do not bill per call (the default)."""
        return None

    def spend_ledger(self) -> SpendLedger:
        """This connection's spending ledger, kept where the token store keeps shared state."""
        from airflow_provider_social.core.spending import SpendLedger

        return SpendLedger(self.token_store.spend_documents(), self.service_name, self.conn_id, clock=self.clock)

    # ---------------------------------------------------------------------------------------------- declared calls
    def auth_for(self, kind: str | None) -> Auth | None:
        """The credentials for a token kind; a service with several kinds overrides this and, when the kind's
        credential is missing, raises an error naming the Connection field to fill (before any network call).

        :param kind: the token kind a call declares (``"user"``, ``"community"``, ...); None: no credentials.
        """
        if kind is None:
            return None
        auth = getattr(self, "auth", None)
        if auth is None:
            raise ValidationError(f"{self.service_name} has no {kind} token configured", service=self.service_name)
        return auth

    def call_api(
        self,
        call: ApiCall,
        *,
        path_params: Mapping[str, Any] | None = None,
        url: str | None = None,
        retries: bool = True,
        **options: Any,
    ) -> Any:
        """Run a declared call: its URL from the endpoint and path (or ``url``, e.g. an upload link), the auth of
        its token kind, its own options; ``options`` carry the data (params, json, data, body, headers, timeout).
        ``retries=False`` makes one attempt, for multi-step operations that retry as a whole.

        :param call: the declared call.
        :param path_params: values for the fields of the call's path template (URL-quoted).
        :param url: a whole URL instead of endpoint + path (an upload link the API handed out).
        :param retries: retry within the connection's budget (default) or make one attempt.
        """
        auth = self.auth_for(call.token)
        target = url or self.url(call.endpoint, call.format_path(path_params))
        send = self.transport.request if retries else self.transport.send
        return send(call.method, target, auth=auth, **call.request_options(), **options)

    def get_conn(self) -> Transport:
        """The hook's transport (Airflow's conventional accessor)."""
        return self.transport

    # ---------------------------------------------------------------------------------------------- tokens
    @cached_property
    def token_store(self) -> TokenStore:
        if self._token_store is not None:
            return self._token_store
        from airflow_provider_social.core.tokens.selection import store_for_setting

        return store_for_setting(self.extra(EXTRA_TOKEN_STORE), service=self.service_name)

    def make_token_manager(
        self, seed: TokenSet, refresher: Callable[[TokenSet], TokenSet] | None, **kwargs: Any
    ) -> TokenManager:
        """The token lifecycle for this connection: store first, refresh before expiry, persist before use.

        :param seed: the token set the Connection holds (used until the store has a newer one).
        :param refresher: exchanges a refresh token for a new set; None for tokens that cannot be refreshed.
        """
        from airflow_provider_social.core.tokens import TokenManager

        return TokenManager(
            key=self.conn_id,
            seed=seed,
            store=self.token_store,
            refresher=refresher,
            service=self.service_name,
            reauth_command=self.reauth_hint_command,
            clock=self.clock,
            sleep=self.sleep,
            read_only=self._read_only_tokens,
            **kwargs,
        )

    def connection_token_set(self, access_token: str | None, **fields: Any) -> TokenSet:
        """The OAuth 2.0 tokens the Connection holds: the access token (services keep it in different fields), the
        secret ``refresh_token`` extra and the ``expires_at`` extra (:meth:`expiry_extra`); ``fields`` add the rest.

        :param access_token: the access token as the service's Connection keeps it (None or empty: none).
        """
        from airflow_provider_social.core.tokens import TokenSet

        return TokenSet(access_token=access_token or None, refresh_token=self.secret_extra("refresh_token"),
                        expires_at=self.expiry_extra(), **fields)

    def connection_oauth_client(self, *, token_url: str, client_auth: str, **endpoints: Any) -> OAuth2Client:
        """An OAuth 2.0 client on this hook's transport with the Connection's ``client_id`` and secret
        ``client_secret`` extras; ``endpoints`` are its other URLs (``revoke_url``, ``device_code_url``).

        :param token_url: the token endpoint.
        :param client_auth: ``basic`` (HTTP Basic) or ``body`` (the client credentials in the form).
        """
        from airflow_provider_social.core.oauth import OAuth2Client

        return OAuth2Client(self.transport, token_url=token_url, client_id=self.extra("client_id"),
                            client_secret=self.secret_extra("client_secret"), client_auth=client_auth, **endpoints)

    @property
    def testing_under_temporary_id(self) -> bool:
        """True inside :meth:`test_connection` when the hook runs under Airflow's temporary test id (8 letters and
        digits exported as ``AIRFLOW_CONN_<ID>``), not under the user's connection id."""
        return (
            self._read_only_tokens
            and _TEST_CONN_ID.fullmatch(self.conn_id) is not None
            and f"AIRFLOW_CONN_{self.conn_id.upper()}" in os.environ
        )

    @property
    def reauth_hint_command(self) -> str:
        """The command that re-authorises this connection, for messages. Under Airflow's connection test the hook's
        id is a temporary random one the user never chose: the command then names ``--conn-id <connection id>``."""
        conn_id = CONN_ID_PLACEHOLDER if self.testing_under_temporary_id else self.conn_id
        return self.reauth_command.format(conn_id=conn_id)

    @property
    def refreshes_when_refused(self) -> bool:
        """Whether a refused access token is refreshed once before the call fails (never in a connection test)."""
        if self._read_only_tokens:
            return False
        manager = self.__dict__.get("token_manager")
        return manager is not None and manager.refresher is not None

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
