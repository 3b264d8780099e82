"""Memo (摘要) texts per flow class, and the flow classes the ground truth uses.

The vocabulary is what Chinese corporate statements say, written here from the domain and never taken
from the classifier: goods and materials (货款, 材料款), wages paid through the bank (代发工资),
social insurance (社保费), interest (结息), fees (手续费), reversals (冲正), refunds (退款), subsidies
(补贴) and tax refunds (退税) from government, outsourced staff (劳务派遣, a service bought: trade). A trade
memo names what was bought or sold and never one of :data:`NON_TRADE_WORDS`, the words that mark
money which is not trade; the tests check the classifier's keywords against both.

Examples
--------
>>> MEMOS[POOLS["trade_goods"][0]]
'货款'
>>> CLASSES[TRADE], CLASSES[REVERSAL]
('trade', 'reversal')
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

CLASSES = ("trade", "payroll", "individual", "tax", "social_insurance", "loan", "interest", "fee",
           "intra_transfer", "reversal", "refund", "government")
TRADE, PAYROLL, INDIVIDUAL, TAX, SOCIAL, LOAN, INTEREST, FEE, INTRA, REVERSAL, REFUND, GOVERNMENT = range(12)

_POOLS: dict[str, tuple[str, ...]] = {
    # real statements also say nothing a keyword list knows: codes, English, typos (欵, 科), spaces
    "trade_goods": ("货款", "采购款", "材料款", "预付货款", "支付货款", "", "合同款", "设备款", "加工费",
                    "工程款", "BIZ0031", "payment for goods", "货欵", "材科款", "PO-2024-118", "货 款"),
    "trade_sales": ("货款", "采购款", "预付货款", "", "合同款", "购货款", "BIZ0107", "INV 2024-0413",
                    "purchase", "购货款项"),
    "trade_hub": ("运费", "物流费", "运输费", "仓储费", "燃气费", "水费"),
    # a service bought is trade: outsourced staff, and what the agent settles on its clients' behalf
    "trade_service": ("人力外包费", "劳务派遣费用", "人事代理费", "外包费", "HR outsourcing", "服务外包款", ""),
    "trade_agent": ("代付款", "结算款", "服务结算", "代垫款项", ""),
    "payroll": ("代发工资", "工资", "工资", "奖金", "劳务费", "绩效工资", "代发薪酬"),
    "payroll_batch": ("代发工资", "批量代发工资"),
    "payroll_ambiguous": ("转账", "往来款"),
    "individual_out": ("往来款", "个人借款", "备用金", "报销款", "借款", ""),
    "individual_in": ("往来款", "股东借款", "借款", "投资款", ""),
    "housing_in": ("维修资金", "专项维修资金缴存", ""),
    "tax_vat": ("增值税", "缴税", "税费", "代扣税款"),
    "tax_income": ("企业所得税", "所得税", "印花税"),
    "social": ("社保费", "养老保险", "社会保险费", "医疗保险"),
    "housing_fund": ("住房公积金", "公积金"),
    "loan_out": ("贷款发放", "放款"),
    "loan_back": ("贷款归还", "还款", "还贷", "归还贷款本金"),
    "interest_deposit": ("结息", "存款利息", "利息"),
    "interest_loan": ("贷款利息", "利息"),
    "fee": ("手续费", "汇划费", "网银年费", "工本费", "服务费", "汇划手续费"),
    "intra_labelled": ("资金归集", "划转", "同名划转", "内部调拨"),
    "intra_neutral": ("转账", ""),
    "reversal": ("冲正", "货款冲正", "冲正交易", "冲正-重复支付"),
    "refund": ("退货款", "退款", "货款退回"),
    # money from government: subsidies and grants, tax refunds (some memos say nothing at all)
    "subsidy": ("稳岗补贴", "科技项目补助", "专项资金", "产业扶持资金", "高新技术企业奖励", "技改补助", "财政拨款", "",
                "2024年度奖补资金", "grant"),
    "tax_refund": ("出口退税", "增值税留抵退税", "退税", "即征即退", "税费返还"),
}
#: Every memo text, each once; events store an index into it.
MEMOS: tuple[str, ...] = tuple(dict.fromkeys(m for pool in _POOLS.values() for m in pool))
_INDEX = {m: i for i, m in enumerate(MEMOS)}
#: Each pool as indexes into :data:`MEMOS`.
POOLS: dict[str, npt.NDArray[np.int64]] = {
    k: np.array([_INDEX[m] for m in v], dtype=np.int64) for k, v in _POOLS.items()}
TRADE_POOLS = ("trade_goods", "trade_sales", "trade_hub", "trade_service", "trade_agent")


#: Words that say a payment is not trade: wages, taxes, social insurance, lending, interest, fees,
#: transfers between one firm's own accounts, reversals and refunds.
NON_TRADE_WORDS = ("工资", "薪酬", "奖金", "劳务费", "税", "社保", "保险", "公积金", "贷款", "放款",
                   "还款", "还贷", "利息", "结息", "手续费", "汇划费", "年费", "工本费", "归集", "划转",
                   "调拨", "冲正", "退款", "退货", "退回", "借款", "报销", "备用金")


def _check() -> None:
    # A trade memo with a non-trade word would plant a payment whose class a reader doubts.
    for pool in TRADE_POOLS:
        for memo in _POOLS[pool]:
            if any(w in memo for w in NON_TRADE_WORDS):
                raise AssertionError(f"trade memo {memo!r} says something other than trade")


_check()


def draw(rng: np.random.Generator, pool: str, n: int) -> npt.NDArray[np.int64]:
    """``n`` memo indexes drawn uniformly from ``pool``."""
    p = POOLS[pool]
    return p[rng.integers(0, len(p), n)]
