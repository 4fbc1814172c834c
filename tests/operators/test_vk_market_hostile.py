"""Issue 20: the VK shop sync and the ads operators under hostile input, against the strict sandbox.

Nothing is wiped (an empty catalogue or too many deletions are refused before any write), every row is checked
before the first write (photos included, named ``catalogue[<0-based row>].<field>``), CSV files as Excel writes
them are read, and rendered garbage in every templated field is an input error before any request.
"""

from __future__ import annotations

import datetime
import json

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.operators.vk_market import (
    VkMarketSyncOperator,
    VkPauseAdOperator,
    VkPromotePostOperator,
)
from tests.hooks.vk.conftest import png
from tests.hooks.vk.test_vk_sandbox import vk_sandbox  # noqa: F401  (fixture)
from tests.operators import test_vk_market_operators as market_tests

hook = market_tests.hook  # the fixture: a sandbox VkHook that the operators use
_shop = market_tests._shop


def _vk_requests(sandbox) -> int:
    return sandbox.control.requests()["by_service"].get("vk", 0)


def _row(n: int, **extra) -> dict:
    return {"sku": f"SKU-{n}", "name": f"Product {n:03d}", "description": "A product of the test shop",
            "category_id": 301, "price": 100 + n, **extra}


def _stock(hook, count: int) -> None:
    categories = hook.market_categories()
    for n in range(count):
        hook.add_product(_row(n), categories=categories)


def _field(name: str) -> str:
    return name.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")


# ------------------------------------------------------------------ an empty catalogue never wipes the shop
@pytest.mark.parametrize("empty", ["list", "header-only csv", "empty json"])
def test_an_empty_catalogue_with_delete_absent_is_refused_before_any_write(sandbox, hook, tmp_path, empty):
    _stock(hook, 3)
    if empty == "list":
        catalogue: object = []
    elif empty == "header-only csv":
        catalogue = tmp_path / "catalogue.csv"
        catalogue.write_text("sku,name,description,category_id,price\n", encoding="utf-8")
    else:
        catalogue = tmp_path / "catalogue.json"
        catalogue.write_text("[]", encoding="utf-8")
    with pytest.raises(ValidationError, match="catalogue") as caught:
        VkMarketSyncOperator(task_id="sync", catalogue=str(catalogue) if empty != "list" else catalogue,
                             delete_absent=True).execute({})
    assert "empty" in str(caught.value) and "3 products" in str(caught.value)
    assert len(_shop(sandbox)) == 3


def test_deletions_beyond_max_delete_are_refused_naming_the_count_and_the_bound(sandbox, hook):
    _stock(hook, 20)
    keep = [_row(n) for n in range(15)]  # 5 of 20 would go: more than the default 10% (2 products)
    with pytest.raises(ValidationError, match="max_delete") as caught:
        VkMarketSyncOperator(task_id="sync", catalogue=keep + [_row(99)], delete_absent=True).execute({})
    text = str(caught.value)
    assert "5 of the shop's 20 products" in text and "at most 2" in text
    assert len(_shop(sandbox)) == 20  # not even the new row was added: the refusal comes before any write
    with pytest.raises(ValidationError, match="at most 4"):
        VkMarketSyncOperator(task_id="sync", catalogue=keep, delete_absent=True, max_delete=4).execute({})
    assert VkMarketSyncOperator(task_id="sync", catalogue=keep, delete_absent=True,
                                max_delete=0.25).execute({})["deleted"] == 5
    assert len(_shop(sandbox)) == 15


def test_default_max_delete_allows_one_product_of_a_small_shop(sandbox, hook):
    _stock(hook, 3)
    result = VkMarketSyncOperator(task_id="sync", catalogue=[_row(0), _row(1)], delete_absent=True).execute({})
    assert result["deleted"] == 1 and len(_shop(sandbox)) == 2


@pytest.mark.parametrize("bound", [-1, 1.5, "lots", True, float("nan"), "[1]"])
def test_a_bad_max_delete_is_an_input_error_before_any_request(sandbox, hook, bound):
    before = _vk_requests(sandbox)
    with pytest.raises(ValidationError, match="max_delete"):
        VkMarketSyncOperator(task_id="sync", catalogue=[_row(0)], delete_absent=True, max_delete=bound).execute({})
    assert _vk_requests(sandbox) == before


# ------------------------------------------------------------------ every row checked before the first write
def _truncated_jpeg(path) -> str:
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xc0\x00\x11\x08")
    return str(path)


