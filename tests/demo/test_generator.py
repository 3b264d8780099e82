"""The demo-bank generator: reproducible files, exports as documented, ground truth that holds."""

from __future__ import annotations

import ast
import csv
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow.parquet as pq
import pytest

from chainsight._columns import DEPOSIT_COLUMNS
from chainsight.ingest.entities import enterprise_id, is_individual, name_key, valid_uscc
from chainsight.ingest.manifest import DEFAULT_RULES, load_manifest
from chainsight.demo import DEFECTS, SynthSummary, generate
from chainsight.demo._ids import break_check_char, uscc_check_holds, uscc_codes
from chainsight.demo._memos import MEMOS, POOLS, TRADE_POOLS
from chainsight.demo._names import CITIES, firm_names, name_variants, person_names

CSV_HEADER = ["账号", "户名", "交易日期", "借方发生额", "贷方发生额", "对方账号", "对方户名", "对方开户行", "摘要", "余额"]
XLSX_HEADER = ["本方账号", "本方户名", "交易日", "借贷标志", "发生额", "对方账户", "对方名称", "对方行名", "用途", "账户余额"]
PARQUET_HEADER = ["付款人账号", "付款人名称", "付款人开户行", "收款人账号", "收款人名称", "收款人开户行", "金额",
                  "交易日期", "附言", "交易流水号"]
FORMATS = {"iso": "%Y-%m-%d", "compact": "%Y%m%d", "slash": "%Y/%m/%d"}
MEMO_KEYWORDS = tuple(k for rule in DEFAULT_RULES for k in rule.memo)
REPAIRED_AMOUNT = {"amount_thousands", "amount_currency", "amount_fullwidth"}
OFFICES = ("示范银行", "税务局", "社会保险", "公积金")
DEPOSITS = DEPOSIT_COLUMNS  # the generator writes its master to the pipeline's contract


@dataclass(frozen=True)
class Row:
    """One data row of any export, reduced to what the tests compare."""

    file: str
    line: int
    fields: list[str]          # the cells as text (Excel numbers and dates rendered back to text)
    payer_account: str = ""
    payee_account: str = ""
    own_side: str = ""         # statements: "debit" or "credit"
    amount: str = ""
    date: str = ""
    cp_account: str = ""
    cp_name: str = ""
    memo: str = ""


@dataclass
class Demo:
    """A generated demo bank and its truth, loaded once."""

    out: Path
    summary: SynthSummary
    pipeline_id: Callable[[str], str]
    rows: list[Row] = field(default_factory=list)

    def truth(self, name: str) -> list[dict[str, str]]:
        """A truth file's rows, each firm key (``core``, ``firm``) also as a pipeline id (``core_id``,
        ``enterprise_id``)."""
        with (self.out / "truth" / name).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r in rows:
            for key, column in (("core", "core_id"), ("firm", "enterprise_id")):
                if key in r:
                    r[column] = self.pipeline_id(r[key])
        return rows

    def master(self, name: str) -> list[dict[str, str]]:
        with (self.out / "master" / name).open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))


def _statement_row(file: str, line: int, f: list[str]) -> Row:
    if len(f) != 10:
        return Row(file, line, f)
    debit = f[3] != ""
    own, cp = f[0], f[5]
    return Row(file, line, f, own if debit else cp, cp if debit else own, "debit" if debit else "credit",
               f[3] or f[4], f[2], f[5], f[6], f[8])


