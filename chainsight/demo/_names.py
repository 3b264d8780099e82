"""Realistic Chinese names for the demo bank: firms, people, institutions, places and banks.

Every string here is GBK-encodable and free of commas and quotes, so CSV rows never need quoting
for names. Firm names are unique by :func:`same_name`: a registry refuses a name that differs
from a registered one only in brackets, spaces or 有限责任公司 written 有限公司.

Examples
--------
>>> import numpy as np
>>> names = firm_names(np.random.default_rng(1), np.array([0, 0, 9]))
>>> len({same_name(n) for n in names})
3
>>> all(2 <= len(p) <= 4 for p in person_names(np.random.default_rng(1), 20))
True
>>> [same_name(v) == same_name("华兴机械(苏州)有限公司") for v in name_variants("华兴机械(苏州)有限公司")]
[True, True, True]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: (city, administrative division code); the first ``LOCAL_CITIES`` are our bank's home area.
CITIES: tuple[tuple[str, str], ...] = (
    ("苏州", "320505"), ("昆山", "320583"), ("常熟", "320581"), ("张家港", "320582"), ("太仓", "320585"),
    ("无锡", "320214"), ("常州", "320411"), ("南京", "320104"), ("南通", "320602"), ("上海", "310115"),
    ("杭州", "330106"), ("宁波", "330212"), ("嘉兴", "330402"), ("绍兴", "330602"), ("湖州", "330502"),
    ("温州", "330302"), ("台州", "331002"), ("金华", "330702"), ("合肥", "340104"), ("芜湖", "340202"),
    ("徐州", "320311"), ("扬州", "321002"), ("镇江", "321102"), ("泰州", "321202"), ("盐城", "320902"),
    ("深圳", "440305"), ("广州", "440106"), ("东莞", "441900"), ("佛山", "440604"), ("青岛", "370212"),
    ("济南", "370102"), ("天津", "120116"), ("北京", "110105"), ("武汉", "420106"), ("成都", "510107"),
    ("重庆", "500112"), ("西安", "610113"), ("郑州", "410105"), ("长沙", "430104"), ("厦门", "350206"),
)
LOCAL_CITIES = 5
#: Districts and towns of the home area that name our branches and other banks' sub-branches.
PLACES: tuple[str, ...] = (
    "姑苏", "工业园区", "高新区", "吴中", "相城", "吴江", "城东", "城西", "城北", "开发区", "滨湖",
    "新区", "港区", "金鸡湖", "独墅湖", "木渎", "浒墅关", "胥口",
)
OUR_BANK = "示范银行"
OTHER_BANKS: tuple[str, ...] = (
    "中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "兴业银行",
    "上海浦东发展银行", "中信银行", "中国民生银行", "平安银行", "宁波银行", "江苏银行", "苏州银行",
    "中国邮政储蓄银行", "华夏银行", "中国光大银行",
)
_BRAND = (
    "华兴盛鑫恒泰达源新创宏瑞丰隆昌德安康利通永和嘉益佳美金汇远博宇晨明正中科天海峰成信诚光龙凯润联"
    "合立万宝富祥顺腾飞辉锦荣盈豪铭航弘亿维优卓越欣尚骏晟泓翔星辰阳东方圣亚环球通融冠森林松柏泽"
)
# (industry, may be a 厂): what a firm makes or does.
_INDUSTRIES: tuple[tuple[str, bool], ...] = (
    ("机械制造", True), ("精密机械", True), ("电子科技", False), ("电子材料", True), ("光电科技", False),
    ("新材料", False), ("化工", True), ("塑胶制品", True), ("包装材料", True), ("纸业", True),
    ("纺织", True), ("服饰", True), ("印染", True), ("食品", True), ("饮料", True), ("农产品", False),
    ("建材", True), ("钢结构", True), ("金属制品", True), ("五金", True), ("模具", True),
    ("汽车零部件", True), ("电气", True), ("电缆", True), ("环保科技", False), ("能源科技", False),
    ("医疗器械", True), ("生物科技", False), ("家具", True), ("木业", True), ("建筑工程", False),
    ("装饰工程", False), ("供应链管理", False), ("商贸", False), ("进出口", False), ("实业", False),
    ("智能装备", True), ("自动化设备", True), ("仪器仪表", True), ("橡胶制品", True), ("玻璃制品", True),
    ("陶瓷", True), ("铝业", True), ("铜业", True), ("不锈钢", True), ("印刷", True), ("软件", False),
    ("信息技术", False), ("网络科技", False), ("电器", True), ("照明", True), ("涂料", True),
    ("油墨", True), ("纺织机械", True), ("精细化工", True), ("轴承", True), ("阀门", True),
    ("泵业", True), ("钢材", False), ("石材", True),
)
_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "厂")
_FORM_P = (0.66, 0.14, 0.10, 0.10)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
)
_DOUBLE_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
_ORG_CHARS = set("公司厂店行社部中心局院所集团会站馆校场处室队坊铺号委办库园矿业")
_GIVEN = "".join(c for c in (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文玉兰红志春梅海林晓金波辉鹏飞宇浩凯俊婷雪琳"
    "倩颖佳欣怡晨阳斌亮峰成龙鑫彬轩睿博然宁萍燕慧丹蕾健荣君庆新东永生利清云德福彤瑶璐琪悦蓉艺宏毅涵哲"
    "航帆敬松柏勤嘉子思雨梓诗一昊泽沛沁") if c not in _ORG_CHARS)
_CN_DIGITS = "零一二三四五六七八九"
_NOT_IN_A_NAME = str.maketrans("", "", "()（） \u3000")


def same_name(name: str) -> str:
    """What two spellings of one registered name share: brackets and spaces dropped, 有限责任公司 as 有限公司.

    >>> same_name("华兴机械（苏州）有限责任公司") == same_name("华兴机械(苏州)有限公司")
    True
    """
    return name.translate(_NOT_IN_A_NAME).replace("有限责任公司", "有限公司")


def cn_number(n: int) -> str:
    """A number 1..99 in Chinese numerals, as in 第二十三中学.

    >>> cn_number(23), cn_number(10), cn_number(7)
    ('二十三', '十', '七')
    """
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def _pick(rng: np.random.Generator, pool: str | tuple[object, ...], n: int) -> npt.NDArray[np.int64]:
    return rng.integers(0, len(pool), size=n)


def firm_names(rng: np.random.Generator, city: npt.NDArray[np.int64], taken: set[str] | None = None,
               industries: tuple[str, ...] = (), forms: tuple[str, ...] = ()) -> list[str]:
    """One unique firm name per entry of ``city`` (index into :data:`CITIES`): region, brand, industry,
    legal form; about 15% in the ``品牌行业(城市)有限公司`` style. ``taken`` holds :func:`same_name` keys to
    avoid (and receives the new ones); ``industries``/``forms`` override the usual pools."""
    used: set[str] = set() if taken is None else taken
    pool = tuple((i, False) for i in industries) or _INDUSTRIES
    out: list[str] = [""] * len(city)
    todo = np.arange(len(city))
    while len(todo):
        n = len(todo)
        b1, b2 = _pick(rng, _BRAND, n), _pick(rng, _BRAND, n)
        ind = _pick(rng, pool, n)
        form = rng.choice(len(_FORMS), size=n, p=_FORM_P)
        own_form = _pick(rng, forms or ("",), n)
        bracket = rng.random(n) < 0.15
        retry: list[int] = []
        for k, i in enumerate(todo.tolist()):
            if b1[k] == b2[k]:
                retry.append(i)
                continue
            industry, factory_ok = pool[ind[k]]
            legal = _FORMS[form[k]] if factory_ok or form[k] != 3 else "有限公司"
            legal = forms[own_form[k]] if forms else legal
            brand, region = _BRAND[b1[k]] + _BRAND[b2[k]], CITIES[city[i]][0]
            name = (f"{brand}{industry}({region}){legal}" if bracket[k] and legal != "厂"
                    else f"{region}{brand}{industry}{legal}")
            key = same_name(name)
            if key in used:
                retry.append(i)
                continue
            used.add(key)
            out[i] = name
        todo = np.array(retry, dtype=np.int64)
    return out


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` person names of 2–4 Han characters (not unique, as in life)."""
    double = rng.random(n) < 0.02
    s1, s2 = _pick(rng, _SURNAMES, n), _pick(rng, _DOUBLE_SURNAMES, n)
    g1, g2 = _pick(rng, _GIVEN, n), _pick(rng, _GIVEN, n)
    two = rng.random(n) < 0.65
    return [
        (_DOUBLE_SURNAMES[s2[i]] if double[i] else _SURNAMES[s1[i]]) + _GIVEN[g1[i]]
        + (_GIVEN[g2[i]] if two[i] else "")
        for i in range(n)
    ]


