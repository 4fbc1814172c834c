"""The response policy decides every answer (2xx included); the rate limiter holds per credential and token kind."""

from __future__ import annotations

import threading

import pytest

from airflow_provider_social.core.errors import ApiErrorInfo, AuthenticationError, ServerError, ValidationError
from airflow_provider_social.core.http import Auth, RetryPolicy, Transport
from airflow_provider_social.core.policy import (
    Accept,
    Fail,
    JsonBodyPolicy,
    Renew,
    ResponsePolicy,
    Retry,
    build_error,
)
from airflow_provider_social.core.ratelimit import RateLimit, rate_limiters


class BodyErrorPolicy(ResponsePolicy):
    """A VK-like service: errors come inside 200 bodies; 6 = too many requests, 5 = token refused."""

    def accept(self, response, context):
        body = response.json()
        if "error" not in body:
            return Accept(body["response"])
        code = body["error"]["code"]
        info = ApiErrorInfo(code=code, message=body["error"]["msg"])
        if code == 6:
            return Retry(self.error(response, context, info), 0.4, processed=False)
        if code == 5:
            info.error_class = AuthenticationError
            return Renew(self.error(response, context, info))
        return Fail(self.error(response, context, info))


def make(fake_sleep, fake_clock, **kwargs):
    return Transport(service="Body", retry=RetryPolicy(max_attempts=4, max_total_wait=60), sleep=fake_sleep,
                     clock=fake_clock, policy=BodyErrorPolicy(), **kwargs)


def test_an_error_inside_a_200_body_is_retried_even_for_a_create_call(scripted, fake_sleep, fake_clock):
    scripted.script = [(200, {}, {"error": {"code": 6, "msg": "Too many requests per second"}}),
                       (200, {}, {"response": {"post_id": 7}})]
    result = make(fake_sleep, fake_clock).request("POST", scripted.url, operation="post", idempotent=False)
    assert result == {"post_id": 7}
    assert fake_sleep.calls == [0.4] and len(scripted.requests) == 2


def test_a_refused_token_in_a_200_body_renews_once(scripted, fake_sleep, fake_clock):
    class Renewing(Auth):
        renewals = 0

        def renew(self, response):
            self.renewals += 1
            return True

    auth = Renewing()
    scripted.script = [(200, {}, {"error": {"code": 5, "msg": "User authorization failed"}}),
                       (200, {}, {"response": 1})]
    assert make(fake_sleep, fake_clock).request("GET", scripted.url, operation="get", auth=auth) == 1
    scripted.script = [(200, {}, {"error": {"code": 5, "msg": "User authorization failed"}})] * 2
    with pytest.raises(AuthenticationError, match="User authorization failed"):
        make(fake_sleep, fake_clock).request("GET", scripted.url, operation="get", auth=auth)
    assert auth.renewals == 2  # once per call, never in a loop


def test_other_body_errors_are_final_and_name_service_operation_and_code(scripted, fake_sleep, fake_clock):
    scripted.script = [(200, {}, {"error": {"code": 100, "msg": "One of the parameters specified was missing"}})]
    with pytest.raises(Exception) as info:
        make(fake_sleep, fake_clock).request("GET", scripted.url, operation="wall post")
    assert str(info.value).startswith("Body wall post: One of the parameters specified was missing")
    assert info.value.api_code == 100 and len(scripted.requests) == 1


class KindAuth(Auth):
    def __init__(self, kind, credential):
        self.rate_key = (kind, credential)


def test_the_limit_is_per_credential_and_token_kind(scripted, fake_sleep, fake_clock):
    rate_limiters.clear()
    transport = make(fake_sleep, fake_clock, rate_limits={"user": RateLimit(3), "community": RateLimit(20)})
    scripted.script = [(200, {}, {"response": 1})] * 8
    for _ in range(4):
        transport.request("GET", scripted.url, operation="get", auth=KindAuth("user", "conn-a"))
    # three waits of a third of a second (plus the margin) after the first send
    assert fake_sleep.calls == [pytest.approx(1.05 / 3)] * 3
    fake_sleep.calls.clear()
    transport.request("GET", scripted.url, operation="get", auth=KindAuth("user", "conn-b"))
    transport.request("GET", scripted.url, operation="get", auth=KindAuth("community", "conn-a"))
    assert fake_sleep.calls == []  # another credential, another kind: their own buckets
    rate_limiters.clear()


