"""Short labels for firms on a drawing: the distinctive part of a Chinese company name.

A registered name carries a place in front (苏州, 浙江 …), a form behind (有限公司, 股份有限公司 …) and
sometimes a place in brackets (``(昆山)``); on a chain drawing only the middle tells firms apart. The full
name is kept for the hover and the evidence panel.

Examples
--------
>>> short_name("苏州甲材料有限公司"), short_name("远晟进出口(昆山)有限公司")
('甲材料', '远晟进出口')
>>> short_name("张家港方光陶瓷集团有限公司"), short_name("国网苏州供电公司")
('方光陶瓷', '国网苏州供电')
>>> short_name("Acme Trading Company Limited of Shanghai")
'Acme Trading Compan…'
"""

from __future__ import annotations

import re

__all__ = ["short_name"]

# Longest first, so that 股份有限公司 is not cut as 有限公司 leaving 股份.
_FORMS = sorted(("有限责任公司", "股份有限公司", "有限公司", "集团公司", "总公司", "分公司", "公司", "集团",
                 "厂", "股份"), key=len, reverse=True)
_PLACES = tuple(sorted((
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门", "苏州", "无锡", "常州", "南京", "南通",
    "扬州", "镇江", "泰州", "徐州", "盐城", "淮安", "连云港", "宿迁", "昆山", "张家港", "常熟", "太仓", "江阴",
    "宜兴", "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州", "义乌", "合肥", "芜湖", "广州",
    "深圳", "东莞", "佛山", "厦门", "福州", "泉州", "青岛", "济南", "烟台", "郑州", "武汉", "长沙", "成都",
    "西安", "沈阳", "大连", "长春", "哈尔滨", "石家庄", "太原", "南昌", "昆明", "贵阳", "南宁", "兰州"),
    key=len, reverse=True))
_BRACKETS = re.compile(r"[(（][^()（）]{1,12}[)）]")
_CJK = re.compile(r"[\u3400-\u9fff]")

#: Characters a label keeps at most (CJK names; other names get twice as many).
MAX_CJK = 8


def short_name(name: str | None, fallback: str = "") -> str:
    """The distinctive middle of a company name, at most :data:`MAX_CJK` CJK characters.

    Parameters
    ----------
    name : the registered name (None or empty: ``fallback`` is used, e.g. the enterprise id).
    fallback : what to shorten when there is no name.

    Returns
    -------
    str
        The label; never empty while ``name`` or ``fallback`` is not (a name that is all place and form
        keeps its form-stripped text).
    """
    text = (name or fallback or "").strip()
    if not _CJK.search(text):
        return text if len(text) <= 2 * MAX_CJK + 3 else text[: 2 * MAX_CJK + 3].rstrip() + "…"
    core = _BRACKETS.sub("", text)
    for _ in range(2):  # 有限公司 after 集团: 方光陶瓷集团有限公司
        for form in _FORMS:
            if core.endswith(form) and len(core) > len(form):
                core = core[: -len(form)]
                break
    for place in _PLACES:
        if core.startswith(place) and len(core) - len(place) >= 2:
            core = core[len(place):]
            break
    core = core or text
    return core if len(core) <= MAX_CJK else core[: MAX_CJK - 1] + "…"