def unique_person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct person names (relationship managers must be told apart)."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        for name in person_names(rng, 2 * (n - len(out)) + 4):
            if name not in seen and len(out) < n:
                seen.add(name)
                out.append(name)
    return out


def institution_names(rng: np.random.Generator, kind: str, n: int, taken: set[str]) -> list[str]:
    """``n`` unique names of institutional (``institutional``), interbank or housing-fund customers."""
    out: list[str] = []
    while len(out) < n:
        city = CITIES[int(rng.integers(0, LOCAL_CITIES if rng.random() < 0.7 else len(CITIES)))][0]
        num, brand = cn_number(int(rng.integers(1, 60))), _BRAND[int(rng.integers(0, len(_BRAND)))]
        brand += _BRAND[int(rng.integers(0, len(_BRAND)))]
        if kind == "institutional":
            name = str(rng.choice([
                f"{city}市第{num}中学", f"{city}市第{num}人民医院", f"{city}市实验小学{brand}校区",
                f"{city}市{brand}中心小学", f"{city}市{brand}幼儿园", f"{city}市中医医院{brand}分院",
                f"{city}市{brand}街道社区卫生服务中心", f"{city}市市政设施养护中心第{num}所",
                f"{city}市第{num}职业技术学校", f"{city}市{brand}文化馆"]))
        elif kind == "interbank":
            name = str(rng.choice([
                f"{city}农村商业银行股份有限公司", f"{brand}证券股份有限公司", f"{brand}基金管理有限公司",
                f"{brand}信托有限责任公司", f"{city}{brand}村镇银行股份有限公司", f"{brand}财务有限公司"]))
        else:
            name = str(rng.choice([
                f"{city}{brand}花园业主大会", f"{city}{brand}苑业主委员会", f"{city}{brand}家园业主大会",
                f"{city}市{brand}片区住宅专项维修资金管理中心"]))
        key = same_name(name)
        if key not in taken:
            taken.add(key)
            out.append(name)
    return out