@pytest.mark.parametrize(("photo", "words"), [
    ("missing", "does not exist"),
    ("small", "400x400"),
    ("text", "not a JPG, PNG or GIF"),
    ("truncated jpeg", "JPG, PNG or GIF"),
])
def test_a_bad_photo_in_the_third_row_stops_the_sync_before_any_request(sandbox, hook, tmp_path, photo, words):
    third = {"missing": str(tmp_path / "absent.png"), "small": png(tmp_path / "s.png", 300, 300),
             "truncated jpeg": _truncated_jpeg(tmp_path / "t.jpg")}.get(photo)
    if photo == "text":
        (tmp_path / "notes.png").write_text("not an image at all")
        third = str(tmp_path / "notes.png")
    rows = [_row(0, main_photo=png(tmp_path / "a.png", 600, 600)), _row(1), _row(2, main_photo=third)]
    before = _vk_requests(sandbox)
    with pytest.raises(ValidationError, match=_field("catalogue[2].main_photo")) as caught:
        VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert words in str(caught.value) and "product." not in str(caught.value)
    assert _vk_requests(sandbox) == before and _shop(sandbox) == []


def test_an_extra_photo_is_named_by_its_position(sandbox, hook, tmp_path):
    good = png(tmp_path / "a.png", 600, 600)
    rows = [_row(0), _row(1, photos=[good, png(tmp_path / "s.png", 100, 900)])]
    with pytest.raises(ValidationError, match=_field("catalogue[1].photos[1]")):
        VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert _shop(sandbox) == []


# ------------------------------------------------------------------ CSV files as Excel writes them
CSV_ROWS = ("sku{d}name{d}description{d}category_id{d}price\n"
            "К-1{d}Кружка белая{d}\"Керамическая кружка, 300 мл\"{d}301{d}199.90\n")


def _sync_csv(tmp_path, data: bytes, **kwargs) -> dict:
    path = tmp_path / "catalogue.csv"
    path.write_bytes(data)
    return VkMarketSyncOperator(task_id="sync", catalogue=str(path), **kwargs).execute({})


def test_a_utf8_csv_with_a_byte_order_mark_is_read(sandbox, hook, tmp_path):
    result = _sync_csv(tmp_path, CSV_ROWS.format(d=",").encode("utf-8-sig"))
    assert result["item_ids"].keys() == {"К-1"} and _shop(sandbox)[0]["title"] == "Кружка белая"


def test_a_semicolon_delimited_csv_is_read(sandbox, hook, tmp_path):
    result = _sync_csv(tmp_path, CSV_ROWS.format(d=";").encode("utf-8-sig"))
    assert result["added"] == 1 and _shop(sandbox)[0]["price"] == 19990


def test_a_cp1251_csv_is_refused_naming_the_encoding_or_read_with_encoding_given(sandbox, hook, tmp_path):
    data = CSV_ROWS.format(d=";").encode("cp1251")
    with pytest.raises(ValidationError, match="catalogue") as caught:
        _sync_csv(tmp_path, data)
    assert "UTF-8" in str(caught.value) and "cp1251" in str(caught.value)
    assert _vk_requests(sandbox) == 0
    assert _sync_csv(tmp_path, data, encoding="cp1251")["added"] == 1
    assert _shop(sandbox)[0]["description"] == "Керамическая кружка, 300 мл"


def test_excel_sep_line_tabs_and_header_case_are_read(sandbox, hook, tmp_path):
    excel = "sep=;\r\n SKU ;Name;Description;Category_ID;Price\r\nA-1;Board game;A game for four players;302;1500\r\n"
    assert _sync_csv(tmp_path, excel.encode())["added"] == 1
    tabs = "sku\tname\tdescription\tcategory_id\tprice\nA-1\tBoard game\tA game for four players\t302\t1600\n"
    assert _sync_csv(tmp_path, tabs.encode())["edited"] == 1 and _shop(sandbox)[0]["price"] == 160000


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"encoding": "klingon"}, "encoding"), ({"delimiter": ";;"}, "delimiter"), ({"encoding": "ascii"}, "catalogue"),
])
def test_a_bad_encoding_or_delimiter_argument_is_an_input_error(sandbox, hook, tmp_path, kwargs, field):
    with pytest.raises(ValidationError, match=f"VK: {field}"):
        _sync_csv(tmp_path, CSV_ROWS.format(d=",").encode(), **kwargs)
    assert _vk_requests(sandbox) == 0


@pytest.mark.parametrize(("text", "words"), [
    ("sku,name,description,category_id,price,colour\nA-1,Board game,A game for four players,302,1500,red\n",
     "unknown column 'colour'"),
    ("sku,name,description,category_id,price\nA-1,Board game,A game for four players,302,1500,extra,more\n",
     "2 more values than the header"),
    ("sku,name,sku\nA-1,Board game,A-2\n", "column 'sku' twice"),
    ("", "no header row"),
])
def test_csv_shape_errors_name_the_problem_before_any_request(sandbox, hook, tmp_path, text, words):
    with pytest.raises(ValidationError, match="catalogue") as caught:
        _sync_csv(tmp_path, text.encode())
    assert words in str(caught.value) and "None" not in str(caught.value)
    assert _vk_requests(sandbox) == 0


