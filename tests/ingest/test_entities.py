"""USCC validation, name keys and person detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from chainsight.ingest.entities import enterprise_id, is_individual, name_key, valid_uscc


@pytest.mark.parametrize("a, b", [
    ("北京华联（集团）有限责任公司", "北京华联(集团)有限公司"),
    ("苏州恒通机械有限公司", " 苏州恒通机械 有限公司 "),
    ("ＡＢＣ电子有限公司", "ABC电子有限公司"),
    ("上海申通物流有限公司苏州分公司", "上海申通物流有限责任公司 苏州分公司"),
    ("浙江鑫达股份有限责任公司", "浙江鑫达股份有限公司"),
])
def test_name_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert enterprise_id(None, a) == enterprise_id(None, b)


def test_different_firms_keep_different_keys() -> None:
    assert name_key("苏州恒通机械有限公司") != name_key("苏州恒通电子有限公司")


def test_a_branch_keys_apart_from_its_parent() -> None:
    # A 分公司 registers under its own USCC: known by name only, it is not its parent.
    assert name_key("上海申通物流有限公司苏州分公司") != name_key("上海申通物流有限公司")


def test_valid_uscc_wins_over_the_name() -> None:
    body = "91350100M000100Y4"
    code = body + uscc.calc_check_digit(body)
    assert valid_uscc(code)
    assert enterprise_id(code, "某某公司") == code
    assert enterprise_id(code.lower(), "某某公司") == code


def test_invalid_check_character_falls_back_to_the_name() -> None:
    body = "91350100M000100Y4"
    wrong = body + ("0" if uscc.calc_check_digit(body) != "0" else "1")
    assert not valid_uscc(wrong)
    assert enterprise_id(wrong, "某某公司").startswith("N-")


@pytest.mark.parametrize("name, person", [
    ("张三", True), ("王学军", True), ("欧阳娜娜", True), ("阿卜杜·热合曼", True),
    ("张三五金店", False), ("国家税务总局苏州市税务局", False), ("核心制造有限公司", False),
    ("华联集团", False), ("华兴机械", False), ("恒通电子", False), ("王钢", True),
])
def test_people_are_told_from_firms(name: str, person: bool) -> None:
    assert is_individual(name) is person


@given(st.text(max_size=40))
def test_name_key_is_idempotent_and_total(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert enterprise_id(None, name) == enterprise_id(None, key)
