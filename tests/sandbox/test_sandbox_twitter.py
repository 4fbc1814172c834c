"""The X sandbox is strict: OAuth 2.0/1.0a, post validation, media state machine, rate limits, Date header."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests_oauthlib import OAuth1

from airflow_provider_social.sandbox import twitter as xs
from tests.hooks.twitter_helpers import png_bytes

CLIENT = ("sandbox-client", "sandbox-secret")
REDIRECT = "http://127.0.0.1:8765/callback"
# What X answers (HTTP 400) where RFC 6749 would say invalid_grant, as clients that talk to X record it.
X_TOKEN_INVALID = {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
X_CODE_INVALID = {
    "error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."
}
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}


def oauth1() -> OAuth1:
    return OAuth1(xs.SANDBOX_CONSUMER_KEY, xs.SANDBOX_CONSUMER_SECRET, xs.SANDBOX_OAUTH_TOKEN,
                  xs.SANDBOX_OAUTH_TOKEN_SECRET)


@pytest.fixture
def api(sandbox):
    return f"{sandbox.base_url}/x-api"


@pytest.fixture
def bearer(sandbox):
    token = sandbox.control.mint_tokens("twitter", scope=xs.DEFAULT_SCOPE)["access_token"]
    return {"Authorization": f"Bearer {token}"}


def post(api, headers, body):
    return requests.post(f"{api}/2/tweets", json=body, headers=headers, timeout=10)


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(sandbox, challenge, client_id="sandbox-client", **extra):
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": xs.DEFAULT_SCOPE,
              "state": "s1", "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    response = requests.get(f"{sandbox.base_url}/x/i/oauth2/authorize", params=params, allow_redirects=False,
                            timeout=10)
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


# ------------------------------------------------------------------------------------------------ Date header


def test_date_header_follows_the_sandbox_clock(sandbox, api):
    sandbox.state.clock.freeze(1_900_000_000)
    response = requests.get(f"{api}/2/users/me", timeout=10)
    assert email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp() == 1_900_000_000
    sandbox.control.advance(3600)
    response = requests.get(f"{sandbox.base_url}/_control/health", timeout=10)
    assert email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp() == 1_900_003_600


# ------------------------------------------------------------------------------------------------ OAuth 2.0


def test_code_exchange_with_pkce_basic_auth_two_hour_token(sandbox, api):
    verifier, challenge = pkce()
    query = authorize(sandbox, challenge)
    assert query["state"] == "s1"
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    response = requests.post(f"{api}/2/oauth2/token", data=form, auth=CLIENT, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 7200 and body["token_type"] == "bearer" and body["refresh_token"]
    assert "x-rate-limit-remaining" in response.headers
    again = requests.post(f"{api}/2/oauth2/token", data=form, auth=CLIENT, timeout=10)
    assert again.status_code == 400 and again.json() == X_CODE_INVALID  # X's wording, not RFC's invalid_grant


def test_code_lives_thirty_seconds_and_pkce_is_required(sandbox, api):
    verifier, challenge = pkce()
    query = authorize(sandbox, challenge)
    sandbox.control.advance(31)
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    expired = requests.post(f"{api}/2/oauth2/token", data=form, auth=CLIENT, timeout=10)
    assert expired.status_code == 400 and expired.json() == X_CODE_INVALID
    no_pkce = authorize(sandbox, None)
    assert no_pkce["error"] == "invalid_request"


def test_wrong_verifier_and_public_client(sandbox, api):
    verifier, challenge = pkce()
    query = authorize(sandbox, challenge, client_id="sandbox-public-client")
    base = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
            "client_id": "sandbox-public-client"}
    bad = requests.post(f"{api}/2/oauth2/token", data={**base, "code_verifier": "x" * 43}, timeout=10)
    assert bad.status_code == 400 and bad.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the code verifier did not match the code challenge.",
    }
    query = authorize(sandbox, challenge, client_id="sandbox-public-client")
    good = requests.post(f"{api}/2/oauth2/token", data={**base, "code": query["code"], "code_verifier": verifier},
                         timeout=10)
    assert good.status_code == 200, good.text


def test_confidential_client_without_basic_auth_is_refused(sandbox, api):
    verifier, challenge = pkce()
    query = authorize(sandbox, challenge)
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
            "code_verifier": verifier, "client_id": "sandbox-client"}
    response = requests.post(f"{api}/2/oauth2/token", data=form, timeout=10)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_refresh_token_single_use_and_reuse_kills_the_family(sandbox, api):
    tokens = sandbox.control.mint_tokens("twitter", scope=xs.DEFAULT_SCOPE)
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    first = requests.post(f"{api}/2/oauth2/token", data=form, auth=CLIENT, timeout=10).json()
    assert first["refresh_token"] != tokens["refresh_token"]
    reuse = requests.post(f"{api}/2/oauth2/token", data=form, auth=CLIENT, timeout=10)
    assert reuse.status_code == 400 and reuse.json() == X_TOKEN_INVALID  # X's wording, not RFC's invalid_grant
    newest = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert requests.post(f"{api}/2/oauth2/token", data=newest, auth=CLIENT, timeout=10).json() == X_TOKEN_INVALID


def test_an_expired_or_unknown_refresh_token_is_refused_in_xs_words(sandbox, api):
    tokens = sandbox.control.mint_tokens("twitter", scope=xs.DEFAULT_SCOPE)
    unknown = {"grant_type": "refresh_token", "refresh_token": "xrt_" + "z" * 40}
    response = requests.post(f"{api}/2/oauth2/token", data=unknown, auth=CLIENT, timeout=10)
    assert response.status_code == 400 and response.json() == X_TOKEN_INVALID
    sandbox.control.revoke_token("twitter", tokens["refresh_token"])
    revoked = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    response = requests.post(f"{api}/2/oauth2/token", data=revoked, auth=CLIENT, timeout=10)
    assert response.status_code == 400 and response.json() == X_TOKEN_INVALID


def test_access_token_expires_after_two_hours_and_revoke(sandbox, api):
    tokens = sandbox.control.mint_tokens("twitter", scope=xs.DEFAULT_SCOPE)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(f"{api}/2/users/me", headers=headers, timeout=10).status_code == 200
    sandbox.control.advance(7201)
    expired = requests.get(f"{api}/2/users/me", headers=headers, timeout=10)
    assert expired.status_code == 401
    assert expired.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    fresh = sandbox.control.mint_tokens("twitter", scope=xs.DEFAULT_SCOPE)
    revoke = requests.post(f"{api}/2/oauth2/revoke", data={"token": fresh["access_token"]}, auth=CLIENT, timeout=10)
    assert revoke.status_code == 200
    headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert requests.get(f"{api}/2/users/me", headers=headers, timeout=10).status_code == 401


def test_missing_scope_is_forbidden(sandbox, api):
    token = sandbox.control.mint_tokens("twitter", scope="tweet.read users.read")["access_token"]
    response = post(api, {"Authorization": f"Bearer {token}"}, {"text": "hi"})
    assert response.status_code == 403 and "tweet.write" in response.json()["detail"]


# ------------------------------------------------------------------------------------------------ OAuth 1.0a


def test_signature_matches_the_published_vector():
    params = [
        ("include_entities", "true"),
        ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
        ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
        ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1318622958"),
        ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
        ("oauth_version", "1.0"),
    ]
    secret, token_secret = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
    expected = {
        "https://api.twitter.com/1.1/statuses/update.json": "hCtSmYh+iHYCEqBWrE7C7hYmtUk=",
        "https://api.x.com/1.1/statuses/update.json": "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=",
        "https://api.twitter.com/1/statuses/update.json": "tnnArxj06cWHq44gCs1OSKk/jLY=",
    }
    for url, signature in expected.items():
        assert xs.oauth1_signature("POST", url, params, secret, token_secret) == signature
    assert xs.pct("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen"
    assert xs.pct("Dogs, Cats & Mice") == "Dogs%2C%20Cats%20%26%20Mice"
    assert xs.pct("☃") == "%E2%98%83"


def test_oauth1_signed_requests_pass_and_bad_ones_fail(sandbox, api):
    assert requests.get(f"{api}/2/users/me", auth=oauth1(), timeout=10).json()["data"]["username"] == "sandbox_user"
    wrong = OAuth1(xs.SANDBOX_CONSUMER_KEY, "wrong-secret", xs.SANDBOX_OAUTH_TOKEN, xs.SANDBOX_OAUTH_TOKEN_SECRET)
    assert requests.get(f"{api}/2/users/me", auth=wrong, timeout=10).status_code == 401
    # A signed form body: tampering with it after signing breaks the signature.
    upload = f"{sandbox.base_url}/x-upload/1.1/media/upload.json"
    form = {"command": "INIT", "total_bytes": "100", "media_type": "image/png"}
    prepared = requests.Request("POST", upload, data=form, auth=oauth1()).prepare()
    prepared.body = prepared.body.replace(b"100", b"200")
    prepared.headers["Content-Length"] = str(len(prepared.body))
    response = requests.Session().send(prepared, timeout=10)
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == 32


def test_oauth1_reused_nonce_and_stale_timestamp_are_refused(sandbox, api):
    prepared = requests.Request("GET", f"{api}/2/users/me", auth=oauth1()).prepare()
    session = requests.Session()
    assert session.send(prepared, timeout=10).status_code == 200
    assert session.send(prepared, timeout=10).status_code == 401  # replay: same nonce
    sandbox.control.advance(301)
    assert requests.get(f"{api}/2/users/me", auth=oauth1(), timeout=10).status_code == 401
    stale = requests.get(f"{sandbox.base_url}/x-upload/1.1/media/upload.json",
                         params={"command": "STATUS", "media_id": "1"}, auth=oauth1(), timeout=10)
    assert stale.json()["errors"][0] == {"code": 135, "message": "Timestamp out of bounds."}


def test_v1_upload_refuses_bearer_tokens(sandbox, bearer):
    response = requests.post(f"{sandbox.base_url}/x-upload/1.1/media/upload.json", headers=bearer,
                             data={"command": "INIT", "total_bytes": "10", "media_type": "image/png"}, timeout=10)
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == 220


# ------------------------------------------------------------------------------------------------ posts


def test_post_created_201_and_duplicate_403(sandbox, api, bearer):
    response = post(api, bearer, {"text": "Hello from the X API!"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert set(data) == {"id", "text"} and data["text"] == "Hello from the X API!"
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(response.headers)
    duplicate = post(api, bearer, {"text": "Hello from the X API!"})
    assert duplicate.status_code == 403 and duplicate.json() == DUPLICATE
    assert sandbox.control.created("twitter")[0]["data"]["text"] == "Hello from the X API!"


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"text": "a" * 281}, "too long"),
        ({"text": "日" * 141}, "too long"),
        ({"text": ""}, "required"),
        ({"text": "x", "colour": "red"}, "colour"),
        ({"text": "x", "poll": {"options": ["a"], "duration_minutes": 60}}, "2 to 4"),
        ({"text": "x", "poll": {"options": ["a", "b", "c", "d", "e"], "duration_minutes": 60}}, "2 to 4"),
        ({"text": "x", "poll": {"options": ["a", "b" * 26], "duration_minutes": 60}}, "1 to 25"),
        ({"text": "x", "poll": {"options": ["a", "b"], "duration_minutes": 4}}, "5 to 10080"),
        ({"text": "x", "poll": {"options": ["a", "b"], "duration_minutes": 10081}}, "5 to 10080"),
        ({"text": "x", "poll": {"options": ["a", "b"], "duration_minutes": 5}, "quote_tweet_id": "1"}, "exclusive"),
        ({"text": "x", "media": {"media_ids": ["1", "2", "3", "4", "5"]}}, "1 to 4"),
        ({"text": "x", "media": {"media_ids": ["abc"]}}, "numeric"),
        ({"text": "x", "media": {"media_ids": ["123"]}}, "invalid"),
        ({"text": "x", "reply": {"in_reply_to_tweet_id": "123"}}, "reply to a Tweet that is deleted"),
        ({"text": "x", "quote_tweet_id": "123"}, "quote a Tweet that is deleted"),
    ],
)
def test_post_validation(sandbox, api, bearer, body, fragment):
    response = post(api, bearer, body)
    assert response.status_code in (400, 403)
    assert fragment in response.text
    assert sandbox.control.state("twitter")["tweets"] == []


def test_weighted_length_counts_urls_as_23_and_cjk_as_2(api, bearer):
    assert post(api, bearer, {"text": "日" * 140}).status_code == 201
    assert post(api, bearer, {"text": "a" * 257 + "https://example.com/" + "x" * 200}).status_code == 403
    assert post(api, bearer, {"text": "a" * 256 + " https://example.com/" + "x" * 200}).status_code == 201


def test_reply_quote_delete_and_timeline(sandbox, api, bearer):
    first = post(api, bearer, {"text": "first"}).json()["data"]["id"]
    reply = post(api, bearer, {"text": "second", "reply": {"in_reply_to_tweet_id": first}}).json()["data"]["id"]
    quote = post(api, bearer, {"text": "third", "quote_tweet_id": first}).json()["data"]["id"]
    fields = {"tweet.fields": "created_at,referenced_tweets", "max_results": 5}
    timeline = requests.get(f"{api}/2/users/{xs.SANDBOX_USER_ID}/tweets", headers=bearer, params=fields,
                            timeout=10).json()
    assert [t["id"] for t in timeline["data"]] == [quote, reply, first]
    assert timeline["data"][1]["referenced_tweets"] == [{"type": "replied_to", "id": first}]
    bad = requests.get(f"{api}/2/users/{xs.SANDBOX_USER_ID}/tweets", headers=bearer, params={"max_results": 4},
                       timeout=10)
    assert bad.status_code == 400
    assert requests.delete(f"{api}/2/tweets/{first}", headers=bearer, timeout=10).json() == {"data": {"deleted": True}}
    missing = requests.delete(f"{api}/2/tweets/{first}", headers=bearer, timeout=10)
    assert missing.status_code == 404 and missing.json()["type"] == "https://api.x.com/2/problems/resource-not-found"


# ------------------------------------------------------------------------------------------------ rate limits


def test_rate_limit_window_429_and_reset(sandbox, api, bearer):
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 2, 900)
    now = sandbox.state.clock.now()
    assert post(api, bearer, {"text": "one"}).headers["x-rate-limit-remaining"] == "1"
    assert post(api, bearer, {"text": "two"}).status_code == 201
    limited = post(api, bearer, {"text": "three"})
    assert limited.status_code == 429
    assert limited.json() == {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                              "status": 429}
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert int(limited.headers["x-rate-limit-reset"]) - now == pytest.approx(900, abs=1)
    unauthenticated = requests.get(f"{api}/2/users/me", timeout=10)
    assert unauthenticated.status_code == 401 and "x-rate-limit-limit" in unauthenticated.headers
    sandbox.control.advance(901)
    assert post(api, bearer, {"text": "three"}).status_code == 201


def test_rate_limit_windows_are_configured_through_the_control_api(sandbox, api, bearer):
    from airflow_provider_social.sandbox.control import SandboxControlError

    settings = sandbox.control.configure("twitter", rate_limits={"tweets_create": {"limit": 1, "window": 60}})
    assert settings["rate_limits"]["tweets_create"] == {"limit": 1, "window": 60}
    assert post(api, bearer, {"text": "first"}).status_code == 201
    limited = post(api, bearer, {"text": "second"})
    assert limited.status_code == 429 and limited.headers["x-rate-limit-limit"] == "1"
    sandbox.control.advance(61)
    assert post(api, bearer, {"text": "second"}).status_code == 201
    for bad in ({"rate_limits": {"nope": {"limit": 1}}}, {"rate_limits": {"tweets_create": {"limit": -1}}},
                {"bogus": 1}):
        with pytest.raises(SandboxControlError) as info:
            sandbox.control.configure("twitter", **bad)
        assert info.value.status == 400


# ------------------------------------------------------------------------------------------------ media


def initialize(api, bearer, total, media_type="video/mp4", category="tweet_video"):
    return requests.post(f"{api}/2/media/upload/initialize", headers=bearer, timeout=10,
                         json={"media_type": media_type, "total_bytes": total, "media_category": category})


def append(api, bearer, media_id, index, chunk):
    return requests.post(f"{api}/2/media/upload/{media_id}/append", headers=bearer, timeout=10,
                         files={"media": ("blob", chunk)}, data={"segment_index": str(index)})


def test_media_state_machine_over_the_sandbox_clock(sandbox, api, bearer):
    chunk = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    media_id = initialize(api, bearer, len(chunk)).json()["data"]["id"]
    assert append(api, bearer, media_id, 0, chunk).status_code == 200
    final = requests.post(f"{api}/2/media/upload/{media_id}/finalize", headers=bearer, timeout=10).json()["data"]
    assert final["processing_info"] == {"state": "pending", "check_after_secs": 1}
    attach = post(api, bearer, {"text": "too early", "media": {"media_ids": [media_id]}})
    assert attach.status_code == 400 and "processing" in attach.text

    def status():
        return requests.get(f"{api}/2/media/upload", headers=bearer, params={"media_id": media_id, "command": "STATUS"},
                            timeout=10).json()["data"]["processing_info"]

    sandbox.control.advance(2)
    assert status()["state"] == "in_progress"
    sandbox.control.advance(status()["check_after_secs"])
    assert status()["state"] == "succeeded"
    assert post(api, bearer, {"text": "video", "media": {"media_ids": [media_id]}}).status_code == 201
    sandbox.control.advance(86400)
    token = sandbox.control.mint_tokens("twitter", scope=xs.DEFAULT_SCOPE)["access_token"]
    fresh = {"Authorization": f"Bearer {token}"}
    expired = post(api, fresh, {"text": "video again", "media": {"media_ids": [media_id]}})
    assert expired.status_code == 400 and "expired" in expired.text


def test_media_limits(sandbox, api, bearer):
    assert initialize(api, bearer, 512 * 1024 * 1024 + 1).status_code == 400
    assert initialize(api, bearer, 100, "image/png", "tweet_video").status_code == 400
    assert requests.post(f"{api}/2/media/upload/initialize", headers=bearer, json={"media_type": "video/mp4",
                         "total_bytes": 10}, timeout=10).status_code == 400  # media_category missing
    media_id = initialize(api, bearer, 6 * 1024 * 1024).json()["data"]["id"]
    assert append(api, bearer, media_id, 1000, b"x").status_code == 400
    assert append(api, bearer, media_id, 0, b"x" * (5 * 1024 * 1024 + 1)).status_code == 400
    assert append(api, bearer, media_id, 1, b"x" * 10).status_code == 200
    gap = requests.post(f"{api}/2/media/upload/{media_id}/finalize", headers=bearer, timeout=10)
    assert gap.status_code == 400 and "contiguous" in gap.text
    assert append(api, bearer, media_id, 0, b"x" * 10).status_code == 200
    short = requests.post(f"{api}/2/media/upload/{media_id}/finalize", headers=bearer, timeout=10)
    assert short.status_code == 400 and "mismatch" in short.text
    unknown = requests.post(f"{api}/2/media/upload/999/finalize", headers=bearer, timeout=10)
    assert unknown.status_code == 404


def test_invalid_video_fails_processing_and_invalid_image_is_refused(sandbox, api, bearer):
    media_id = initialize(api, bearer, 20).json()["data"]["id"]
    append(api, bearer, media_id, 0, b"this is not an mp4!!")
    requests.post(f"{api}/2/media/upload/{media_id}/finalize", headers=bearer, timeout=10)
    sandbox.control.advance(60)
    info = requests.get(f"{api}/2/media/upload", headers=bearer, params={"media_id": media_id},
                        timeout=10).json()["data"]["processing_info"]
    assert info["state"] == "failed" and info["error"]["name"] == "InvalidMedia"
    fake_png = requests.post(f"{api}/2/media/upload", headers=bearer, timeout=10,
                             files={"media": ("a.png", b"not a png")}, data={"media_category": "tweet_image"})
    assert fake_png.status_code == 400
    good = requests.post(f"{api}/2/media/upload", headers=bearer, timeout=10,
                         files={"media": ("a.png", png_bytes())}, data={"media_category": "tweet_image"})
    assert good.status_code == 200 and good.json()["data"]["media_key"].startswith("3_")


def test_four_images_or_one_video(sandbox, api, bearer):
    ids = []
    for _ in range(5):
        response = requests.post(f"{api}/2/media/upload", headers=bearer, timeout=10,
                                 files={"media": ("a.png", png_bytes())}, data={"media_category": "tweet_image"})
        ids.append(response.json()["data"]["id"])
    assert post(api, bearer, {"text": "four", "media": {"media_ids": ids[:4]}}).status_code == 201
    chunk = b"\x00\x00\x00\x18ftypmp42"
    video = initialize(api, bearer, len(chunk)).json()["data"]["id"]
    append(api, bearer, video, 0, chunk)
    requests.post(f"{api}/2/media/upload/{video}/finalize", headers=bearer, timeout=10)
    sandbox.control.advance(30)
    mixed = post(api, bearer, {"text": "mixed", "media": {"media_ids": [ids[4], video]}})
    assert mixed.status_code == 400 and "1 video" in mixed.text


def test_rate_limit_headers_on_every_answer(sandbox, api, bearer):
    answers = [
        requests.get(f"{api}/2/no-such-endpoint", headers=bearer, timeout=10),
        requests.put(f"{api}/2/tweets", headers=bearer, timeout=10),
        requests.get(f"{sandbox.base_url}/x-upload/1.1/nothing.json", timeout=10),
        requests.post(f"{api}/2/oauth2/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                      auth=CLIENT, timeout=10),
        post(api, bearer, {"text": "counted"}),
    ]
    assert [a.status_code for a in answers] == [404, 405, 404, 400, 201]
    for answer in answers:
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(answer.headers)


def test_refresh_token_only_with_offline_access(sandbox, api):
    verifier, challenge = pkce()
    query = authorize(sandbox, challenge, scope="tweet.read tweet.write users.read")
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    body = requests.post(f"{api}/2/oauth2/token", data=form, auth=CLIENT, timeout=10).json()
    assert body["access_token"] and "refresh_token" not in body and body["scope"] == "tweet.read tweet.write users.read"


def test_v1_simple_and_chunked_upload_with_oauth1(sandbox):
    upload = f"{sandbox.base_url}/x-upload/1.1/media/upload.json"
    simple = requests.post(upload, files={"media": ("a.png", png_bytes())}, auth=oauth1(), timeout=10)
    assert simple.status_code == 200 and simple.json()["media_key"].startswith("3_")
    bad = requests.post(upload, files={"media": ("a.png", b"nope")}, auth=oauth1(), timeout=10)
    assert bad.status_code == 400
    chunk = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 50
    init = requests.post(upload, data={"command": "INIT", "total_bytes": str(len(chunk)), "media_type": "video/mp4"},
                         auth=oauth1(), timeout=10).json()
    media_id = init["media_id_string"]
    append = requests.post(upload, data={"command": "APPEND", "media_id": media_id, "segment_index": "0"},
                           files={"media": ("blob", chunk)}, auth=oauth1(), timeout=10)
    assert append.status_code == 204 and append.content == b""
    final = requests.post(upload, data={"command": "FINALIZE", "media_id": media_id}, auth=oauth1(), timeout=10)
    assert final.json()["processing_info"]["state"] == "pending"
    sandbox.control.advance(11)
    status = requests.get(upload, params={"command": "STATUS", "media_id": media_id}, auth=oauth1(), timeout=10)
    assert status.json()["processing_info"]["state"] == "succeeded"


def test_a_second_finalize_is_refused_in_both_apis(sandbox, api, bearer):
    chunk = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    media_id = initialize(api, bearer, len(chunk)).json()["data"]["id"]
    append(api, bearer, media_id, 0, chunk)
    finalize = f"{api}/2/media/upload/{media_id}/finalize"
    assert requests.post(finalize, headers=bearer, timeout=10).status_code == 200
    again = requests.post(finalize, headers=bearer, timeout=10)
    assert again.status_code == 400 and "already finalized" in again.text
    upload = f"{sandbox.base_url}/x-upload/1.1/media/upload.json"
    init = requests.post(upload, data={"command": "INIT", "total_bytes": str(len(chunk)), "media_type": "video/mp4"},
                         auth=oauth1(), timeout=10).json()
    v1_id = init["media_id_string"]
    requests.post(upload, data={"command": "APPEND", "media_id": v1_id, "segment_index": "0"},
                  files={"media": ("blob", chunk)}, auth=oauth1(), timeout=10)
    form = {"command": "FINALIZE", "media_id": v1_id}
    assert requests.post(upload, data=form, auth=oauth1(), timeout=10).status_code == 201
    v1_again = requests.post(upload, data=form, auth=oauth1(), timeout=10)
    assert v1_again.status_code == 400 and "already finalized" in v1_again.text
    refused = {m["id"]: m["finalize_refused"] for m in sandbox.control.state("twitter")["media"]}
    assert refused[str(media_id)] == 1 and refused[v1_id] == 1
