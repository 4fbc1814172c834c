"""VkHook against a scripted server: how calls are sent, and VK's error table."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
    ValidationError,
)
from airflow_provider_social.hooks.vk import CaptchaRequired
from tests.hooks.vk.conftest import COMMUNITY_TOKEN, USER_TOKEN, form, ok, vk_error


def test_a_call_is_a_form_post_with_v_and_the_token_in_the_header_only(scripted, vk_hook):
    scripted.script = [ok([{"id": 1, "first_name": "Ivan"}])]
    hook = vk_hook()
    assert hook.call("users.get", user_ids=[1, 2], fields=["online", "last_seen"]) == [{"id": 1, "first_name": "Ivan"}]
    request = scripted.requests[0]
    assert request["method"] == "POST" and request["path"] == "/method/users.get"
    assert form(request) == {"user_ids": "1,2", "fields": "online,last_seen", "v": "5.199"}
    # users.get prefers the community token (20/s); either way no token in the URL or the body
    assert request["headers"]["Authorization"] == f"Bearer {COMMUNITY_TOKEN}"
    assert USER_TOKEN not in request["path"] and COMMUNITY_TOKEN not in request["body"].decode()


def test_the_api_version_comes_from_the_connection(scripted, vk_hook):
    scripted.script = [ok(1)]
    vk_hook(api_version="5.131").call("wall.delete", owner_id=-1, post_id=2)
    assert form(scripted.requests[0])["v"] == "5.131"
    assert scripted.requests[0]["headers"]["Authorization"] == f"Bearer {USER_TOKEN}"


def test_a_token_passed_as_a_parameter_is_refused_before_sending(scripted, vk_hook):
    with pytest.raises(ValidationError, match="access_token"):
        vk_hook().call("users.get", access_token="x")
    assert scripted.requests == []


@pytest.mark.parametrize(("method", "missing", "field"), [
    ("messages.send", {"community_token": None}, "community_token"),
    ("wall.post", {"access_token": None}, "access_token"),
])
def test_a_missing_token_kind_fails_before_any_call_naming_the_field(scripted, vk_hook, method, missing, field):
    hook = vk_hook(**missing)
    with pytest.raises(ValidationError, match=field) as caught:
        hook.call(method, message="hi", peer_id=1, owner_id=-1)
    assert "airflow social auth vk --conn-id vk_test" in str(caught.value)
    assert scripted.requests == []


def test_error_5_on_a_static_token_names_the_reauth_command(scripted, vk_hook):
    scripted.script = [vk_error(5, "User authorization failed: invalid access_token (4).")]
    with pytest.raises(AuthenticationError) as caught:
        vk_hook().call("wall.delete", owner_id=-1, post_id=2)
    assert "airflow social auth vk --conn-id vk_test" in str(caught.value)
    assert USER_TOKEN not in str(caught.value)
    assert len(scripted.requests) == 1


def test_error_6_waits_and_repeats_even_a_post(scripted, vk_hook, fake_sleep):
    scripted.script = [vk_error(6, "Too many requests per second"), ok({"post_id": 7})]
    assert vk_hook().call("wall.post", owner_id=-1, message="hi") == {"post_id": 7}
    assert len(scripted.requests) == 2 and 1.0 in fake_sleep.calls


@pytest.mark.parametrize(("code", "message", "hint"), [
    (9, "Flood control", "identical actions"),
    (29, "Rate limit reached", "daily quota"),
])
def test_flood_and_quota_errors_fail_at_once_with_a_hint(scripted, vk_hook, code, message, hint):
    scripted.script = [vk_error(code, message)]
    with pytest.raises(RateLimitError, match=hint) as caught:
        vk_hook().call("wall.post", owner_id=-1, message="hi")
    assert caught.value.api_code == code
    assert len(scripted.requests) == 1


def test_error_10_is_retried_for_a_read(scripted, vk_hook):
    scripted.script = [vk_error(10, "Internal server error"), ok([{"id": 1}])]
    assert vk_hook().call("users.get", user_ids=[1]) == [{"id": 1}]
    assert len(scripted.requests) == 2


def test_error_10_is_not_repeated_for_a_post_without_guid(scripted, vk_hook):
    scripted.script = [vk_error(10, "Internal server error"), ok({"post_id": 7})]
    with pytest.raises(Exception, match="Internal server error"):
        vk_hook().call("wall.post", owner_id=-1, message="hi")
    assert len(scripted.requests) == 1


def test_captcha_legacy_form_carries_the_image_and_is_never_retried(scripted, vk_hook):
    scripted.script = [vk_error(14, "Captcha needed", captcha_sid="548", captcha_img="https://api.vk.ru/captcha.php?sid=548")]
    with pytest.raises(CaptchaRequired) as caught:
        vk_hook().call("wall.post", owner_id=-1, message="hi")
    assert caught.value.captcha_sid == "548"
    assert caught.value.captcha_img == "https://api.vk.ru/captcha.php?sid=548"
    assert len(scripted.requests) == 1


def test_captcha_new_form_carries_the_redirect_uri(scripted, vk_hook):
    uri = "https://id.vk.com/not_robot_captcha?domain=vk.com&session_token=abc"
    scripted.script = [vk_error(14, "Captcha needed", redirect_uri=uri, remixstlid="9")]
    with pytest.raises(CaptchaRequired) as caught:
        vk_hook().call("wall.post", owner_id=-1, message="hi")
    assert caught.value.redirect_uri == uri and caught.value.captcha_img is None
    assert "success_token" in str(caught.value)


def test_access_denied_names_the_missing_scope(scripted, vk_hook):
    scripted.script = [vk_error(15, "Access denied: no access to call this method")]
    with pytest.raises(PermissionDeniedError, match="'wall' scope"):
        vk_hook().call("wall.post", owner_id=-1, message="hi")


def test_group_auth_failed_names_the_user_token_field(scripted, vk_hook):
    scripted.script = [vk_error(27, "Group authorization failed: method is unavailable with group auth.")]
    with pytest.raises(PermissionDeniedError, match="access_token"):
        vk_hook().call("groups.getById", group_id=1)


def test_error_100_names_the_parameter(scripted, vk_hook):
    scripted.script = [vk_error(100, "One of the parameters specified was missing or invalid: owner_id is undefined")]
    with pytest.raises(ValidationError, match="'owner_id'") as caught:
        vk_hook().call("wall.post", message="hi")
    assert caught.value.details["request_params"][0] == {"key": "method", "value": "wall.post"}


def test_request_params_never_carry_a_token(scripted, vk_hook):
    scripted.script = [vk_error(100, "One of the parameters specified was missing or invalid: owner_id",
                                request_params=[{"key": "access_token", "value": USER_TOKEN},
                                                {"key": "method", "value": "wall.post"}])]
    with pytest.raises(ValidationError) as caught:
        vk_hook().call("wall.post", message="hi")
    assert caught.value.details["request_params"] == [{"key": "method", "value": "wall.post"}]


def test_an_unknown_method_name_is_refused_before_sending(scripted, vk_hook):
    with pytest.raises(ValidationError, match="method"):
        vk_hook().call("users.get/../../x")
    assert scripted.requests == []


@pytest.mark.parametrize(("code", "message", "method", "hint"), [
    (7, "Permission to perform this action is denied", "photos.createAlbum", "'photos' scope"),
    (15, "Access denied", "stats.get", "'stats' scope"),
    (203, "Access to group denied", "wall.post", "community admin with the 'wall' scope"),
    (214, "Access to adding post denied", "wall.post", "community admin with the 'wall' scope"),
])
def test_permission_errors_name_the_scope_or_the_token_and_are_not_retried(scripted, vk_hook, code, message, method,
                                                                          hint):
    scripted.script = [vk_error(code, message)] * 2
    with pytest.raises(PermissionDeniedError, match=hint) as caught:
        vk_hook().call(method, group_id=1, owner_id=-1, message="x", title="t")
    assert caught.value.api_code == code and len(scripted.requests) == 1


@pytest.mark.parametrize(("code", "message", "hint"), [
    (118, "Invalid server", "fresh upload URL"),
    (121, "Invalid hash", "same upload"),
    (129, "Invalid photo", "width \\+ height <= 14000"),
])
def test_upload_errors_are_upload_rejected_with_what_to_do(scripted, vk_hook, code, message, hint):
    from airflow_provider_social.hooks.vk import UploadRejected

    scripted.script = [vk_error(code, message)] * 2
    with pytest.raises(UploadRejected, match=hint) as caught:
        vk_hook().call("photos.saveWallPhoto", group_id=1, server=1, photo="[]", hash="h")
    assert caught.value.api_code == code and len(scripted.requests) == 1
    assert caught.value.details["request_params"][0] == {"key": "method", "value": "wall.post"}  # a list of pairs


def test_error_600_is_the_ads_accounts_own_in_every_route_and_a_plain_error_elsewhere(scripted, vk_hook):
    from airflow_provider_social.core.errors import SocialApiError

    hook = vk_hook()
    denied = "Permission denied. You have no access to operations specified with given object(s)"
    scripted.script = [vk_error(600, denied)]
    with pytest.raises(PermissionDeniedError, match="ads account") as caught:
        hook.call("ads.getCampaigns", account_id=1)  # not only through the ads methods: the policy maps it
    assert caught.value.api_code == 600 and caught.value.operation == "ads.getCampaigns"
    scripted.script = [(200, {}, {"response": [False], "execute_errors": [
        {"method": "ads.getAds", "error_code": 600, "error_msg": denied}]})]
    (result,) = hook.batch([("ads.getAds", {"account_id": 1})], token="user")
    assert isinstance(result.error, PermissionDeniedError) and "ads account" in result.error.hint
    scripted.script = [vk_error(600, "Some other section's 600")]
    with pytest.raises(SocialApiError) as caught:
        hook.call("wall.delete", owner_id=-1, post_id=2)
    assert type(caught.value) is SocialApiError and "ads account" not in str(caught.value)


def test_the_policy_names_the_re_authorisation_command_of_the_call_context():
    import requests

    from airflow_provider_social.core.policy import CallContext, Renew
    from airflow_provider_social.hooks.vk.policy import VkResponsePolicy

    response = requests.Response()
    response.status_code = 200
    response._content = b'{"error": {"error_code": 5, "error_msg": "User authorization failed"}}'
    context = CallContext("VK", "wall.post", clock=lambda: 0.0, conn_id="vk_shop",
                          reauth_command="airflow social auth vk --conn-id vk_shop")
    decision = VkResponsePolicy().decide(response, context)
    assert isinstance(decision, Renew) and "`airflow social auth vk --conn-id vk_shop`" in decision.error.hint


@pytest.mark.slow  # a fresh interpreter: nothing of this test session's imports may help
def test_the_method_table_is_complete_and_read_only_without_importing_the_concerns():
    """Before, market.py and ads.py added their rows when imported: without them a market or ads method was
    answered as 'any token, never repeat'."""
    import json
    import subprocess
    import sys

    probe = (
        "import json, sys\n"
        "from airflow_provider_social.hooks.vk.calls import METHODS, method_spec\n"
        "specs = {n: method_spec(n) for n in ('market.add', 'market.getGroupOrders', 'ads.getAccounts', "
        "'ads.createAds', 'wall.post', 'some.unknownMethod')}\n"
        "try:\n"
        "    METHODS['market.add'] = None\n"
        "    writable = True\n"
        "except TypeError:\n"
        "    writable = False\n"
        "print(json.dumps({'loaded': [m for m in ('airflow_provider_social.hooks.vk.market', "
        "'airflow_provider_social.hooks.vk.ads') if m in sys.modules], 'writable': writable, "
        "'specs': {n: [list(s.tokens), s.idempotent] for n, s in specs.items()}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == []
    assert seen["specs"] == {
        "market.add": [["user"], False],
        "market.getGroupOrders": [["community", "user"], True],
        "ads.getAccounts": [["user"], True],
        "ads.createAds": [["user"], False],
        "wall.post": [["user"], False],
        "some.unknownMethod": [["user", "community"], False],  # unknown: either kind, never repeated (as before)
    }
    assert seen["writable"] is False
