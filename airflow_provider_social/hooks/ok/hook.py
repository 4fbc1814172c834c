"""OK.ru hook: signed ``fb.do`` calls, photo uploads and group posting for one user and application.

Facts and sources: shared/reference/vk_ok_vision.md section 3. Where the reference says UNCONFIRMED the client
takes the tolerant reading (and says so); the sandbox takes the strict one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from airflow_provider_social.core.errors import AuthenticationError, ServerError, SocialApiError, input_error
from airflow_provider_social.core.http import Auth, RetryableError
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.oauth import OAuth2Client
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.core.uploads import MultipartFiles
from airflow_provider_social.hooks.base import SocialHook
from airflow_provider_social.hooks.ok import calls, connection
from airflow_provider_social.hooks.ok.auth import OkSessionAuth
from airflow_provider_social.hooks.ok.policy import OkPolicy, OkTokenPolicy
from airflow_provider_social.hooks.ok.posting import (
    DEDUPE_WINDOW_MINUTES,
    SERVICE,
    GroupPost,
    Photo,
    check_group_id,
    check_photos,
    find_matching_topic,
    topic_url,
    validate_post,
)


class OkHook(SocialHook):
    """Odnoklassniki (OK.ru) API for one user of one registered application.

    Connection ``odnoklassniki``: password = application secret key; extras ``application_id``,
    ``application_key`` (public key), ``access_token``, ``refresh_token``, ``expires_at``, ``redirect_uri``,
    ``permissions``, ``group_id``, ``api_base_url``, ``oauth_base_url``.

    :param ok_conn_id: the Connection ID, default ``odnoklassniki_default``.
    :param dedupe_window_minutes: how far back the no-double-post check looks (default 15).
    """

    conn_name_attr = "ok_conn_id"
    default_conn_name = connection.DEFAULT_CONN_ID
    conn_type = connection.CONN_TYPE
    hook_name = connection.HOOK_NAME

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": connection.DEFAULT_API_BASE_URL,
        "oauth_base_url": connection.DEFAULT_OAUTH_BASE_URL,
    }
    response_policy = OkPolicy()
    reauth_command = "airflow social auth ok --conn-id {conn_id}"

    def __init__(self, ok_conn_id: str | None = None, *, dedupe_window_minutes: float = DEDUPE_WINDOW_MINUTES,
                 **kwargs: Any) -> None:
        super().__init__(conn_id=ok_conn_id, **kwargs)
        self.ok_conn_id = self.conn_id
        if isinstance(dedupe_window_minutes, bool) or not isinstance(dedupe_window_minutes, (int, float)) \
                or dedupe_window_minutes < 0:
            raise input_error("dedupe_window_minutes", f"must be a number of minutes >= 0, got "
                              f"{dedupe_window_minutes!r}", service=SERVICE)
        self.dedupe_window_minutes = float(dedupe_window_minutes)

    # ---------------------------------------------------------------------------------------------- settings
    def _required(self, name: str, what: str) -> str:
        value = self.connection.password if name == "password" else self.extra(name)
        if not value:
            label = "password (application secret key)" if name == "password" else name
            raise input_error(f"connection {self.conn_id!r}, field {label}", f"is empty: {what}", service=SERVICE)
        return str(value)

    @property
    def application_id(self) -> str:
        return self._required("application_id", "the Application ID from OK's e-mail")

    @property
    def application_key(self) -> str:
        return self._required("application_key", "the application public key from OK's e-mail")

    @property
    def application_secret_key(self) -> str:
        return self._required("password", "the application secret key from OK's e-mail")

    def group_id(self, group_id: Any = None) -> str:
        """The given group, else the Connection's ``group_id``.

        :param group_id: a numeric group id (gid), or None for the Connection's."""
        value = group_id if group_id not in (None, "") else self.extra("group_id")
        if value in (None, ""):
            raise input_error("group_id", f"no group given and connection {self.conn_id!r} has no group_id",
                              service=SERVICE)
        return check_group_id(value)

    # ---------------------------------------------------------------------------------------------- auth
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """``api.ok.ru/oauth/token.do``; client credentials go in the body (as every recorded client sends them)."""
        return OAuth2Client(
            self.transport, token_url=self.url("api_base_url", "/oauth/token.do"),
            client_id=self.application_id, client_secret=self.application_secret_key, client_auth="body",
            policy=OkTokenPolicy(),
        )

    @property
    def long_lived_tokens(self) -> bool:
        """Whether the connection's permissions include LONG_ACCESS_TOKEN (access tokens that live while used)."""
        permissions = self.extra("permissions") or connection.DEFAULT_PERMISSIONS
        return "LONG_ACCESS_TOKEN" in {p.strip() for p in str(permissions).split(";")}

    @cached_property
    def token_manager(self) -> TokenManager:
        expires_at = self.extra("expires_at")
        long_lived = self.long_lived_tokens
        seed = TokenSet(
            access_token=self.secret_extra("access_token"),
            refresh_token=self.secret_extra("refresh_token"),
            # With LONG_ACCESS_TOKEN every call extends the token to 30 days (at most once a day; reference 3.1),
            # so the expiry OK announced says nothing: renew only when OK answers 102, never on the clock (the
            # refresh token dies after 30 days while a token in use lives on).
            expires_at=float(expires_at) if expires_at not in (None, "") and not long_lived else None,
            token_type="session",
            scope=self.extra("permissions"),
        )
        if not seed.access_token and not seed.refresh_token:
            raise input_error(f"connection {self.conn_id!r}, field access_token",
                              f"is empty; run `{self.reauth_hint_command}`", service=SERVICE)
        def refresh_long(tokens: TokenSet) -> TokenSet:
            return replace(self.oauth_client.refresh(tokens), expires_at=None)

        if not seed.refresh_token:
            return self.make_token_manager(seed, None)
        return self.make_token_manager(seed, refresh_long if long_lived else self.oauth_client.refresh)

    @cached_property
    def auth(self) -> Auth:
        return OkSessionAuth(self.token_manager, self.application_key, self.application_secret_key,
                             credential=fingerprint(f"{self.application_id}:{self.conn_id}"))

    def refresh_tokens(self) -> TokenSet:
        """Renew the access token now and persist it (the refresh token itself does not rotate)."""
        return self.token_manager.refresh(force=True)

    def keep_session_fresh(self) -> dict[str, Any]:
        """Keep the connection usable: with LONG_ACCESS_TOKEN one cheap call (``users.getCurrentUser``) extends
        the session to 30 days (OK extends it on use, at most once a day; an expired one is renewed once through
        error 102); otherwise the access token is refreshed now. Returns ``{"renewed_by": "call"|"refresh",
        "expires_at": epoch seconds or None}`` (None: the token lives while it is used) -- never a token."""
        if self.long_lived_tokens:
            self.get_current_user()
            return {"renewed_by": "call", "expires_at": None}
        return {"renewed_by": "refresh", "expires_at": self.refresh_tokens().expires_at}

    # ---------------------------------------------------------------------------------------------- calls
    def _params(self, method: str, params: dict[str, Any]) -> dict[str, str]:
        data = {"method": method, "format": "json"}
        for key, value in params.items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (list, tuple)):
                value = ",".join(str(v) for v in value)
            elif isinstance(value, dict):
                value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            data[key] = str(value)
        return data

    def call(self, method: str, *, retries: bool = True, idempotent: bool | None = None, **params: Any) -> Any:
        """Call an OK API method (signed, POST ``fb.do``, ``format=json``); returns the parsed answer.

        Errors map to the shared types (error 102 renews the session once; 104 bad signature, 103 invalid
        session, 10 missing permission, 8 flood, 100 bad parameter). ``idempotent`` overrides whether a lost
        answer may be repeated (declared methods know; others are not repeated).

        :param method: the OK method name, e.g. ``group.getCounters``.
        :param retries: False makes one attempt (for multi-step operations that retry as a whole).
        :param idempotent: whether a lost answer may be sent again; None: as the method is declared.
        :param params: the method's parameters (lists are comma-joined, dicts JSON-encoded, bools true/false)."""
        if not isinstance(method, str) or "." not in method or method.startswith("."):
            raise input_error("method", f"expected an OK method name such as 'users.getCurrentUser', got {method!r}",
                              service=SERVICE)
        spec = calls.METHODS.get(method, calls.GENERIC)
        options: dict[str, Any] = {"data": self._params(method, params)}
        if idempotent is not None:
            options["idempotent"] = idempotent
        try:
            return self.call_api(spec, retries=retries, **options)
        except AuthenticationError as exc:
            if exc.api_code in (102, 103) and not exc.hint.startswith("re-authorise"):
                expired = ("the session expired and one refresh did not help" if self.refreshes_when_refused
                           else "the session expired")
                exc.hint = f"{expired if exc.api_code == 102 else exc.hint}; run `{self.reauth_hint_command}`"
            raise

    # ---------------------------------------------------------------------------------------------- account
    def get_current_user(self, fields: Sequence[str] | None = None) -> dict[str, Any]:
        """``users.getCurrentUser``: ``uid``, ``name``, ``first_name``, ``last_name``, ...

        :param fields: the user fields to return; None for OK's default set."""
        return dict(self.call("users.getCurrentUser", fields=list(fields) if fields else None))

    def check_connection(self) -> str:
        me = self.get_current_user()
        return f"Connected to OK as {me.get('name') or me.get('first_name') or '?'} (uid {me.get('uid')})"

    def get_group_info(self, group_id: Any = None,
                       fields: Sequence[str] = ("uid", "name", "description", "members_count")) -> dict[str, Any]:
        """``group.getInfo`` for one group; a ValidationError names the group when OK returns nothing.

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param fields: the group fields to return (OK wants some)."""
        gid = self.group_id(group_id)
        groups = self.call("group.getInfo", uids=gid, fields=list(fields))
        if not groups:
            raise input_error("group_id", f"group {gid} was not found (or is not visible to this user)",
                              service=SERVICE, operation="get group info")
        return dict(groups[0])

    # ---------------------------------------------------------------------------------------------- photos
    def upload_photos(self, paths: Sequence[str | Path] | str | Path, *, group_id: Any = None) -> list[dict[str, str]]:
        """Upload photos for a group topic: ``photosV2.getUploadUrl`` then one streamed multipart POST of
        ``pic1..picN``; returns ``[{"photo_id", "token"}]`` in order (the tokens go into ``post_to_group``).

        A failed upload is retried from a fresh upload URL (the URL is single use and expires).

        :param paths: local image files (JPEG, PNG, GIF, BMP, WebP; at most 50 MiB each).
        :param group_id: the group the photos are for; None for the Connection's ``group_id``."""
        photos = check_photos(paths, "paths")
        if not photos:
            raise input_error("paths", "at least one photo is required", service=SERVICE)
        gid = self.group_id(group_id)
        return self._upload(photos, gid)

    def _upload(self, photos: Sequence[Photo], gid: str) -> list[dict[str, str]]:
        refused_urls: list[SocialApiError] = []

        def attempt() -> list[dict[str, str]]:
            target = self.call("photosV2.getUploadUrl", retries=False, gid=gid, count=len(photos))
            ids = list(target["photo_ids"])
            register_secret(target["upload_url"], "upload_url")  # its apiToken lets anyone upload
            for name, value in parse_qsl(urlsplit(target["upload_url"]).query):
                if name.lower() == "apitoken":  # urllib3 logs the path and query without the host
                    register_secret(value, "upload_url apiToken")
            files = [(f"pic{n}", p.path, p.path.name, p.content_type) for n, p in enumerate(photos, 1)]
            body = MultipartFiles(files)
            try:
                answer = self.call_api(calls.UPLOAD, url=target["upload_url"], retries=False,
                                       body=lambda: MultipartFiles(files, boundary=body.boundary),
                                       headers={"Content-Type": body.content_type})
            except RetryableError as failed:
                # The URL is spent or dead, but the next attempt asks for a fresh one: repeating is safe.
                raise RetryableError(failed.error, failed.wait, safe_to_repeat=True) from None
            except SocialApiError as refused:
                # Tolerant (the upload host's errors are UNCONFIRMED): a URL that expired or was already used is
                # refused with an API error, so the first refusal is retried once from a fresh URL; a second one
                # (e.g. a file OK will not take) is final.
                if refused_urls:
                    raise
                refused_urls.append(refused)
                raise RetryableError(refused, safe_to_repeat=True) from None
            uploaded = answer.get("photos") or {}
            missing = [pid for pid in ids if pid not in uploaded or not uploaded[pid].get("token")]
            if missing:
                raise RetryableError(ServerError(f"the upload answer lacks {len(missing)} of {len(ids)} photos",
                                                 service=SERVICE, operation="upload photos"))
            return [{"photo_id": pid, "token": str(uploaded[pid]["token"])} for pid in ids]

        return self.transport.with_retries("upload photos", attempt)

    # ---------------------------------------------------------------------------------------------- topics
    def validate_post(self, group_id: Any = None, **kwargs: Any) -> GroupPost:
        """Check a post before anything is sent (see :func:`.posting.validate_post` for the other arguments).

        :param group_id: the group (gid); None for the Connection's ``group_id``."""
        return validate_post(self.group_id(group_id), now=self.clock(), **kwargs)

    def post_to_group(
        self,
        text: str | None = None,
        *,
        group_id: Any = None,
        photo_paths: Sequence[str | Path] | str | Path | None = None,
        photo_tokens: Sequence[str] | None = None,
        link: str | None = None,
        poll_question: str | None = None,
        poll_answers: Sequence[str] | None = None,
        poll_options: Sequence[str] | str | None = None,
        publish_at: datetime | str | None = None,
        on_behalf_of_group: bool = True,
        dedupe: bool = False,
    ) -> dict[str, Any]:
        """Post a topic to a group (``mediatopic.post``, ``type=GROUP_THEME``); returns ``{"topic_id",
        "group_id", "url", "deduplicated"}``.

        ``publish_at`` schedules it (an aware datetime, or "YYYY-mm-dd hh:mi:ss" in Moscow time);
        ``on_behalf_of_group`` posts as the group (the user must administer it). ``dedupe`` (task retries)
        first looks for the same text posted within the dedupe window and returns it instead of posting again.

        :param text: the topic's text.
        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param photo_paths: local image files to upload and attach.
        :param photo_tokens: upload tokens of photos uploaded earlier for the same group.
        :param link: an http(s) URL shown as a link block.
        :param poll_question: a poll's question (with ``poll_answers``).
        :param poll_answers: the poll's answers, at least 2.
        :param poll_options: ``SingleChoice`` and/or ``AnonymousVoting`` (a list or a comma string).
        :param publish_at: schedule the topic (aware datetime or Moscow "YYYY-mm-dd hh:mi:ss"), in the future.
        :param on_behalf_of_group: post as the group (the user must administer it).
        :param dedupe: look for the same text posted within the dedupe window first."""
        post = self.validate_post(group_id, text=text, photo_paths=photo_paths, photo_tokens=photo_tokens,
                                  link=link, poll_question=poll_question, poll_answers=poll_answers,
                                  poll_options=poll_options, publish_at=publish_at,
                                  on_behalf_of_group=on_behalf_of_group)
        return self.publish(post, dedupe=dedupe)

    def publish(self, post: GroupPost, *, dedupe: bool = False) -> dict[str, Any]:
        """Send a validated post: look for it first (``dedupe``), upload its photos, post; after a lost answer
        (timeout, dropped connection, 5xx) look for it before sending it once more.

        :param post: a post from :meth:`validate_post`.
        :param dedupe: look for the same text posted within the dedupe window first."""
        if dedupe and (existing := self.find_recent_topic(post.text, group_id=post.group_id)):
            return existing
        tokens = [u["token"] for u in self._upload(post.photos, post.group_id)] if post.photos else []
        params: dict[str, Any] = {"gid": post.group_id, "type": "GROUP_THEME", "attachment": post.attachment(tokens)}
        try:
            topic_id = self.call("mediatopic.post", **params)
        except ServerError:
            if existing := self.find_recent_topic(post.text, group_id=post.group_id):
                return existing
            topic_id = self.call("mediatopic.post", **params)
        topic_id = str(topic_id)
        return {"topic_id": topic_id, "group_id": post.group_id, "url": topic_url(post.group_id, topic_id),
                "deduplicated": False, "scheduled_for": post.publish_at}

    def list_topics(self, group_id: Any = None, *, count: int = 20) -> list[dict[str, Any]]:
        """The group's newest topics (``mediatopic.getTopics``; recorded clients use it, its page is not among
        the retrieved docs: UNCONFIRMED).

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param count: how many topics, 1-100."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100:
            raise input_error("count", f"must be an integer from 1 to 100, got {count!r}", service=SERVICE)
        answer = self.call("mediatopic.getTopics", gid=self.group_id(group_id), count=count)
        return list(answer.get("media_topics") or []) if isinstance(answer, dict) else []

    def find_recent_topic(self, text: str, *, group_id: Any = None) -> dict[str, Any] | None:
        """The group's topic with the same text posted within the dedupe window, as a post result, or None.

        :param text: the text to match (spacing and Unicode normalisation aside).
        :param group_id: the group (gid); None for the Connection's ``group_id``."""
        if not text:
            return None
        gid = self.group_id(group_id)
        since_ms = (self.clock() - self.dedupe_window_minutes * 60) * 1000
        found = find_matching_topic(self.list_topics(gid, count=20), text, since_ms=since_ms)
        if found is None:
            return None
        topic_id = str(found["id"])
        return {"topic_id": topic_id, "group_id": gid, "url": topic_url(gid, topic_id), "deduplicated": True,
                "scheduled_for": None}

    def delete_topic(self, topic_id: Any, *, group_id: Any = None) -> bool:
        """``mediatopic.deleteTopic`` (used by recorded clients; UNCONFIRMED by the retrieved docs): the author or
        a group administrator may delete. True when OK reports success.

        :param topic_id: the topic's numeric id.
        :param group_id: the group (gid); None for the Connection's ``group_id``."""
        tid = str(topic_id).strip() if topic_id is not None else ""
        if not tid.isdigit():
            raise input_error("topic_id", f"must be a numeric topic id, got {topic_id!r}", service=SERVICE)
        answer = self.call("mediatopic.deleteTopic", gid=self.group_id(group_id), topic_id=tid)
        return bool(answer.get("success")) if isinstance(answer, dict) else bool(answer)
