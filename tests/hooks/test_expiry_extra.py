"""A token expiry in a Connection (``expires_at``) is epoch seconds or an ISO 8601 time with a zone; anything else is
refused naming the field, before any call (it was a raw ValueError, or 'True' read as 1970)."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.vk import VkHook
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook


@pytest.mark.parametrize(("value", "expected"), [
    (1_800_000_000, 1_800_000_000.0),
    ("1800000000.5", 1_800_000_000.5),
    ("2027-01-15T10:00:00+00:00", 1_800_007_200.0),
    ("2027-01-15T10:00:00Z", 1_800_007_200.0),
    (None, None),
    ("", None),
])
def test_accepted_forms(make_connection, value, expected):
    make_connection("ydx_expiry_ok", "yandex_disk", password="t" * 10, expires_at=value)
    assert YandexDiskHook("ydx_expiry_ok").expiry_extra() == expected


@pytest.mark.parametrize("value", ["soon", "inf", "nan", True, 1e300, -5, "2027-01-15T10:00:00", "year 318857"])
def test_refused_forms_name_the_field(make_connection, value):
    make_connection("ydx_expiry_bad", "yandex_disk", password="t" * 10, expires_at=value)
    with pytest.raises(ValidationError, match=r"field expires_at: expected epoch seconds or an ISO 8601 time"):
        YandexDiskHook("ydx_expiry_bad").expiry_extra()


def test_a_vk_id_connection_with_a_bad_expiry_fails_before_any_call(make_connection, scripted):
    make_connection("vk_expiry_bad", "vk", access_token="vk1.a.user-token", refresh_token="vk1.r.refresh",
                    device_id="dev-1", app_id="51000001", expires_at="soon", api_base_url=scripted.url)
    with pytest.raises(ValidationError, match="field expires_at"):
        VkHook("vk_expiry_bad").call("users.get")
    assert scripted.requests == []
