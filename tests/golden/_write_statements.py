"""How the golden statements were typed: a shorthand for the rows, run once; the CSV files are the data.

    python tests/golden/_write_statements.py
"""
from pathlib import Path


def main() -> None:
    out = Path(__file__).parent / "statements"
    out.mkdir(parents=True, exist_ok=True)
    OURS = "示范银行苏州分行"
    acct = {"CORE": ("6222001", "苏州核心制造有限公司"), "S1": ("6222011", "苏州甲材料有限公司"),
            "S2": ("6222012", "苏州乙配件有限公司"), "C1": ("6222021", "无锡丙商贸有限公司"),
            "C2": ("6222022", "常州丁电子有限公司")}
    other = {"S3": ("9558001", "浙江戊钢铁有限公司", "中国工商银行杭州分行"),
             "S4": ("9558002", "上海己化工有限公司", "中国建设银行上海分行"),
             "S5": ("9558003", "南京庚包装有限公司", "中国银行南京分行"),
             "C3": ("9558011", "杭州辛机电有限公司", "招商银行杭州分行"),
             "C4": ("9558012", "合肥壬设备有限公司", "中国农业银行合肥分行"),
             "C5": ("9558013", "宁波癸自动化有限公司", "宁波银行"),
             "T1": ("9558021", "苏州子矿业有限公司", "中国工商银行苏州分行"),
             "T2": ("9558022", "苏州丑五金有限公司", "交通银行苏州分行"),
             "B1": ("9558031", "无锡寅零售有限公司", "江苏银行无锡分行"),
             "B2": ("9558032", "常州卯贸易有限公司", "中国银行常州分行"),
             "POWER": ("9558041", "国网苏州供电公司", "中国建设银行苏州分行"),
             "ONEOFF": ("9558051", "昆山辰实业有限公司", "中国农业银行昆山支行"),
             "OFFICE": ("9558052", "苏州巳办公用品有限公司", "苏州银行"),
             "TAX": ("9558061", "国家金库苏州市中心支库", "中国人民银行苏州市中心支行"),
             "ZHANG": ("6210001", "张三", "中国工商银行苏州分行"),
             "LI": ("6210002", "李四", "中国银行苏州分行")}
    def party(k):
        if k in acct: return acct[k][0], acct[k][1], OURS
        return other[k]
    rows = {k: [] for k in acct}
    def pay(payer, payee, date, amount, memo):
        """A payment on every statement we hold of it (ours on both sides: it shows twice)."""
        if payer in acct:
            a, n, b = party(payee)
            rows[payer].append((date, f"{amount:.2f}", "", a, n, b, memo))
        if payee in acct:
            a, n, b = party(payer)
            rows[payee].append((date, "", f"{amount:.2f}", a, n, b, memo))
    def posting(own, date, debit, credit, memo):
        rows[own].append((date, debit, credit, "", "", "", memo))
    months = ["2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"]
    for m in months:
        for s, amt, memo in (("S1", 100000, "货款"), ("S2", 80000, "配件采购款"), ("S3", 150000, "钢材款"),
                             ("S4", 60000, "原料款"), ("S5", 40000, "包装材料款")):
            pay("CORE", s, f"{m}-05", amt, memo)
        for c, amt, memo in (("C1", 120000, "货款"), ("C2", 90000, "采购款"), ("C3", 200000, "设备款"),
                             ("C4", 70000, "货款"), ("C5", 50000, "货款")):
            pay(c, "CORE", f"{m}-15", amt, memo)
        pay("CORE", "POWER", f"{m}-20", 3000, "电费")
        pay("CORE", "ZHANG", f"{m}-25", 25000, "代发工资")
        pay("CORE", "TAX", f"{m}-18", 10000, "增值税")
        pay("S1", "T1", f"{m}-08", 30000, "矿石款")
        pay("S1", "LI", f"{m}-25", 8000, "工资")
        pay("B1", "C1", f"{m}-10", 30000, "货款")
    for m in months[3:]:
        pay("S3", "CORE", f"{m}-22", 2000, "废料款")
        pay("S2", "T2", f"{m}-09", 20000, "五金款")
    for m in months[4:]:
        pay("B2", "C2", f"{m}-12", 15000, "货款")
    pay("ONEOFF", "CORE", "2024-09-03", 50000, "样品采购")
    pay("S1", "OFFICE", "2024-08-14", 8000, "办公用品")
    pay("CORE", "S4", "2024-09-16", 61500, "原料款")
    rows["CORE"].append(("2024-09-17", "", "61500.00", *other["S4"], "冲正 原料款"))
    posting("CORE", "2024-09-21", "", "1520.35", "结息")
    posting("CORE", "2024-12-21", "", "1610.80", "结息")
    posting("CORE", "2024-09-30", "50.00", "", "汇划手续费")
    posting("CORE", "2024-12-31", "50.00", "", "汇划手续费")
    HEADER = "账号,户名,交易日期,借方发生额,贷方发生额,对方账号,对方户名,对方开户行,摘要,余额"
    total = 0
    for k, rs in rows.items():
        a, n = acct[k]
        rs.sort(key=lambda r: r[0])
        lines = [HEADER] + [",".join([a, n, d.replace("-", ""), de, cr, ca, cn, cb, memo, ""]) for d, de, cr, ca, cn, cb, memo in rs]
        (out / f"{k.lower()}_2024H2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += len(rs)
    print(total)


if __name__ == "__main__":
    main()
