"""Who is who: USCC validation, name keys, stable enterprise ids, and telling people from firms.

An enterprise is identified by its 18-character unified social credit code (统一社会信用代码) when a
valid one is known, otherwise by a stable id derived from its *name key* — the name after NFKC,
with brackets, spaces and legal-form variants folded — so that ``北京华联（集团）有限责任公司`` and
``北京华联(集团)有限公司`` are one firm.

Examples
--------
>>> name_key("北京华联（集团）有限责任公司") == name_key("北京华联(集团)有限公司 ")
True
>>> name_key("上海申通物流有限公司 苏州分公司")
'上海申通物流有限公司苏州分公司'
>>> valid_uscc("91350100M000100Y43")
True
>>> enterprise_id("91350100M000100Y43", "任意名称")
'91350100M000100Y43'
>>> enterprise_id(None, "北京华联(集团)有限公司")
'N-f5cbf70bbbed24da'
>>> is_individual("张三"), is_individual("欧阳娜娜"), is_individual("张三五金店"), is_individual("华兴机械")
(True, True, False, False)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from stdnum.cn import uscc as _uscc

_SPACES = re.compile(r"[\s\u3000]+")
_BRACKETS = re.compile(r"[()\[\]{}<>《》【】「」『』〔〕]")
# Legal-form variants folded to one spelling, longest first.
_LEGAL_FORMS = (
    ("股份有限责任公司", "股份有限公司"),
    ("有限责任公司", "有限公司"),
    ("有限公司", "有限公司"),
)
# An organisation's name ends in one of these; a person's 2–4 character name almost never does.
_ORG_SUFFIX = re.compile(
    "(公司|厂|店|行|社|部|中心|局|院|所|集团|会|站|馆|校|场|处|室|队|坊|铺|号|委|办|库|园|矿|业|司|团)$"
)
# A firm's short name (华兴机械, 恒通电子) is 2–4 characters too: an industry word tells it from a person.
_ORG_WORD = re.compile(
    "机械|电子|电器|电气|科技|技术|贸易|商贸|实业|物流|运输|建设|建筑|工程|材料|建材|化工|纺织|服饰|服装|食品|"
    "医药|制造|置业|地产|投资|咨询|设备|能源|环保|汽车|包装|印刷|塑料|塑胶|五金|家具|网络|信息|软件|传媒|餐饮|"
    "酒店|农业|矿业|钢铁|金属|机电|精密|模具|光电|新材|制品|配件|零件|仪器|仪表|机床|轴承|阀门|泵业|石化|涂料|"
    "油墨|橡胶|玻璃|陶瓷|木业|纸业|药业|生物|环境|照明|线缆|电缆|智能|集成|半导|通信|通讯|控股|供应链"
)
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,8}[·•][\u4e00-\u9fff]{1,10}$")


def normalize_text(value: str) -> str:
    """NFKC (full-width digits, letters and brackets become half-width), spaces removed.

    >>> normalize_text("ＡＢＣ（１２３） 公司")
    'ABC(123)公司'
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", value))


@lru_cache(maxsize=1 << 17)
def name_key(name: str) -> str:
    """The name that identifies an enterprise when no valid USCC is known.

    NFKC, spaces and brackets removed, legal-form variants folded (有限责任公司 → 有限公司). A branch
    (分公司, 分厂, 办事处) keeps its suffix: it registers under its own USCC, so a branch known only by
    name is never merged into its parent. Applying it twice changes nothing.
    """
    key = name
    for _ in range(4):  # removing characters can let NFKC compose new ones: repeat to a fixed point
        folded = _fold(key)
        if folded == key:
            break
        key = folded
    return key


def _fold(name: str) -> str:
    key = unicodedata.normalize("NFKC", _BRACKETS.sub("", normalize_text(name)))
    for variant, canonical in _LEGAL_FORMS:
        if variant in key:
            return key.replace(variant, canonical)
    return key


def valid_uscc(code: str | None) -> bool:
    """True for an 18-character unified social credit code with a correct check character."""
    if not isinstance(code, str) or not code:
        return False
    return _valid_code(code)


@lru_cache(maxsize=1 << 17)
def _valid_code(code: str) -> bool:
    # A payments extract repeats each counterparty's code on every row: check each spelling once.
    return bool(_uscc.is_valid(normalize_text(code).upper()))


def enterprise_id(uscc: str | None, name: str) -> str:
    """The USCC when valid, else ``N-`` and 16 hex digits of the name key's SHA-1 (stable across runs)."""
    if isinstance(uscc, str) and valid_uscc(uscc):
        return normalize_text(uscc).upper()
    digest = hashlib.sha1(name_key(name).encode("utf-8")).hexdigest()[:16]
    return f"N-{digest}"


def is_individual(name: str) -> bool:
    """A person's name (2–4 Han characters, or a transliterated name with ·) with no organisation word.

    A firm's short name of 2–4 characters ending in an industry word (``华兴机械``) is not a person.
    """
    text = normalize_text(name)
    return bool(_PERSON.match(text)) and not _ORG_SUFFIX.search(text) and not _ORG_WORD.search(text)