# ------------------------------------------------------------------ ads
@pytest.mark.parametrize(("field", "value"), [
    ("daily_limit", "abc"), ("daily_limit", "²"), ("daily_limit", 1.5), ("daily_limit", "[300]"),
    ("day_limit", "abc"), ("all_limit", "1e9"), ("name", 12345),
])
def test_garbage_ads_numbers_are_input_errors_before_any_request(sandbox, hook, field, value):
    account = hook.ad_accounts()[0]["account_id"]
    before = _vk_requests(sandbox)
    with pytest.raises(ValidationError, match=f"VK: {field}"):
        if field == "daily_limit":
            hook.create_post_ad(account, 1, 1, daily_limit=value, category_id=53)
        else:
            hook.create_promoted_posts_campaign(account, **({"name": value} if field == "name" else
                                                            {"name": "Promo", field: value}))
    assert _vk_requests(sandbox) == before


def test_a_campaign_created_on_29_february_runs_24_months(sandbox, hook):
    leap_day = datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.timezone.utc)
    sandbox.state.clock.freeze(leap_day.timestamp())
    account = hook.ad_accounts()[0]["account_id"]
    campaign_id = hook.create_promoted_posts_campaign(account, "Leap day promo")
    campaign = next(c for c in hook.get_campaigns(account) if c["id"] == campaign_id)
    stop = datetime.datetime.fromtimestamp(campaign["stop_time"], datetime.timezone.utc)
    assert campaign["start_time"] == int(leap_day.timestamp()) and stop.date() == datetime.date(2030, 2, 28)


# ------------------------------------------------------------------ rendered garbage in every templated field
#: Rendered garbage for every templated field of the VK market and ads operators; each must be an input error
#: naming the field, and no request may reach the sandbox. ``group_id``'s garbage goes to a sync whose catalogue is
#: valid, so only the community can be wrong.
SYNC_GARBAGE = {
    "vk_conn_id": [5, "", ["vk_default"], {"conn": 1}],
    "group_id": ["abc", "9" * 50, "[1, 2]", 12.5, {"gid": 1}],
    "catalogue": [7, "", "[junk", "[1, 2]", "{'sku': 'A'}", "[{'sku': 'A'}]", "/no/such/catalogue.csv",
                  "catalogue.txt", "x" * 5000],
}
PROMOTE_GARBAGE = {
    "vk_conn_id": [5, "", ["vk_default"]],
    "group_id": ["abc", "[1, 2]", 12.5],
    "account_id": ["abc", -1, "[1]", True, "9" * 50],
    "post_id": ["abc", 0, "1.5", {"post": 1}, "²"],
    "daily_limit": ["abc", 0, -5, "1.5", "[300]", "²", True],
    "category_id": ["abc", 0, "[53]"],
    "campaign_id": ["abc", -3, "[1]"],
    "campaign_name": ["", "x" * 61, 12345, "['Promo']"],
}
PAUSE_GARBAGE = {
    "vk_conn_id": [5, ""],
    "group_id": ["abc", "[1]"],
    "account_id": ["abc", "", "[1]"],
    "ad_id": ["abc", "", "1e3", "[1]", {"id": 1}],
}
TABLES = {VkMarketSyncOperator: SYNC_GARBAGE, VkPromotePostOperator: PROMOTE_GARBAGE,
          VkPauseAdOperator: PAUSE_GARBAGE}
VALID = {
    VkMarketSyncOperator: lambda: {"catalogue": [_row(0)]},
    VkPromotePostOperator: lambda: {"account_id": 1, "post_id": 1, "daily_limit": 300, "category_id": 53},
    VkPauseAdOperator: lambda: {"account_id": 1, "ad_id": 1},
}


def _garbage_cases():
    for operator, table in TABLES.items():
        for field, values in table.items():
            for number, value in enumerate(values):
                yield pytest.param(operator, field, value, id=f"{operator.__name__}-{field}-{number}")


@pytest.mark.parametrize("operator", list(TABLES))
def test_the_garbage_tables_cover_every_templated_field(operator):
    assert set(TABLES[operator]) == set(operator.template_fields)


@pytest.mark.parametrize(("operator", "field", "value"), list(_garbage_cases()))
def test_rendered_garbage_in_a_templated_field_is_an_input_error_before_any_request(
        sandbox, vk_sandbox, make_connection, tmp_path, monkeypatch, operator, field, value):  # noqa: F811
    vk_sandbox("vk_default")  # the operators build their own hook from vk_conn_id
    monkeypatch.chdir(tmp_path)
    (tmp_path / "catalogue.txt").write_text("sku\n")
    before = _vk_requests(sandbox)
    with pytest.raises(ValidationError, match=f"VK: {_field(field)}"):
        operator(task_id="t", **{**VALID[operator](), field: value}).execute({})
    assert _vk_requests(sandbox) == before


def test_a_catalogue_rendered_as_a_python_repr_is_read(sandbox, hook):
    rows = [_row(0), _row(1)]
    assert VkMarketSyncOperator(task_id="sync", catalogue=repr(rows)).execute({})["added"] == 2
    assert VkMarketSyncOperator(task_id="sync", catalogue=json.dumps(rows)).execute({})["unchanged"] == 2
