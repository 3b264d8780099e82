"""The golden extract's answers, worked out by hand from the statements and the master (not by the code).

The world, 2024-07 .. 2024-12, analysed as of 2024-12-31 (the master's snapshot date):

* 苏州核心制造 (CORE, ours) pays five suppliers on the 5th of every month: 甲材料 100k and 乙配件 80k
  (ours), 戊钢铁 150k, 己化工 60k, 庚包装 40k (other banks); five customers pay it on the 15th: 丙商贸
  120k and 丁电子 90k (ours), 辛机电 200k, 壬设备 70k, 癸自动化 50k. So CORE has 5 suppliers and 5
  customers, each tie 6 months and 6 payments — the only firm with ≥ 5 of each: **the one core**.
* Tier-1 rules (≥ 3 months, ≥ 3 payments, ≥ CNY 20k): all ten pass. Left out: 国网苏州供电公司 (electricity,
  6 × 3,000 = 18k < 20k: ``tie_amount``), 昆山辰实业 (one sample purchase, 1 month: ``tie_months``).
  戊钢铁 also buys scrap from CORE (3 × 2,000): two-way trade, its dominant side is up (900k against 6k),
  so it is an up member and the down side is ``two_way_minor_side``.
* Tier 2: 甲材料 pays 苏州子矿业 30k every month (6 months; 子矿业's only receipts: dependency 1) — up via
  甲材料; 乙配件 pays 苏州丑五金 20k in Oct, Nov, Dec (3 months, 3 payments, 60k, its only receipts) —
  up via 乙配件; 无锡寅零售 pays 丙商贸 30k every month — down via 丙商贸. Left out: 苏州巳办公用品
  (one 8k purchase by 甲材料: ``tie_months``), 常州卯贸易 (pays 丁电子 in Nov and Dec only:
  ``tie_months``).
* Not trade: 代发工资 to 张三 and 工资 to 李四 (payroll), 增值税 to 国家金库 (tax); a 61,500 payment to 己化工 on
  2024-09-16 is reversed (冲正) the next day, so 己化工's tie is 6 × 60k = 360k. A payment between two
  of our customers shows on both statements and counts once (24 mirror rows: CORE with 甲, 乙, 丙, 丁).
  Interest (结息) and fees (手续费) have no counterparty: non-trade postings.
* Eligibility (小额无贷户, cap 500k inclusive): G01 CORE has a loan; G02 甲材料 300k, nothing owed:
  eligible; G03 乙配件 400k + 100k agreement + 100 margin = 500,100 > 500k; G04 丙商贸 has a credit
  line; G05 丁电子's demand deposit is blank: unknown, so not eligible; G06 is institutional.
"""

CORE = "苏州核心制造有限公司"

CORES = [CORE]

# (member, direction, tier, via)
MEMBERS = {
    ("苏州甲材料有限公司", "up", 1, CORE),
    ("苏州乙配件有限公司", "up", 1, CORE),
    ("浙江戊钢铁有限公司", "up", 1, CORE),
    ("上海己化工有限公司", "up", 1, CORE),
    ("南京庚包装有限公司", "up", 1, CORE),
    ("无锡丙商贸有限公司", "down", 1, CORE),
    ("常州丁电子有限公司", "down", 1, CORE),
    ("杭州辛机电有限公司", "down", 1, CORE),
    ("合肥壬设备有限公司", "down", 1, CORE),
    ("宁波癸自动化有限公司", "down", 1, CORE),
    ("苏州子矿业有限公司", "up", 2, "苏州甲材料有限公司"),
    ("苏州丑五金有限公司", "up", 2, "苏州乙配件有限公司"),
    ("无锡寅零售有限公司", "down", 2, "无锡丙商贸有限公司"),
}

# member amounts (CNY) of the tie that made them members
AMOUNTS = {"苏州甲材料有限公司": 600_000.0, "上海己化工有限公司": 360_000.0, "苏州丑五金有限公司": 60_000.0,
           "无锡寅零售有限公司": 180_000.0, "宁波癸自动化有限公司": 300_000.0}

# (firm, direction, tier, rule)
EXCLUDED = {
    ("国网苏州供电公司", "up", 1, "tie_amount"),
    ("昆山辰实业有限公司", "down", 1, "tie_months"),
    ("浙江戊钢铁有限公司", "down", 1, "two_way_minor_side"),
    ("苏州巳办公用品有限公司", "up", 2, "tie_months"),
    ("常州卯贸易有限公司", "down", 2, "tie_months"),
}

ELIGIBILITY = {"G01": "has_loan", "G02": "eligible", "G03": "deposits_over_cap", "G04": "has_credit",
               "G05": "unknown_deposits", "G06": "excluded_type"}

# every statement row's fate: (status, reason) -> rows
ROW_FATES = {("loaded", "trade"): 88, ("excluded", "mirror_duplicate"): 24, ("excluded", "payroll"): 12,
             ("excluded", "tax"): 6, ("excluded", "reversal"): 1, ("excluded", "reversed"): 1,
             ("excluded", "interest"): 2, ("excluded", "fee"): 2}
