"""OK echoes a refused signature in its error text (error 104); the signature must not reach the exception or log."""

from __future__ import annotations

import logging
import re

import pytest

from airflow_provider_social.core.errors import SocialApiError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.ok import OkHook
from airflow_provider_social.sandbox.ok import SANDBOX_APP_ID, SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_GROUP_ID


def test_a_refused_signature_is_not_echoed_into_the_error_or_the_log(sandbox, make_connection, fake_sleep, caplog):
    tokens = sandbox.control.mint_tokens("ok", client_id=SANDBOX_APP_ID, scope="VALUABLE_ACCESS;GROUP_CONTENT")
    conn_id = make_connection(
        "ok_wrong_secret", "odnoklassniki", password=SANDBOX_APP_SECRET[::-1],  # signs every call wrongly
        application_id=SANDBOX_APP_ID, application_key=SANDBOX_APP_KEY, access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"], group_id=SANDBOX_GROUP_ID,
        api_base_url=f"{sandbox.base_url}/ok-api", oauth_base_url=f"{sandbox.base_url}/ok-connect", max_retry_wait=5,
    )
    hook = OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)
    with caplog.at_level(logging.DEBUG), pytest.raises(SocialApiError) as info:
        hook.check_connection()
    text = str(info.value)
    assert "104" in text or "signature" in text.lower()
    assert not re.search(r"[0-9a-f]{32}", text), text
    assert not re.search(r"[0-9a-f]{32}", caplog.text)
