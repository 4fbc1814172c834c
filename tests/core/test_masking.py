from airflow_provider_social.core.masking import redact, redact_url, register_secret


def test_registered_secrets_are_redacted_everywhere():
    register_secret("registered-secret-value")
    assert redact("boom: registered-secret-value!") == "boom: ***!"


def test_short_values_are_not_registered():
    register_secret("abc")
    assert redact("abc def") == "abc def"


def test_secret_query_parameters_and_auth_headers_are_redacted():
    text = "GET /x?access_token=abc123456&v=5.199 Authorization: Bearer eyJhbGciOi.xyz"
    out = redact(text)
    assert "abc123456" not in out and "eyJhbGciOi" not in out and "v=5.199" in out


def test_redact_url_keeps_ordinary_parameters():
    url = "https://api.vk.com/method/wall.post?owner_id=-1&access_token=tok123456&sig=abcdef123"
    out = redact_url(url)
    assert "tok123456" not in out and "abcdef123" not in out and "owner_id=-1" in out


def test_signed_urls_keep_only_the_host():
    url = "https://uploader1j.disk.yandex.net:443/upload-target/20260101T000000.123.utd.abcdef"
    assert redact_url(url, signed=True) == "https://uploader1j.disk.yandex.net:443/***"


def test_vision_query_token_is_redacted_from_urls_and_text():
    url = "https://smarty.mail.ru/api/v1/adult/detect?oauth_token=vision-secret-1&oauth_provider=mcs"
    assert redact_url(url) == "https://smarty.mail.ru/api/v1/adult/detect?oauth_token=***&oauth_provider=mcs"
    assert "vision-secret-1" not in redact(f'POST {url.split("ru", 1)[1]} HTTP/1.1" 200')


def test_url_log_filter_redacts_urllib3_request_lines(caplog):
    import logging

    from airflow_provider_social.core.masking import install_url_log_filter

    install_url_log_filter()
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logger.debug('%s://%s:%s "%s %s %s" %s %s', "https", "smarty.mail.ru", 443, "POST",
                     "/api/v1/adult/detect?oauth_token=vision-secret-2&oauth_provider=mcs", "HTTP/1.1", 200, 10)
    assert "vision-secret-2" not in caplog.text and "oauth_token=***" in caplog.text


def test_words_after_an_auth_scheme_are_not_redacted():
    # "OAuth client ID" was turned into "OAuth *** ID": values are credentials, words are not.
    assert redact("enter the OAuth client ID and the Bearer authentication realm") == (
        "enter the OAuth client ID and the Bearer authentication realm"
    )
    assert redact("Authorization: OAuth y0_AgAAAAAA1234") == "Authorization: OAuth ***"
    assert redact("Authorization: Bearer abcdefghijklmnopqrstuvwxyzabcdef") == "Authorization: Bearer ***"


def test_signature_shaped_digests_are_redacted():
    md5 = "0cc175b9c0f1b6a831c399e269772661"
    sha1 = "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"
    out = redact(f"PARAM_SIGNATURE : Invalid signature {md5}; other {sha1}.")
    assert md5 not in out and sha1 not in out and out == "PARAM_SIGNATURE : Invalid signature ***; other ***."
    assert redact("post 12345678 of group 5556667") == "post 12345678 of group 5556667"


def test_redacting_after_a_new_secret_rebuilds_nothing(monkeypatch):
    """A new secret used to invalidate one regex of every secret, rebuilt by the next redact: each registration cost
    as much as all the earlier ones, and a long-lived process (a test session) slowed down quadratically."""
    import re

    real_compile = re.compile
    compiled: list[object] = []
    for i in range(20):
        register_secret(f"rebuild-check-secret-{i:03d}")
        monkeypatch.setattr(re, "compile", lambda *args, **kw: compiled.append(args) or real_compile(*args, **kw))
        assert redact(f"a rebuild-check-secret-{i:03d} b") == "a *** b"
        monkeypatch.setattr(re, "compile", real_compile)
    assert compiled == []


def test_a_secret_containing_another_is_redacted_whole():
    register_secret("inner-secret")
    register_secret("outer-inner-secret-tail")
    assert redact("x outer-inner-secret-tail y inner-secret z") == "x *** y *** z"