def _sheet_rows(path: Path) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _load(out: Path) -> list[Row]:
    rows: list[Row] = []
    for path in sorted((out / "statements").glob("*.csv")):
        lines = path.read_bytes().decode("gbk").split("\r\n")
        assert lines[-1] == "" and lines[0] == ",".join(CSV_HEADER)
        for n, fields in enumerate(csv.reader(lines[1:-1]), start=2):
            rows.append(_statement_row(f"statements/{path.name}", n, fields))
    for path in sorted((out / "excel").glob("*.xlsx")):
        for n, values in enumerate(_sheet_rows(path), start=1):
            if n == 1:
                assert list(values) == XLSX_HEADER
                continue
            f = ["" if v is None else (v.strftime("%Y-%m-%d") if isinstance(v, datetime) else str(v))
                 for v in values]
            debit = f[3] == "借"
            rows.append(Row(f"excel/{path.name}", n, f, f[0] if debit else f[5], f[5] if debit else f[0],
                            "debit" if debit else "credit", f[4], f[2], f[5], f[6], f[8]))
    table = pq.read_table(out / "payments" / "payments_2024.parquet")
    assert table.column_names == PARQUET_HEADER
    for n, r in enumerate(table.to_pylist(), start=1):
        f = [r[c] for c in PARQUET_HEADER]
        rows.append(Row("payments/payments_2024.parquet", n, f, f[0], f[3], "", f[6], f[7], "", "", f[8]))
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, pipeline_id: Callable[[str], str]) -> Demo:
    out = tmp_path_factory.mktemp("demo")
    d = Demo(out, generate(out, scale="tiny", seed=7), pipeline_id)
    d.rows = _load(out)
    return d


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _amount(text: str) -> Decimal | None:
    """What a tolerant reader makes of an amount: full-width, currency signs and separators repaired."""
    bare = unicodedata.normalize("NFKC", text).replace("¥", "").replace(",", "").strip()
    try:
        return Decimal(bare) if bare.replace("-", "", 1).replace(".", "", 1).isdigit() else None
    except ArithmeticError:
        return None


def _date_style(text: str) -> str | None:
    for style, fmt in FORMATS.items():
        try:
            datetime.strptime(text, fmt)
        except ValueError:
            continue
        return style
    return None


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(demo: Demo, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", scale="tiny", seed=7)
    assert _hashes(tmp_path / "again") == _hashes(demo.out)
    assert again.rows == demo.summary.rows
    other = _hashes(generate(tmp_path / "other", scale="tiny", seed=8).out)
    assert other["statements/2024-01_0101.csv"] != _hashes(demo.out)["statements/2024-01_0101.csv"]


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale="huge")  # type: ignore[arg-type]