def bank_branch(bank: str, city: str, place: str) -> str:
    """A sub-branch as counterparty banks are written: ``中国工商银行苏州工业园区支行``."""
    return f"{bank}{city}{place}支行"


def tax_office(city: str) -> str:
    """The tax authority a firm of ``city`` pays: ``国家税务总局苏州市税务局``."""
    return f"国家税务总局{city}市税务局"


def social_insurance_office(city: str) -> str:
    """The social-insurance agency of ``city``: ``苏州市社会保险事业管理中心``."""
    return f"{city}市社会保险事业管理中心"


def housing_fund_office(city: str) -> str:
    """The housing provident fund centre of ``city``: ``苏州市住房公积金管理中心``."""
    return f"{city}市住房公积金管理中心"


def finance_bureau(city: str) -> str:
    """The finance bureau that pays subsidies: ``苏州市财政局``."""
    return f"{city}市财政局"


def industry_bureau(city: str) -> str:
    """The bureau that pays industry grants: ``苏州市工业和信息化局``."""
    return f"{city}市工业和信息化局"


def name_variants(name: str) -> list[str]:
    """Spellings of ``name`` that payers type: full-width brackets, 有限公司↔有限责任公司, an extra space.
    Each differs from ``name`` and is :func:`same_name` as it."""
    out: list[str] = []
    if "(" in name:
        out.append(name.replace("(", "（").replace(")", "）"))
    if name.endswith("有限责任公司"):
        out.append(name[: -len("有限责任公司")] + "有限公司")
    elif name.endswith("有限公司"):
        out.append(name[: -len("有限公司")] + "有限责任公司")
    out.append(name[:2] + " " + name[2:])
    key = same_name(name)
    if any(same_name(v) != key or v == name for v in out):
        raise AssertionError(f"a variant of {name!r} keys differently")
    return out


_LOOKALIKE = dict(zip("盛泰宏瑞丰隆昌德华兴恒达源新", "晟太弘睿峰龙长得化星衡大元欣"))
_LEGAL_SUFFIXES = ("集团有限公司", "股份有限公司", "有限责任公司", "有限公司", "厂")


def other_names(name: str) -> list[str]:
    """What payers also write for ``name`` that is another name altogether, not :func:`same_name` as it:
    the short name without the legal form, a sales branch (分公司), a typo of a look-alike character
    (possibly none of these, for a school). Ambiguous by design: a short name or a typo may as well be
    another firm's.

    >>> other_names("苏州华兴机械有限公司")
    ['苏州华兴机械', '苏州华兴机械有限公司销售分公司', '苏州化兴机械有限公司']
    """
    short = next((name[: -len(f)] for f in _LEGAL_SUFFIXES if name.endswith(f) and len(name) > len(f) + 1),
                 name)
    out = [short, name + "销售分公司"] if short != name else []  # a school has neither
    at = next((i for i, ch in enumerate(name) if ch in _LOOKALIKE), -1)
    if at >= 0:
        out.append(name[:at] + _LOOKALIKE[name[at]] + name[at + 1:])
    key = same_name(name)
    if any(same_name(v) == key for v in out):
        raise AssertionError(f"another name of {name!r} keys as it")
    return out

