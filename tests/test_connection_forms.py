"""The connection forms as Airflow 3.3.2's UI receives them (``HookMetaService.hook_meta_data()``, what
``GET /ui/connections/hook_meta`` serves): fixed sets of values are selects with the default preselected, every
placeholder is one the UI renders, nothing claims to hide what the UI cannot hide."""

from __future__ import annotations

import json

import pytest
from airflow.api_fastapi.core_api.datamodels.connections import StandardHookFields

from airflow_provider_social.get_provider_info import get_provider_info
from airflow_provider_social.hooks.twitter import TwitterHook

CONNECTION_TYPES = get_provider_info()["connection-types"]
# Standard fields whose hidden/label/placeholder Airflow 3.3.2's form applies (url_schema is "schema").
RENDERED = {"schema" if name == "url_schema" else name for name in StandardHookFields.model_fields}


@pytest.fixture(scope="module")
def hook_meta():
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    return {meta.connection_type: meta for meta in HookMetaService.hook_meta_data()}


def test_fixed_sets_are_selects_with_the_default_preselected(hook_meta):
    fields = hook_meta["twitter"].extra_fields
    assert fields["media_upload_api"]["schema"]["enum"] == ["v2", "v1.1"]
    assert fields["media_upload_api"]["value"] == "v2"
    auth_mode = fields["auth_mode"]
    assert auth_mode["schema"]["enum"] == [None, "oauth2", "oauth1"]
    assert auth_mode["value"] is None  # preselected: "automatic", the hook's own choice
    assert "automatic" in auth_mode["schema"]["values_display"]["null"]


def test_the_token_store_suggests_its_values(hook_meta):
    for conn in CONNECTION_TYPES:
        token_store = hook_meta[conn["connection-type"]].extra_fields["token_store"]
        assert token_store["value"] is None  # empty: 'variable', the hook's default
        assert "variable" in token_store["schema"]["examples"]
        assert any(example.startswith("file:") for example in token_store["schema"]["examples"])


@pytest.mark.parametrize("conn", CONNECTION_TYPES, ids=lambda c: c["connection-type"])
def test_no_declared_default_reaches_the_form_masked(conn, hook_meta):
    """Airflow 3.3.2 replaces the value of any field whose name looks secret ("token", "proxy", ...) with "***":
    a default there would be saved as "***"."""
    fields = hook_meta[conn["connection-type"]].extra_fields
    for name, field in conn["conn-fields"].items():
        assert fields[name]["value"] == field["schema"].get("default"), name


@pytest.mark.parametrize("conn", CONNECTION_TYPES, ids=lambda c: c["connection-type"])
def test_every_placeholder_and_hidden_field_is_one_the_ui_renders(conn):
    behaviour = conn["ui-field-behaviour"]
    assert set(behaviour.get("placeholders", {})) <= RENDERED, "Airflow 3.3.2 ignores placeholders of custom fields"
    assert set(behaviour.get("hidden-fields", [])) <= RENDERED, "Airflow 3.3.2 cannot hide the extra JSON"
    assert set(behaviour.get("relabeling", {})) <= RENDERED


@pytest.mark.parametrize("conn", [c for c in CONNECTION_TYPES if "redirect_uri" in c["conn-fields"]],
                         ids=lambda c: c["connection-type"])
def test_redirect_uris_suggest_the_commands_default(conn):
    field = conn["conn-fields"]["redirect_uri"]
    assert field["schema"]["examples"] and field["schema"]["examples"][0].startswith("http://127.0.0.1:")


@pytest.mark.parametrize("conn", CONNECTION_TYPES, ids=lambda c: c["connection-type"])
def test_every_choice_default_is_one_of_its_choices(conn):
    for name, field in conn["conn-fields"].items():
        schema = field["schema"]
        if "enum" in schema and "default" in schema:
            assert schema["default"] in schema["enum"], name


@pytest.mark.parametrize("field", ["auth_mode", "media_upload_api"])
def test_the_twitter_hook_takes_every_choice_of_the_form(field, make_connection):
    twitter = next(c for c in CONNECTION_TYPES if c["connection-type"] == "twitter")
    for value in twitter["conn-fields"][field]["schema"]["enum"]:
        make_connection("x_form", "twitter", access_token="a", oauth_consumer_key="k", oauth_consumer_secret="s",
                        oauth_token="t", oauth_token_secret="ts")
        extra = json.loads(__import__("os").environ["AIRFLOW_CONN_X_FORM"])
        extra["extra"][field] = value
        __import__("os").environ["AIRFLOW_CONN_X_FORM"] = json.dumps(extra)
        hook = TwitterHook("x_form")
        assert getattr(hook, field) in twitter["conn-fields"][field]["schema"]["enum"]