def test_progress_is_reported_from_zero_to_one(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    generate(tmp_path, scale="tiny", progress=lambda stage, done: seen.append((stage, done)))
    fractions = [f for _, f in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)


def test_manifest_validates_and_names_every_export(demo: Demo) -> None:
    manifest = load_manifest(demo.out / "chainsight.toml")
    files = {manifest.display_name(p): prof.layout for p, prof in manifest.files()}
    assert set(files) == set(demo.summary.files)
    assert files["payments/payments_2024.parquet"] == "payments"
    assert str(manifest.as_of) == "2024-12-31" and manifest.bank_names == ("示范银行",)
    assert manifest.master is not None and (demo.out / manifest.master.customers).exists()
    xlsx = next(p for n, p in manifest.files() if n.suffix == ".xlsx")
    assert xlsx.columns["direction"] == "借贷标志" and xlsx.debit_values == ("借",)


def test_statement_csvs_are_gbk_not_utf8(demo: Demo) -> None:
    for path in (demo.out / "statements").glob("*.csv"):
        data = path.read_bytes()
        data.decode("gbk")  # strict: raises on any byte sequence outside GBK
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")


def test_rows_csv_covers_every_data_row_exactly_once(demo: Demo) -> None:
    truth = demo.truth("rows.csv")
    keys = [(r["file"], int(r["line"])) for r in truth]
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted((r.file, r.line) for r in demo.rows)
    assert sum(demo.summary.rows[k] for k in ("csv", "xlsx", "parquet")) == len(keys)
    assert {r["txn_id"] for r in truth} == {r["txn_id"] for r in demo.truth("flow_class.csv")}


def test_a_payment_between_two_statement_accounts_is_one_txn_on_two_rows(demo: Demo) -> None:
    txn = {(r["file"], int(r["line"])): r["txn_id"] for r in demo.truth("rows.csv")}
    sides: dict[str, set[tuple[str, str]]] = defaultdict(set)
    kinds: dict[str, set[str]] = defaultdict(set)
    for r in demo.rows:
        kinds[txn[(r.file, r.line)]].add(r.file.split("/")[0])
        if r.own_side:
            sides[txn[(r.file, r.line)]].add((r.own_side, r.amount))
    both = [t for t, s in sides.items() if {side for side, _ in s} == {"debit", "credit"}]
    assert len(both) > 100
    assert sum(1 for k in kinds.values() if "payments" in k and len(k) > 1) > 10  # cross-layout


def test_defect_counts_are_near_the_configured_rates(demo: Demo) -> None:
    defects = demo.truth("defects.csv")
    counts = Counter(r["defect"] for r in defects)
    copies = Counter(r["file"].split("/")[0] for r in defects if r["defect"] == "duplicate_row")
    kinds = Counter(r.file.split("/")[0] for r in demo.rows)
    statement = [r for r in demo.rows if r.own_side]
    firms = sum(1 for r in statement if r.cp_name and not is_individual(r.cp_name)
                and not any(k in r.cp_name for k in OFFICES))
    base = {"malformed_line": kinds["statements"] - copies["statements"],
            "name_variant": firms}  # rate of statement rows whose counterparty is an organisation
    counts["name_variant"] = sum(1 for r in defects if r["defect"] == "name_variant"
                                 and not r["file"].startswith("payments"))
    for name, d in DEFECTS.items():
        expected = d.rate * base.get(name, len(demo.rows) - counts["duplicate_row"])
        assert abs(counts[name] - expected) <= 4 * expected ** 0.5 + 3, (name, counts[name], expected)


def test_every_listed_defect_is_in_the_file_and_clean_rows_are_clean(demo: Demo) -> None:
    defects = {(r["file"], int(r["line"])): r for r in demo.truth("defects.csv")}
    variants = {r["variant"] for r in demo.truth("name_variants.csv")}
    by_file: dict[str, list[Row]] = defaultdict(list)
    for r in demo.rows:
        by_file[r.file].append(r)
    for file, rows in by_file.items():
        styles = Counter(_date_style(r.date) for r in rows if (file, r.line) not in defects)
        assert len(styles) == 1, (file, styles)  # one normal date style per file
        (style,) = styles
        for i, r in enumerate(rows):
            d = defects.get((file, r.line), {}).get("defect")
            assert (d == "malformed_line") == (len(r.fields) != 10), (file, r.line)
            if d == "malformed_line":
                continue
            value = _amount(r.amount)
            plain = re.fullmatch(r"-?[0-9]+\.[0-9][0-9]", r.amount) is not None
            if d in REPAIRED_AMOUNT:
                assert value is not None and not plain, (file, r.line, d, r.amount)
            elif d == "amount_invalid":
                assert value is None, (file, r.line, r.amount)
            else:  # Excel holds clean amounts as numbers, which print without trailing zeros
                assert value is not None and (plain or file.endswith(".xlsx")), (file, r.line, r.amount)
            assert (_date_style(r.date) is None) == (d == "date_invalid"), (file, r.line, r.date)
            assert (_date_style(r.date) not in (style, None)) == (d == "date_alt_format")
            if r.own_side:
                assert (r.cp_account == r.cp_name == "") == (d == "missing_counterparty")
                assert (r.cp_name in variants) == (d == "name_variant"), (file, r.line, r.cp_name)
            if d == "duplicate_row":
                assert any(rows[j].fields == r.fields for j in range(max(0, i - 8), i))


def test_defect_outcomes_and_reasons_follow_the_table(demo: Demo) -> None:
    for r in demo.truth("defects.csv"):
        d = DEFECTS[r["defect"]]
        assert (r["outcome"], r["reason"]) == (d.outcome, d.reason)


def test_name_variants_key_to_their_canonical_name(demo: Demo) -> None:
    ours = {c["name"]: enterprise_id(c["uscc"] or None, c["name"]) for c in demo.master("customers.csv")}
    rows = [r for r in demo.truth("name_variants.csv") if r["ambiguous"] == "false"]
    assert rows
    for r in rows:
        assert r["variant"] != r["canonical"]
        assert name_key(r["variant"]) == name_key(r["canonical"])
        assert enterprise_id(None, r["variant"]) == enterprise_id(None, r["canonical"])
        assert r["enterprise_id"] == ours.get(r["canonical"], enterprise_id(None, r["canonical"]))


def test_eligible_agrees_with_the_rule_recomputed_from_customers(demo: Demo) -> None:
    customers = {c["customer_id"]: c for c in demo.master("customers.csv")}
    truth = demo.truth("eligible.csv")
    money = ["credit_on_balance", "credit_off_balance", "loan_balance", *DEPOSITS]
    firms: dict[str, list[dict[str, str]]] = defaultdict(list)  # a firm may have several records
    for r in truth:
        firms[r["firm"]].append(customers[r["customer_id"]])
    seen: Counter[str] = Counter()
    for r in truth:
        records = firms[r["firm"]]
        blank = any(c[k] == "" for c in records for k in money)  # unknown: never eligible
        total = sum(Decimal(c[k] or "0") for c in records for k in DEPOSITS)
        credit = any(Decimal(c[k] or "0") > 0 for c in records for k in money[:2])
        loan = any(Decimal(c["loan_balance"] or "0") > 0 for c in records)
        corporate = all(c["customer_type"] in ("corporate", "对公", "企业") for c in records)
        eligible = corporate and not credit and not loan and total <= Decimal("500000") and not blank
        assert r["eligible"] == ("true" if eligible else "false"), (r, records)
        assert (r["reason"] == "eligible") == eligible
        if r["reason"] == "deposits_over_cap":
            assert not credit and not loan and total > Decimal("500000")
        seen[f"{r['reason']}:{total}"] += 1
        seen["several_records"] += len(records) > 1
        if r["reason"] == "has_credit":
            seen["credit_without_loan" if Decimal(records[0]["credit_on_balance"] or "0") > 0
                 else "off_balance_only"] += 1
    assert seen["eligible:500000.00"] >= 2 and seen["deposits_over_cap:500000.01"] >= 1
    assert seen["credit_without_loan"] >= 1 and seen["off_balance_only"] >= 1
    assert sum(v for k, v in seen.items() if k.startswith("excluded_type:") and Decimal(k[14:]) < 5000) >= 3
    assert seen["several_records"] >= 2 and any(c[k] == "" for c in customers.values() for k in money)


def test_monthly_balance_at_year_end_is_the_deposit_total(demo: Demo) -> None:
    dec = {r["customer_id"]: Decimal(r["balance"]) for r in demo.master("monthly_balances.csv")
           if r["month"] == "2024-12"}
    for c in demo.master("customers.csv"):
        if all(c[k] for k in DEPOSITS):  # a blank cell is unknown (the master's defect)
            assert dec[c["customer_id"]] == sum(Decimal(c[k]) for k in DEPOSITS)


def test_trade_memos_never_contain_a_rule_keyword(demo: Demo) -> None:
    txn = {(r["file"], int(r["line"])): r["txn_id"] for r in demo.truth("rows.csv")}
    flow = {r["txn_id"]: r["flow_class"] for r in demo.truth("flow_class.csv")}
    trade = [r for r in demo.rows if len(r.fields) == 10 and flow[txn[(r.file, r.line)]] == "trade"]
    assert len(trade) > 1000
    assert not [r.memo for r in trade if any(k in r.memo for k in MEMO_KEYWORDS)]


def test_reversals_are_negative_rows_on_the_same_side_with_a_reversal_memo(demo: Demo) -> None:
    txn = {(r["file"], int(r["line"])): r["txn_id"] for r in demo.truth("rows.csv")}
    flow = {r["txn_id"]: r["flow_class"] for r in demo.truth("flow_class.csv")}
    rows_of: dict[str, list[Row]] = defaultdict(list)
    for r in demo.rows:
        rows_of[txn[(r.file, r.line)]].append(r)
    pairs = demo.truth("reversals.csv")
    assert pairs
    for p in pairs:
        orig, rev = rows_of[p["original_txn_id"]], rows_of[p["reversal_txn_id"]]
        assert flow[p["original_txn_id"]] == "trade" and flow[p["reversal_txn_id"]] == "reversal"
        assert {(r.file.split("/")[0], r.own_side, r.payer_account, r.payee_account) for r in orig} >= {
            (r.file.split("/")[0], r.own_side, r.payer_account, r.payee_account) for r in rev}
        for r in rev:
            assert "冲正" in r.memo and _amount(r.amount) == -(_amount(orig[0].amount) or 0)


def _account_ids(demo: Demo) -> dict[str, str]:
    customers = demo.master("customers.csv")
    ids = {c["customer_id"]: enterprise_id(c["uscc"] or None, c["name"]) for c in customers}
    return {a["account_no"]: ids[a["customer_id"]] for a in demo.master("accounts.csv")}


def test_truth_ids_are_entities_enterprise_ids(demo: Demo) -> None:
    customers = {c["customer_id"]: c for c in demo.master("customers.csv")}
    for r in demo.truth("eligible.csv"):
        c = customers[r["customer_id"]]
        assert r["enterprise_id"] == enterprise_id(c["uscc"] or None, c["name"])
        assert r["enterprise_id"] == (c["uscc"] if valid_uscc(c["uscc"]) else enterprise_id(None, c["name"]))
    uscc = Counter("valid" if valid_uscc(c["uscc"]) else ("missing" if not c["uscc"] else "invalid")
                   for c in customers.values())
    assert uscc["missing"] > 0 and uscc["invalid"] > 0 and uscc["valid"] > 0.8 * len(customers)
    by_name = {c["name"]: r["enterprise_id"] for r in demo.truth("eligible.csv")
               for c in [customers[r["customer_id"]]]}
    cores = demo.truth("cores.csv")
    assert len(cores) == demo.summary.cores
    assert all(by_name[c["name"]] == c["core_id"] for c in cores)  # every core is our customer


def test_chain_truth_only_lists_relationships_the_exports_show(demo: Demo) -> None:
    accounts = _account_ids(demo)
    txn = {(r["file"], int(r["line"])): r["txn_id"] for r in demo.truth("rows.csv")}
    flow = {r["txn_id"]: r["flow_class"] for r in demo.truth("flow_class.csv")}
    rejected = {(r["file"], int(r["line"])) for r in demo.truth("defects.csv") if r["outcome"] == "rejected"}
    reversed_ = {r["original_txn_id"] for r in demo.truth("reversals.csv")}
    seen: dict[str, Counter[str]] = defaultdict(Counter)  # an account's usual name: variants are rare
    for r in demo.rows:
        if r.file.endswith("parquet"):
            seen[r.payer_account][r.fields[1]] += 1
            seen[r.payee_account][r.fields[4]] += 1
        elif r.own_side:
            seen[r.cp_account][r.cp_name] += 1

    def who(account: str) -> str:
        return accounts.get(account) or enterprise_id(None, seen[account].most_common(1)[0][0])

    pays: set[tuple[str, str]] = set()
    for r in demo.rows:
        t = txn[(r.file, r.line)]
        if (r.file, r.line) not in rejected and flow[t] == "trade" and t not in reversed_:
            pays.add((who(r.payer_account), who(r.payee_account)))
    chain = demo.truth("chain.csv")
    tier1 = {(c["core_id"], c["direction"], c["enterprise_id"]) for c in chain if c["tier"] == "1"}
    assert {c["direction"] for c in chain} == {"up", "down"} and {c["tier"] for c in chain} == {"1", "2"}
    for c in chain:
        core, firm, up = c["core_id"], c["enterprise_id"], c["direction"] == "up"
        if c["tier"] == "1":
            assert ((core, firm) if up else (firm, core)) in pays, c
        else:
            assert any(((t1, firm) if up else (firm, t1)) in pays
                       for (k, d, t1) in tier1 if k == core and d == c["direction"]), c


def test_people_are_people_and_firms_are_not(demo: Demo) -> None:
    txn = {(r["file"], int(r["line"])): r["txn_id"] for r in demo.truth("rows.csv")}
    flow = {r["txn_id"]: r["flow_class"] for r in demo.truth("flow_class.csv")}
    trade_names = {r.cp_name for r in demo.rows if r.own_side and flow[txn[(r.file, r.line)]] == "trade"}
    assert trade_names and not [n for n in trade_names if n and is_individual(n)]
    paid = {r.cp_name for r in demo.rows if r.own_side and r.memo == "工资"}
    assert paid and all(is_individual(n) for n in paid if n)


def test_excel_cells_are_typed_and_parquet_columns_are_text(demo: Demo) -> None:
    path = next((demo.out / "excel").glob("*.xlsx"))
    defects = {int(r["line"]): r["defect"] for r in demo.truth("defects.csv") if r["file"].endswith(".xlsx")}
    for n, values in enumerate(_sheet_rows(path)[1:], start=2):
        d = defects.get(n, "")
        assert isinstance(values[4], str) == d.startswith("amount_"), (n, values[4])
        assert isinstance(values[2], (str, type(None))) == d.startswith("date_"), (n, values[2])
        assert values[3] in ("借", "贷") and isinstance(values[9], (int, float))
    schema = pq.read_schema(demo.out / "payments" / "payments_2024.parquet")
    assert {str(t) for t in schema.types} == {"string"}


def test_the_generator_imports_no_other_part_of_chainsight() -> None:
    imported: set[str] = set()
    for path in Path(generate.__code__.co_filename).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    assert "chainsight.demo._world" in imported  # the scan sees the package's imports
    upper = ("chainsight.ingest", "chainsight.graph", "chainsight.api", "chainsight.views", "chainsight.cli",
             "fastapi", "pyvis")
    assert not [m for m in imported if m.startswith(upper)]


@pytest.mark.slow
def test_small_scale_has_the_documented_size_and_rates(tmp_path: Path) -> None:
    s = generate(tmp_path, scale="small")
    statement_rows = s.rows["csv"] + s.rows["xlsx"]
    assert s.firms == 2000 and s.cores == 6 and 70_000 <= statement_rows <= 130_000
    data = statement_rows + s.rows["parquet"] - s.defects["duplicate_row"]
    for name in ("amount_thousands", "date_alt_format", "duplicate_row", "amount_invalid"):
        assert abs(s.defects[name] / data - DEFECTS[name].rate) <= 0.15 * DEFECTS[name].rate, name


def test_the_excel_branch_is_capped_by_whole_accounts() -> None:
    from dataclasses import replace

    import numpy as np

    from chainsight.demo._accounts import build_accounts
    from chainsight.demo._config import SCALES
    from chainsight.demo._customers import build_customers
    from chainsight.demo._layout import build_layout
    from chainsight.demo._relations import build_relations
    from chainsight.demo._timeline import build_events
    from chainsight.demo._world import build_world

    world = build_world(replace(SCALES["tiny"], excel_cap=300), 7)
    acc = build_accounts(world, 7)
    events = build_events(world, acc, build_customers(world, acc, 7), build_relations(world, 7), 7)
    lay = build_layout(world, acc, events, 7)
    xlsx = next(i for i, f in enumerate(lay.files) if f.kind == "xlsx")
    shown = lay.acct[lay.file_start[xlsx]:lay.file_start[xlsx + 1]]
    assert 0 < len(shown) <= 300 and lay.dropped_accounts > 0
    touching = np.bincount(np.concatenate([events.payer, events.payee]), minlength=len(acc.number))
    at_branch = np.flatnonzero(acc.customer & (acc.branch == lay.files[xlsx].branch))
    kept = np.bincount(shown, minlength=len(acc.number))
    assert all(kept[a] in (0, touching[a]) for a in at_branch)
    assert (kept[at_branch] == 0).sum() == lay.dropped_accounts


def test_a_smaller_run_replaces_a_larger_one_in_the_same_folder(tmp_path: Path) -> None:
    generate(tmp_path, scale="tiny", seed=7)
    (tmp_path / "statements" / "2024-01_0999.csv").write_bytes(b"stale")
    (tmp_path / "excel" / "0999_2024.xlsx").write_bytes(b"stale")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    s = generate(tmp_path, scale="tiny", seed=8)
    manifest = load_manifest(tmp_path / "chainsight.toml")
    assert {manifest.display_name(p) for p, _ in manifest.files()} == set(s.files)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_trade_memo_vocabulary_avoids_every_default_rule_keyword() -> None:
    # The generator writes its memos from the domain; this is where they meet the classifier's rules.
    keywords = {k for rule in DEFAULT_RULES for k in (*rule.memo, *rule.counterparty)}
    trade = {MEMOS[i] for pool in TRADE_POOLS for i in POOLS[pool]}
    assert trade and not {m for m in trade if any(k in m for k in keywords)}
    reversal = {MEMOS[i] for i in POOLS["reversal"]}
    reversal_rule = next(r for r in DEFAULT_RULES if r.flow_class == "reversal")
    assert all(any(k in m for k in reversal_rule.memo) for m in reversal)


def test_generated_names_are_what_the_pipeline_tells_apart() -> None:
    rng = np.random.default_rng(5)
    firms = firm_names(rng, rng.integers(0, len(CITIES), 2000))
    assert len({name_key(n) for n in firms}) == len(firms)
    assert all(is_individual(p) for p in person_names(rng, 500))
    for name in firms[:200]:
        assert {name_key(v) for v in name_variants(name)} == {name_key(name)}


def test_the_generators_uscc_check_is_gb_32100() -> None:
    rng = np.random.default_rng(11)
    heads = np.array(["91", "12", "93", "51"] * 50)
    codes = uscc_codes(rng, heads, np.array(["320505"] * len(heads)))
    broken = [break_check_char(c) for c in codes]
    assert all(valid_uscc(c) and uscc_check_holds(c) for c in codes)
    assert not any(valid_uscc(c) or uscc_check_holds(c) for c in broken)


def test_some_name_variants_are_other_names_that_name_key_does_not_fold(demo: Demo) -> None:
    # a short name, a sales branch or a typo: one variant in five, kept apart in the truth as ambiguous
    rows = demo.truth("name_variants.csv")
    other = [r for r in rows if r["ambiguous"] == "true"]
    assert 0.1 * len(rows) <= len(other) <= 0.3 * len(rows)
    unfolded = [r for r in other if name_key(r["variant"]) != name_key(r["canonical"])]
    assert len(unfolded) >= 0.5 * len(other), other[:5]



def _later_master(demo: Demo, name: str) -> list[dict[str, str]]:
    with (demo.out / "later" / "master" / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_later_period_plants_conversions_the_later_master_shows(demo: Demo) -> None:
    """Acquired firms are absent from the analysed master and present in the later one with an account
    opened in 2025; deepened firms are eligible customers whose deposits grew by 40 % or more or who hold
    a new product; every other customer moved by at most +10 % and kept its products."""
    planted = demo.truth("later_conversions.csv")
    assert {r["kind"] for r in planted} == {"acquire", "deepen"}
    before = {c["customer_id"]: c for c in demo.master("customers.csv")}
    after = {c["customer_id"]: c for c in _later_master(demo, "customers.csv")}
    assert set(before) - set(after) <= {r["customer_id"] for r in demo.truth("eligible.csv")}
    names_before = {c["name"] for c in before.values()}
    accounts = {a["customer_id"]: a for a in _later_master(demo, "accounts.csv")}
    eligible = {r["customer_id"] for r in demo.truth("eligible.csv") if r["eligible"] == "true"}
    deepened = set()
    for r in planted:
        if r["kind"] == "acquire":
            assert r["name"] not in names_before and after[r["customer_id"]]["name"] == r["name"]
            assert r["customer_id"] not in before and accounts[r["customer_id"]]["opened"].startswith("2025-")
            continue
        deepened.add(r["customer_id"])
        assert r["customer_id"] in eligible
    firm_of = {r["customer_id"]: r["firm"] for r in demo.truth("eligible.csv")}
    records: dict[str, list[dict[str, str]]] = defaultdict(list)  # a firm's records in the analysed master
    for cid, old in before.items():
        records[firm_of[cid]].append(old)
    for cid, new in after.items():
        if cid not in before:
            continue
        old_records = records[firm_of[cid]]
        old_total = sum(Decimal(c[k] or "0") for c in old_records for k in DEPOSITS)
        grew = sum(Decimal(new[k]) for k in DEPOSITS) > Decimal("1.2") * old_total
        held = {p for c in old_records for p in c["products"].split(";") if p}
        added = set(filter(None, new["products"].split(";"))) - held
        blank = any(c[k] == "" for c in old_records for k in DEPOSITS)
        assert (cid in deepened) == (bool(added) or (grew and not blank)), (cid, old_records, new)
