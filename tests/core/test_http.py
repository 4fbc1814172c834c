from __future__ import annotations

import email.utils

import pytest
import requests

from airflow_provider_social.core.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from airflow_provider_social.core.http import Auth, RetryPolicy, Transport, retry_after_seconds


def make_transport(fake_sleep, fake_clock, **kwargs):
    policy = kwargs.pop("retry", RetryPolicy(max_attempts=4, backoff_base=0.5, max_total_wait=60))
    return Transport(service="Test", retry=policy, sleep=fake_sleep, clock=fake_clock, **kwargs)


def test_success_returns_response_and_sends_user_agent(scripted, fake_sleep, fake_clock):
    scripted.script = [(200, {}, {"hello": "world"})]
    t = make_transport(fake_sleep, fake_clock)
    assert t.request("GET", scripted.url + "/x", operation="get").json() == {"hello": "world"}
    assert scripted.requests[0]["headers"]["User-Agent"].startswith("airflow-provider-social/")
    assert fake_sleep.calls == []


def test_503_then_success_is_retried_with_backoff(scripted, fake_sleep, fake_clock):
    scripted.script = [(503, {}, {"error": "busy"}), (502, {}, {}), (200, {}, {"ok": 1})]
    t = make_transport(fake_sleep, fake_clock)
    assert t.request("GET", scripted.url, operation="get").json() == {"ok": 1}
    assert len(scripted.requests) == 3
    assert len(fake_sleep.calls) == 2 and all(0 <= w <= 1.0 for w in fake_sleep.calls)


def test_retry_after_header_is_honoured(scripted, fake_sleep, fake_clock):
    scripted.script = [(429, {"Retry-After": "7"}, {"error": "slow down"}), (200, {}, {})]
    make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get")
    assert fake_sleep.calls == [7.0]


def test_rate_limit_reset_header_measured_against_server_date(scripted, fake_sleep, fake_clock):
    server_now = 1_700_000_000
    headers = {
        "x-rate-limit-reset": str(server_now + 42),
        "Date": email.utils.formatdate(server_now, usegmt=True),
    }
    scripted.script = [(429, headers, {"title": "Too Many Requests"}), (200, {}, {})]
    make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get")
    assert fake_sleep.calls == [42.0]


def test_wait_over_budget_raises_rate_limit_error_without_sleeping(scripted, fake_sleep, fake_clock):
    scripted.script = [(429, {"Retry-After": "3600"}, {"error": "TooManyRequests", "description": "later"})]
    with pytest.raises(RateLimitError) as info:
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="list things")
    assert fake_sleep.calls == []
    assert info.value.retry_after == 3600
    assert "list things" in str(info.value) and "max_total_wait" in str(info.value)


def test_create_call_is_not_resent_after_5xx(scripted, fake_sleep, fake_clock):
    scripted.script = [(500, {}, {"error": "oops"}), (201, {}, {"id": 1})]
    with pytest.raises(ServerError):
        make_transport(fake_sleep, fake_clock).request("POST", scripted.url, operation="create post")
    assert len(scripted.requests) == 1


def test_create_call_is_resent_after_429(scripted, fake_sleep, fake_clock):
    scripted.script = [(429, {"Retry-After": "1"}, {}), (201, {}, {"id": 1})]
    r = make_transport(fake_sleep, fake_clock).request("POST", scripted.url, operation="create post")
    assert r.status_code == 201 and len(scripted.requests) == 2


def test_create_call_with_dedupe_key_may_be_resent(scripted, fake_sleep, fake_clock):
    scripted.script = [(500, {}, {}), (201, {}, {"id": 1})]
    r = make_transport(fake_sleep, fake_clock).request("POST", scripted.url, operation="create", idempotent=True)
    assert r.status_code == 201


def test_attempts_are_bounded(scripted, fake_sleep, fake_clock):
    scripted.script = [(503, {}, {})] * 10
    with pytest.raises(ServerError):
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get")
    assert len(scripted.requests) == 4


