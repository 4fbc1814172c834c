"""The twitter connection form covers every field of the user's setup guide, with secrets masked."""

from __future__ import annotations

from airflow_provider_social.get_provider_info import get_provider_info

GUIDE_FIELDS = ("redirect_uri", "scope", "client_id", "client_secret", "access_token", "refresh_token",
                "oauth_token", "oauth_token_secret", "oauth_consumer_key", "oauth_consumer_secret")
SECRETS = ("client_secret", "access_token", "refresh_token", "oauth_token", "oauth_token_secret",
           "oauth_consumer_key", "oauth_consumer_secret")


def test_twitter_connection_form():
    info = get_provider_info()
    twitter = next(c for c in info["connection-types"] if c["connection-type"] == "twitter")
    fields = twitter["conn-fields"]
    assert set(GUIDE_FIELDS) <= set(fields)
    for name in SECRETS:
        assert fields[name]["schema"].get("format") == "password", name
    assert fields["scope"]["schema"]["default"] == "tweet.read tweet.write users.read media.write offline.access"
    assert fields["api_base_url"]["schema"]["default"] == "https://api.x.com"
    assert twitter["hook-class-name"] == "airflow_provider_social.hooks.twitter.TwitterHook"
    assert "airflow_provider_social.links.twitter.TwitterTweetLink" in info["extra-links"]
    assert any("airflow_provider_social.triggers.twitter" in t["python-modules"] for t in info["triggers"])