def test_threads_sharing_one_credential_never_exceed_the_rate(fake_clock):
    """32 threads reserve sends at once; the schedule they get never puts more than 3 sends in any 1 s window."""
    rate_limiters.clear()
    bucket = rate_limiters.for_limit("VK", "user", "conn-a", RateLimit(3), clock=fake_clock, sleep=lambda s: None)
    start = fake_clock()
    send_times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(32)

    def worker():
        barrier.wait()
        for _ in range(5):
            wait = bucket.reserve()
            with lock:
                send_times.append(fake_clock() + wait)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send_times.sort()
    assert len(send_times) == 160
    for i, moment in enumerate(send_times):
        in_window = [t for t in send_times[i:] if t < moment + 1.0]
        assert len(in_window) <= 3, f"{len(in_window)} sends within 1 s from {moment - start:.3f}"
    assert send_times[-1] - start == pytest.approx(159 * 1.05 / 3)  # and no slower than the limit requires
    rate_limiters.clear()


def test_rate_limit_declarations_are_checked():
    with pytest.raises(ValueError):
        RateLimit(0)
    assert RateLimit(20).spacing == pytest.approx(0.0525)


def test_status_overrides_keep_the_services_error_reading(scripted, fake_sleep, fake_clock):
    from airflow_provider_social.core.policy import StatusOverrides

    service_policy = ResponsePolicy(lambda r: ApiErrorInfo(code="E", message="from the parser"))
    transport = Transport(service="T", retry=RetryPolicy(max_attempts=2), sleep=fake_sleep, clock=fake_clock,
                          policy=service_policy)
    link_policy = StatusOverrides(service_policy, retry_statuses=frozenset({404}))
    scripted.script = [(404, {}, {}), (404, {}, {})]
    with pytest.raises(Exception, match="from the parser"):
        transport.request("GET", scripted.url, operation="get", policy=link_policy)
    assert len(scripted.requests) == 2
    scripted.script = [(400, {}, {})]
    with pytest.raises(ValidationError):
        transport.request("GET", scripted.url, operation="get")



class ErrorCodeBodyPolicy(JsonBodyPolicy):
    """Built from the shared piece: an OK-like service whose 200 bodies may carry ``error_code``."""

    answered_by = "the OK-like API"
    not_json_hint = "check the base URL"

    def body_error(self, body):
        return body if isinstance(body, dict) and "error_code" in body else None

    def decide_body_error(self, error, context):
        info = ApiErrorInfo(code=error["error_code"], message=error["error_msg"], error_class=ValidationError)
        return Fail(build_error(info, None, context))


def test_the_json_body_piece_hands_an_error_shaped_2xx_body_to_the_services_reader(scripted, fake_sleep, fake_clock):
    transport = Transport(service="OKish", retry=RetryPolicy(max_attempts=1), sleep=fake_sleep, clock=fake_clock,
                          policy=ErrorCodeBodyPolicy())
    scripted.script = [(200, {}, {"error_code": 100, "error_msg": "PARAM : text is missing"})]
    with pytest.raises(ValidationError, match=r"OKish post: PARAM : text is missing \[code 100\]"):
        transport.request("POST", scripted.url, operation="post")
    scripted.script = [(200, {}, {"id": 7})]
    assert transport.request("POST", scripted.url, operation="post") == {"id": 7}
    scripted.script = [(200, {"Content-Type": "text/html"}, b"<html>a proxy page</html>")]
    with pytest.raises(ServerError, match="the OK-like API answered with a body that is not JSON") as caught:
        transport.request("POST", scripted.url, operation="post")
    assert caught.value.status_code == 200 and caught.value.hint == "check the base URL"