def test_refused_connection_is_retried_even_for_create_calls(fake_sleep, fake_clock):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(ServerError) as info:
        make_transport(fake_sleep, fake_clock).request("POST", f"http://127.0.0.1:{port}/x", operation="create")
    assert len(fake_sleep.calls) == 3  # 4 attempts
    assert "connection" in str(info.value)


def test_lost_answer_to_a_create_is_not_resent_and_the_error_says_so(fake_sleep, fake_clock):
    """A server that reads the request and hangs up: the create may have been carried out."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            received.append(conn.recv(65536))
            conn.close()  # the answer is lost

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    try:
        with pytest.raises(ServerError) as info:
            make_transport(fake_sleep, fake_clock).request("POST", url, operation="create post")
    finally:
        listener.close()
    assert len(received) == 1 and fake_sleep.calls == []
    message = str(info.value)
    assert "not sent again" in message and "retried" not in message


def test_exhausted_retries_say_how_many_attempts(scripted, fake_sleep, fake_clock):
    scripted.script = [(503, {}, {})] * 10
    with pytest.raises(ServerError, match="gave up after 4 attempts"):
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get")


@pytest.mark.parametrize(
    "status, cls",
    [(400, ValidationError), (401, AuthenticationError), (404, NotFoundError)],
)
def test_error_mapping_carries_service_operation_code_and_message(scripted, fake_sleep, fake_clock, status, cls):
    scripted.script = [(status, {}, {"error": "SomeCode", "description": "what went wrong"})]
    with pytest.raises(cls) as info:
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="do thing")
    err = info.value
    assert (err.service, err.operation, err.status_code, err.api_code) == ("Test", "do thing", status, "SomeCode")
    assert "what went wrong" in str(err)


def test_secret_query_parameters_never_reach_error_text(scripted, fake_sleep, fake_clock):
    secret = "sekret-token-value-123"
    scripted.script = [(400, {}, {"error": "bad", "description": f"echo access_token={secret}"})]
    with pytest.raises(ValidationError) as info:
        make_transport(fake_sleep, fake_clock).request(
            "GET", scripted.url, params={"access_token": secret}, operation="get"
        )
    assert secret not in str(info.value)


def test_401_renews_credentials_once_and_resends(scripted, fake_sleep, fake_clock):
    class CountingAuth(Auth):
        def __init__(self):
            self.token = "old-token"
            self.renewals = 0

        def __call__(self, r):
            r.headers["Authorization"] = f"Bearer {self.token}"
            return r

        def renew(self, response):
            self.renewals += 1
            self.token = "new-token"
            return True

    auth = CountingAuth()
    scripted.script = [(401, {}, {"error": "expired"}), (200, {}, {"ok": 1})]
    make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get", auth=auth)
    assert auth.renewals == 1
    assert [r["headers"]["Authorization"] for r in scripted.requests] == ["Bearer old-token", "Bearer new-token"]

    scripted.requests.clear()
    scripted.script = [(401, {}, {}), (401, {}, {})]
    with pytest.raises(AuthenticationError):
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get", auth=auth)
    assert len(scripted.requests) == 2  # renewed once, not forever


def test_the_policy_sees_whether_the_credentials_were_renewed_for_the_call(scripted, fake_sleep, fake_clock):
    from airflow_provider_social.core.policy import ResponsePolicy

    class RenewingAuth(Auth):
        def __call__(self, r):
            return r

        def renew(self, response):
            return True

    class Watching(ResponsePolicy):
        def __init__(self):
            super().__init__()
            self.seen = []

        def decide(self, response, context):
            self.seen.append(context.renewed)
            return super().decide(response, context)

    policy = Watching()
    scripted.script = [(401, {}, {}), (401, {}, {})]
    with pytest.raises(AuthenticationError):
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get", auth=RenewingAuth(),
                                                       policy=policy)
    assert policy.seen == [False, True]  # the second answer came after the one renewal


def test_rate_limit_per_credential_spaces_requests(scripted, fake_sleep, fake_clock):
    from airflow_provider_social.core.ratelimit import RateLimit, rate_limiters

    class KeyedAuth(Auth):
        rate_key = ("user", "credential-a")

    rate_limiters.clear()
    t = make_transport(fake_sleep, fake_clock, rate_limits={"user": RateLimit(2)})
    for _ in range(4):
        t.request("GET", scripted.url, operation="get", auth=KeyedAuth())
    assert len(fake_sleep.calls) >= 2 and all(wait > 0 for wait in fake_sleep.calls)
    assert sum(fake_sleep.calls) >= 1.0  # four sends at 2/s span at least a second
    rate_limiters.clear()


def test_retry_after_parsing_accepts_http_dates():
    r = requests.Response()
    r.headers["Date"] = email.utils.formatdate(1_700_000_000, usegmt=True)
    r.headers["Retry-After"] = email.utils.formatdate(1_700_000_030, usegmt=True)
    assert retry_after_seconds(r) == 30


def test_error_text_keeps_the_apis_own_punctuation():
    from airflow_provider_social.core.errors import SocialApiError

    err = SocialApiError("Path disk:/a/../b is invalid...", service="S", operation="op", status_code=400)
    assert str(err) == "S op: Path disk:/a/../b is invalid... [HTTP 400]."
    assert str(SocialApiError("Ends with a stop.", hint="do this")) == "Ends with a stop. Hint: do this"


def test_oauth1_auth_is_a_transport_auth_that_never_renews(scripted, fake_sleep, fake_clock):
    from airflow_provider_social.core.oauth import oauth1_auth

    auth = oauth1_auth("consumer-key", "consumer-secret-123", "token-123", "token-secret-123")
    scripted.script = [(401, {}, {"errors": [{"code": 32, "message": "Could not authenticate you."}]})]
    with pytest.raises(AuthenticationError):
        make_transport(fake_sleep, fake_clock).request("GET", scripted.url, operation="get", auth=auth)
    assert len(scripted.requests) == 1
    assert scripted.requests[0]["headers"]["Authorization"].startswith("OAuth ")


def test_per_call_policy_leaves_the_transport_untouched(scripted, fake_sleep, fake_clock):
    from airflow_provider_social.core.oauth import token_error_parser
    from airflow_provider_social.core.policy import ResponsePolicy
    from airflow_provider_social.core.tokens import InvalidGrantError

    transport = make_transport(fake_sleep, fake_clock)
    before = transport.policy
    scripted.script = [(400, {}, {"error": "invalid_grant", "error_description": "spent"})]
    with pytest.raises(InvalidGrantError):
        transport.request("POST", scripted.url, operation="refresh", policy=ResponsePolicy(token_error_parser))
    assert transport.policy is before
    scripted.script = [(400, {}, {"error": "invalid_grant", "error_description": "spent"})]
    with pytest.raises(ValidationError) as info:
        transport.request("POST", scripted.url, operation="other")
    assert not isinstance(info.value, InvalidGrantError)


def test_the_rate_slot_is_taken_after_the_credentials_are_read(scripted, fake_clock):
    """An auth that reads a token store (VK ID) must not hold a rate slot while it reads: the slot is taken right
    before the send, so the spacing between sends is what the limit says, whatever the store read costs."""
    from airflow_provider_social.core.ratelimit import RateLimit, rate_limiters

    events: list[str] = []

    class StoreReadingAuth(Auth):
        rate_key = ("user", "vkid:conn")

        def __call__(self, request):
            events.append("read token")
            fake_clock.now += 0.4  # a slow store read
            request.headers["Authorization"] = "Bearer token-from-the-store"
            return request

    def sleep(seconds: float) -> None:
        events.append("wait for slot")
        fake_clock.now += seconds

    rate_limiters.clear()
    transport = Transport(service="T", sleep=sleep, clock=fake_clock, rate_limits={"user": RateLimit(1)})
    sends: list[float] = []
    for _ in range(3):
        transport.request("GET", scripted.url, operation="get", auth=StoreReadingAuth())
        sends.append(fake_clock.now)
    rate_limiters.clear()
    # Each wait for a slot comes after that request's token read, never before it.
    assert events[:2] == ["read token", "read token"] and events[2] == "wait for slot"
    assert all(later - earlier >= 1.0 for earlier, later in zip(sends, sends[1:]))
