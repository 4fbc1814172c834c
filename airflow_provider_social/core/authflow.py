"""One OAuth 2.0 authorization-code flow (RFC 6749 section 4.1, PKCE S256 of RFC 7636) that each service configures.

A service declares an :class:`AuthCodeConfig` (its consent page, scopes and their separator, how its token
endpoint takes the client secret, extra authorize parameters, parameters that come back on the redirect and stay
with the tokens). :class:`AuthCodeFlow` needs no terminal and no HTTP server::

    flow = AuthCodeFlow(config, oauth_client, redirect_uri=...)
    url, pending = flow.start()            # send the user to ``url``; keep ``pending`` (it holds the PKCE verifier)
    tokens = flow.finish(pending, redirect_url=url_the_browser_landed_on)   # or code=..., state=...

``state`` is random and single-use: a mismatched state is refused (and does not spend the pending request, so a
forged callback cannot cancel the real one); once the state matches, the request is spent whatever happens next.
The CLI's loopback listener and paste prompt (``core/setup/terminal.py``) are thin layers on top; a UI plugin would keep
``pending`` server-side, keyed by its state. Import-light: read by ``get_provider_info`` through the declarations.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from airflow_provider_social.core.errors import SocialApiError, input_error
from airflow_provider_social.core.masking import register_secret

if TYPE_CHECKING:
    from airflow_provider_social.core.http import Transport
    from airflow_provider_social.core.oauth import OAuth2Client
    from airflow_provider_social.core.tokens import TokenSet

CLIENT_AUTH_STYLES = ("basic", "body")


@dataclass(frozen=True)
class AuthCodeConfig:
    """What one service's authorization-code flow differs in; declared beside the service's hook.

    :param service: the service's name in messages (``"X"``).
    :param authorize_url: the consent page (a Connection may override it, e.g. for the sandbox).
    :param scopes: the default scopes, as the service writes them (joined by ``scope_separator``).
    :param scope_separator: ``" "`` (RFC 6749, X, VK ID), ``","`` (legacy VK), ``";"`` (OK).
    :param client_auth: how the token endpoint takes a client secret: ``"basic"`` (HTTP Basic) or ``"body"``.
    :param pkce: send an S256 code challenge (and the verifier with the code).
    :param authorize_params: fixed extra parameters of the authorize URL (e.g. a display mode).
    :param redirect_params: parameters that come back on the redirect besides ``code`` and ``state`` (VK ID's
        ``device_id``): required, sent with the code exchange and kept in the token set's ``extra``.
    :param send_state: the token endpoint wants the ``state`` too (VK ID).
    :param code_lifetime: said when the exchange fails, e.g. ``"X codes live 30 seconds"``.
    :param default_redirect_uri: used when neither the caller nor the Connection names one.
    """

    service: str
    authorize_url: str
    scopes: str = ""
    scope_separator: str = " "
    client_auth: str = "basic"
    pkce: bool = True
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    redirect_params: tuple[str, ...] = ()
    send_state: bool = False
    code_lifetime: str = ""
    default_redirect_uri: str = "http://127.0.0.1:8765/callback"

    def __post_init__(self) -> None:
        if self.client_auth not in CLIENT_AUTH_STYLES:
            raise input_error("client_auth", f"must be 'basic' or 'body', got {self.client_auth!r}")
        if len(self.scope_separator) != 1:
            raise input_error("scope_separator", f"must be one character such as ' ', ',' or ';', got "
                              f"{self.scope_separator!r}")
        reserved = {"code", "state", "error", "error_description"} & set(self.redirect_params)
        if reserved:
            raise input_error("redirect_params", f"{sorted(reserved)} are read by the flow itself")

    def join_scopes(self, scopes: str | Sequence[str] | None) -> str:
        """The scope parameter: ``scopes`` (a string in the service's notation, or a list) or the defaults.

        Whitespace around each scope is dropped; a scope containing the separator or whitespace is refused.
        """
        if scopes is None or (isinstance(scopes, str) and not scopes.strip()):
            scopes = self.scopes
        if isinstance(scopes, str):
            items = scopes.split() if self.scope_separator == " " else scopes.split(self.scope_separator)
        else:
            items = list(scopes)
        names = [str(item).strip() for item in items if str(item).strip()]
        for name in names:
            if self.scope_separator in name or any(ch.isspace() for ch in name):
                raise input_error("scope", f"{name!r} is not one scope: {self.service} separates scopes with "
                                  f"{self.scope_separator!r}", service=self.service, operation="authorize")
        return self.scope_separator.join(names)

    def token_client(self, transport: Transport, *, token_url: str, client_id: str | None,
                     client_secret: str | None = None, **kwargs: Any) -> OAuth2Client:
        """An :class:`OAuth2Client` for this service's token endpoint, with the declared client authentication."""
        from airflow_provider_social.core.oauth import OAuth2Client

        return OAuth2Client(transport, token_url=token_url, client_id=client_id, client_secret=client_secret,
                            client_auth=self.client_auth, **kwargs)


@dataclass
class PendingAuthorization:
    """One started authorisation: what :meth:`AuthCodeFlow.finish` checks the answer against. Single-use."""

    state: str = field(repr=False)
    redirect_uri: str
    scope: str
    authorize_url: str = field(repr=False)
    code_verifier: str | None = field(default=None, repr=False)
    spent: bool = False


class AuthorizationFlowError(SocialApiError):
    """The answer to an authorisation request cannot be used.

    ``reason`` is one of ``denied`` (the user or the server refused), ``state`` (not the answer to this request),
    ``spent`` (this request was already answered), ``no_code``, ``missing_param`` (a declared redirect parameter
    is absent), ``exchange`` (the token endpoint refused the code). Messages never carry the code.
    """

    def __init__(self, message: str, *, reason: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason


class AuthCodeFlow:
    """The authorization-code flow of one service, for one client and one redirect URI."""

    def __init__(
        self,
        config: AuthCodeConfig,
        client: OAuth2Client,
        *,
        redirect_uri: str | None = None,
        scopes: str | Sequence[str] | None = None,
        authorize_url: str | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.redirect_uri = redirect_uri or config.default_redirect_uri
        self.scope = config.join_scopes(scopes)
        self.authorize_url = authorize_url or config.authorize_url
        self._check()

    def _error(self, field_name: str, problem: str) -> SocialApiError:
        return input_error(field_name, problem, service=self.config.service, operation="authorize")

    def _check(self) -> None:
        if not self.client.client_id:
            raise self._error("client_id", f"the {self.config.service} app's client ID is required")
        target = urlsplit(self.redirect_uri)
        if not target.scheme or not (target.netloc or target.path) or target.fragment:
            raise self._error("redirect_uri", f"must be an absolute URI without a fragment (RFC 6749 section "
                              f"3.1.2), got {self.redirect_uri!r}")
        page = urlsplit(self.authorize_url)
        if page.scheme not in ("http", "https") or not page.netloc or page.fragment:
            raise self._error("authorize_url", f"must be an http(s) URL without a fragment, got "
                              f"{self.authorize_url!r}")

    @property
    def service(self) -> str:
        return self.config.service

    def start(self) -> tuple[str, PendingAuthorization]:
        """A fresh authorize URL (new random state, new PKCE pair) and the pending request to finish it with."""
        from airflow_provider_social.core.oauth import new_state, pkce_pair

        state = new_state()
        params: dict[str, str] = {
            "response_type": "code",
            "client_id": str(self.client.client_id),
            "redirect_uri": self.redirect_uri,
        }
        if self.scope:
            params["scope"] = self.scope
        params["state"] = state
        verifier = None
        if self.config.pkce:
            verifier, challenge = pkce_pair("S256")
            register_secret(verifier, "code_verifier")
            params.update(code_challenge=challenge, code_challenge_method="S256")
        params.update(self.config.authorize_params)
        # quote, not quote_plus: spaces as %20, which every server reads (X expects it; '+' is not universal).
        query = urlencode(params, quote_via=quote)
        join = "&" if urlsplit(self.authorize_url).query else "?"
        url = f"{self.authorize_url}{join}{query}"
        return url, PendingAuthorization(state=state, redirect_uri=self.redirect_uri, scope=self.scope,
                                         authorize_url=url, code_verifier=verifier)

    def finish(
        self,
        pending: PendingAuthorization,
        redirect_url: str | None = None,
        *,
        code: str | None = None,
        state: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> TokenSet:
        """Check the answer (the URL the browser was sent to, or its parameters) and exchange the code at once.

        Raises :class:`AuthorizationFlowError`; nothing is sent to the token endpoint unless the state matches.
        """
        answer = self._answer(redirect_url, code=code, state=state, params=params)
        register_secret(answer.get("code"), "authorization_code")
        if pending.spent:
            raise self._refused("this authorisation request was already answered; start a new one", "spent")
        if answer.get("error"):
            # Reported before the state check: a refusal yields no tokens, and the user should learn why.
            if secrets.compare_digest(answer.get("state", ""), pending.state):
                pending.spent = True
            detail = " ".join(filter(None, (answer["error"], answer.get("error_description", ""))))
            raise self._refused(f"{self.service} refused the authorisation: {detail}", "denied",
                                api_code=answer["error"])
        if not secrets.compare_digest(answer.get("state", ""), pending.state):
            raise self._refused("the state in the answer does not match this request (a stale or forged callback)",
                                "state")
        pending.spent = True
        if not answer.get("code"):
            raise self._refused("the answer carries no code", "no_code")
        kept = {}
        for name in self.config.redirect_params:
            if not answer.get(name):
                raise self._refused(f"the answer carries no {name} ({self.service} returns it with the code)",
                                    "missing_param")
            kept[name] = answer[name]
        sent = dict(kept)
        if self.config.send_state:
            sent["state"] = pending.state
        try:
            tokens = self.client.exchange_code(answer["code"], redirect_uri=pending.redirect_uri,
                                               code_verifier=pending.code_verifier, **sent)
        except SocialApiError as exc:
            lifetime = f". {self.config.code_lifetime}" if self.config.code_lifetime else ""
            raise self._refused(f"the code exchange failed: {exc.api_message}{lifetime}", "exchange",
                                status_code=exc.status_code, api_code=exc.api_code) from None
        # RFC 6749 section 5.1: the scope may be omitted when it is the one requested.
        return replace(tokens, extra={**tokens.extra, **kept}, scope=tokens.scope or pending.scope or None)

    def _answer(self, redirect_url: str | None, *, code: str | None, state: str | None,
                params: Mapping[str, str] | None) -> dict[str, str]:
        given = [name for name, value in (("redirect_url", redirect_url), ("params", params)) if value is not None]
        if code is not None or state is not None:
            given.append("code/state")
        if len(given) != 1:
            raise self._error("redirect_url", "give exactly one of redirect_url, params, or code and state")
        if redirect_url is not None:
            query = parse_qs(urlsplit(redirect_url.strip()).query, keep_blank_values=True)
            return {key: values[0] for key, values in query.items()}
        if params is not None:
            return {str(key): str(value) for key, value in params.items()}
        return {key: value for key, value in (("code", code), ("state", state)) if value is not None}

    def _refused(self, message: str, reason: str, **kwargs: Any) -> AuthorizationFlowError:
        return AuthorizationFlowError(message, reason=reason, service=self.service, operation="authorize", **kwargs)
