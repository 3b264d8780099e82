"""The dataset manifest (``chainsight.toml``) and its mapping profiles.

A manifest says which export files make up a dataset, how each is laid out and where the customer master
is. Paths are relative to the manifest's folder; ``path`` may be a glob.

Examples
--------
>>> m = Manifest.model_validate({
...     "name": "demo",
...     "sources": [{"path": "statements/*.csv", "profile": "stmt"}],
...     "profiles": {"stmt": {"layout": "statement", "columns": {
...         "own_account": "账号", "date": "交易日期", "debit": "借方发生额", "credit": "贷方发生额",
...         "counterparty_account": "对方账号", "counterparty_name": "对方户名"}}},
... })
>>> m.profiles["stmt"].encoding
'auto'
>>> sorted(m.profiles["stmt"].required_columns())[:3]
['counterparty_account', 'credit', 'date']
"""

from __future__ import annotations

import glob
import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chainsight._columns import MONEY_COLUMNS
from chainsight.errors import ConfigError
from chainsight.ingest._encoding import codec_for
from chainsight.ingest.currency import unit_value

Layout = Literal["statement", "payments"]

#: Canonical fields of the statement layout: one row per posting on one of our accounts.
STATEMENT_FIELDS = (
    "own_account", "own_name", "date", "debit", "credit", "amount", "direction",
    "counterparty_account", "counterparty_name", "counterparty_bank", "memo", "balance", "serial", "currency",
)
#: Canonical fields of the payments layout: one row per payment, payer and payee on the same row.
PAYMENT_FIELDS = (
    "payer_account", "payer_name", "payer_bank", "payer_uscc", "payee_account", "payee_name",
    "payee_bank", "payee_uscc", "amount", "date", "memo", "serial", "currency",
)

#: The party columns of each layout, as ``identify_by`` names them: a statement's own account and its
#: counterparty, a payment's payer and payee.
PARTIES: dict[str, tuple[str, ...]] = {"statement": ("own", "counterparty"), "payments": ("payer", "payee")}

#: What may identify a party: ``uscc`` and ``name`` always, in that order, then optionally ``account``.
Evidence = tuple[Literal["uscc", "name", "account"], ...]

#: Fields that identify a party or a payment: read as text, never as numbers.
IDENTIFIER_FIELDS = frozenset({"own_account", "counterparty_account", "payer_account", "payee_account",
                               "payer_uscc", "payee_uscc", "serial"})

#: Non-trade classes, in the order their rules are tried. ``trade`` is what is left.
FLOW_CLASSES = (
    "reversal", "refund", "loan", "interest", "fee", "government", "tax", "social_insurance", "payroll",
    "intra_transfer", "individual", "trade",
)

#: Built-in classes a statement posts without a counterparty: such a row is excluded as its class.
NO_COUNTERPARTY_CLASSES = frozenset({"interest", "fee"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_delimiter(value: str) -> str:
    """A field delimiter: one character other than a quote or a line break; ``\\t`` means tab."""
    if value == "\\t":
        value = "\t"
    if len(value) != 1 or value in {'"', "\n", "\r", "\x00"}:
        raise ValueError(f"delimiter must be one character other than a quote or a line break, "
                         f"not {value!r} (for tab write \"\\t\")")
    return value


def check_date_formats(value: tuple[str, ...]) -> tuple[str, ...]:
    """Date formats DuckDB's ``strptime`` accepts; at least one."""
    if not value:
        raise ValueError("list at least one date format, e.g. \"%Y%m%d\"")
    probe = duckdb.connect()
    try:
        for fmt in value:
            try:
                probe.execute("SELECT try_strptime('2024-01-31', ?)", [fmt])
            except duckdb.Error as exc:
                raise ValueError(f"date format {fmt!r} is not valid: "
                                 f"{str(exc).splitlines()[0]}") from None
    finally:
        probe.close()
    return value


class _CsvOptions(_Strict):
    """What every CSV read is told: a known encoding, one delimiter character, date formats, a unit."""

    @field_validator("encoding", check_fields=False)
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        codec_for(value)  # refused here, before any file is read
        return value

    @field_validator("delimiter", check_fields=False)
    @classmethod
    def _one_character(cls, value: str) -> str:
        return check_delimiter(value)

    @field_validator("date_formats", check_fields=False)
    @classmethod
    def _parsable_formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_date_formats(value)

    @field_validator("unit", check_fields=False)
    @classmethod
    def _known_unit(cls, value: str | float | None) -> str | float | None:
        if value is not None:
            unit_value(value)
        return value


class Profile(_CsvOptions):
    """How one kind of export file is laid out and how to read its columns.

    ``columns`` maps canonical field names (``STATEMENT_FIELDS`` or ``PAYMENT_FIELDS``) to the file's
    header text. A statement carries money direction either as two columns ``debit`` (借方, money out)
    and ``credit`` (贷方, money in), or as one ``amount`` with a ``direction`` column whose values are
    listed in ``debit_values``/``credit_values``, or as one signed ``amount`` where
    ``negative_is_debit`` says negative means money out.
    """

    layout: Layout
    format: Literal["csv", "xlsx", "parquet"] | None = Field(
        default=None, description="read files as this format whatever their extension (.dat, .asc …)")
    encoding: str = "auto"
    delimiter: str = ","
    sheet: int | str = 0
    header_row: int = Field(default=1, ge=1, description="1-based row of the header (Excel)")
    date_formats: tuple[str, ...] = ("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")
    columns: dict[str, str]
    debit_values: tuple[str, ...] = ("借", "D", "DR", "debit", "支出", "付")
    credit_values: tuple[str, ...] = ("贷", "C", "CR", "credit", "收入", "收")
    negative_is_debit: bool = False
    step_start: date | None = Field(default=None, description="the date column holds a step number (a "
                                    "payment simulation): step 1 is this day, step N is N-1 step_units later")
    step_unit: Literal["hour", "day", "week", "month"] = "day"
    unit: str | float | None = Field(default=None, description="the unit this profile's files write amounts "
                                     "in, when not the manifest's (fen, 万元, a multiplier)")
    decimal: Literal[".", ","] = Field(default=".", description="the decimal mark of amounts: \",\" reads "
                                       "1.234,56 and 1 234,56 (points, spaces and ' then group digits)")
    identify_by: Evidence | dict[str, Evidence] = Field(
        default=("uscc", "name"), description="evidence that identifies a party the master does not "
        "hold, for every party column (a list) or per party column (a table: own/counterparty for a "
        "statement, payer/payee for payments): add \"account\" so that an account seen without a name "
        "or USCC is a firm of its own")

    @field_validator("identify_by")
    @classmethod
    def _uscc_and_name(cls, value: Evidence | dict[str, Evidence]) -> Evidence | dict[str, Evidence]:
        for party, evidence in (value.items() if isinstance(value, dict) else [("", value)]):
            missing = [v for v in ("uscc", "name") if v not in evidence]
            if missing or len(set(evidence)) != len(evidence):
                where = f"identify_by.{party}" if party else "identify_by"
                raise ValueError(f"{where} lists each of \"uscc\", \"name\" (always used, in that order) "
                                 f"and optionally \"account\" once; got {list(evidence)}")
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> Profile:
        allowed = STATEMENT_FIELDS if self.layout == "statement" else PAYMENT_FIELDS
        unknown = sorted(set(self.columns) - set(allowed))
        if unknown:
            raise ValueError(f"unknown {self.layout} field(s) {unknown}; allowed: {list(allowed)}")
        missing = sorted(self.required_columns() - set(self.columns))
        if missing:
            raise ValueError(f"{self.layout} profile must map {missing}")
        if isinstance(self.identify_by, dict):
            strange = sorted(set(self.identify_by) - set(PARTIES[self.layout]))
            if strange:
                raise ValueError(f"identify_by names {strange}, not a party column of the {self.layout} "
                                 f"layout; allowed: {list(PARTIES[self.layout])}")
        return self

    def evidence(self, party: str) -> Evidence:
        """What identifies ``party`` (one of ``PARTIES[layout]``) in this profile's files.

        >>> p = Profile(layout="payments", identify_by={"payee": ["uscc", "name", "account"]},
        ...             columns={"payer_account": "a", "payee_account": "b", "amount": "c", "date": "d"})
        >>> p.evidence("payer"), p.evidence("payee")
        (('uscc', 'name'), ('uscc', 'name', 'account'))
        >>> p.account_parties()
        ('payee',)
        """
        if party not in PARTIES[self.layout]:
            raise ValueError(f"{party!r} is not a party of the {self.layout} layout")
        if isinstance(self.identify_by, dict):
            return self.identify_by.get(party, ("uscc", "name"))
        return self.identify_by

    def account_parties(self) -> tuple[str, ...]:
        """The parties of this layout that an account alone identifies (``"account"`` in their evidence)."""
        return tuple(p for p in PARTIES[self.layout] if "account" in self.evidence(p))

    def required_columns(self) -> set[str]:
        """Canonical fields this profile must map for its layout and amount convention."""
        if self.layout == "payments":
            return {"payer_account", "payee_account", "amount", "date"}
        # A counterparty name is optional: extracts with accounts only exist (see ``identify_by``).
        base = {"own_account", "date", "counterparty_account"}
        if "amount" in self.columns and "direction" in self.columns:
            return base | {"amount", "direction"}
        if "amount" in self.columns and self.negative_is_debit:
            return base | {"amount"}
        return base | {"debit", "credit"}


class Source(_Strict):
    """One file or glob of files read with one profile."""

    path: str
    profile: str


Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


class MasterFiles(_CsvOptions):
    """The customer master: our customers, their accounts and monthly balances (UTF-8 or GBK CSV).

    Column names are the canonical ones documented in the README (``customer_id``, ``customer_type``,
    ``uscc``, ``name``, ``branch``, ``manager``, ``credit_on_balance``, ``credit_off_balance``,
    ``loan_balance``, ``dep_demand``, ``dep_time``, ``dep_notice``, ``dep_agreement``, ``dep_margin``,
    ``ebanking``, ``products``); ``columns`` renames them when an extract uses other headers.

    Every money column of ``MONEY_COLUMNS`` must be in the extract or stated in ``constants`` (an
    extract of a bank without off-balance-sheet lines: ``credit_off_balance = 0``): the 小额无贷户
    rule cannot be judged without it. A blank money cell means *unknown*, unless its column is listed
    in ``blank_is_zero`` (extracts that write nothing for zero). ``as_of`` is the day the master
    describes; without it the manifest's ``as_of`` is taken. The master files are read with their own
    ``encoding``, ``delimiter`` and ``date_formats`` (for ``opened``/``closed``; a date in none of them
    rejects the row as ``bad_date``, it never loads as an unknown date; ISO ``2024-01-31`` is always read).

    >>> m = MasterFiles(customers="c.csv", accounts="a.csv", constants={"credit_off_balance": 0},
    ...                 blank_is_zero=["loan_balance"])
    >>> m.constants["credit_off_balance"], m.blank_is_zero
    (Decimal('0'), ('loan_balance',))
    >>> MasterFiles(customers="c.csv", accounts="a.csv", blank_is_zero=["name"])
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for MasterFiles
    ...
    """

    customers: str
    accounts: str
    monthly_balances: str | None = None
    encoding: str = "auto"
    delimiter: str = ","
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")
    as_of: date | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, Money] = Field(default_factory=dict)
    blank_is_zero: tuple[str, ...] = ()
    unit: str | float | None = Field(default=None, description="the unit the master's money columns and "
                                     "constants are written in, when not the manifest's (万元, fen, a number)")
    decimal: Literal[".", ","] = Field(default=".", description="the decimal mark of the master's amounts")

    @model_validator(mode="after")
    def _known_money(self) -> MasterFiles:
        for option, names in (("constants", list(self.constants)), ("blank_is_zero", list(self.blank_is_zero))):
            unknown = sorted(set(names) - set(MONEY_COLUMNS))
            if unknown:
                raise ValueError(f"{option} names {unknown}, not money columns; allowed: {list(MONEY_COLUMNS)}")
        both = sorted(set(self.constants) & set(self.columns))
        if both:
            raise ValueError(f"{both} both mapped in columns and given in constants: choose one")
        return self


_CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Reasons a row can already have: a rule's class may not take one of these names.
_RESERVED_CLASSES = frozenset({"trade", "zero_amount", "duplicate_row", "mirror_duplicate", "reversed",
                               "unresolved_party", "other_currency"})


class ClassRule(_Strict):
    """A classification rule: a row whose memo or counterparty name contains a keyword gets ``flow_class``.

    Matching is by substring (a keyword anywhere in the text), case-sensitive unless
    ``case_sensitive = false``; rules are tried in file order and the first that matches wins.
    ``flow_class`` is one of the built-in non-trade classes (:data:`FLOW_CLASSES`) or a class of the
    bank's own (lower-case letters, digits, ``_``), which is non-trade unless ``trade = true``: a
    trade class's rows feed the chain graph like ``trade``.

    >>> ClassRule(flow_class="pension", memo=("PENSION",), case_sensitive=False).is_trade
    False
    >>> ClassRule(flow_class="household", memo=("HH",), trade=True).is_trade
    True
    >>> ClassRule(flow_class="interest", memo=("INT",), trade=True)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for ClassRule
    ...
    """

    flow_class: str
    memo: tuple[str, ...] = ()
    counterparty: tuple[str, ...] = ()
    case_sensitive: bool = True
    trade: bool = False
    needs_counterparty: bool | None = Field(
        default=None, description="false: a row of this class may lack a counterparty (default false "
        "for interest and fee, which a statement posts without one; true for every other class)")
    only_with: tuple[str, ...] = Field(
        default=(), description="the memo keywords apply only to a row with a party whose name is unknown "
        "or contains one of these words (a fee is the bank's: 服务费 paid to a firm is a service bought)")

    @model_validator(mode="after")
    def _known_class(self) -> ClassRule:
        if not _CLASS_NAME.match(self.flow_class) or self.flow_class in _RESERVED_CLASSES:
            raise ValueError(f"flow_class {self.flow_class!r}: name one of {list(FLOW_CLASSES[:-1])} or a "
                             "class of your own in lower-case letters, digits and _ (not "
                             f"{sorted(_RESERVED_CLASSES)})")
        if self.trade and self.flow_class in FLOW_CLASSES:
            raise ValueError(f"{self.flow_class} is a built-in non-trade class; trade = true is for a "
                             "class of your own")
        if self.trade and self.needs_counterparty is False:
            raise ValueError(f"{self.flow_class}: a trade class needs a counterparty (it is a chain edge)")
        if not self.memo and not self.counterparty:
            raise ValueError(f"rule for {self.flow_class} needs memo or counterparty keywords")
        if self.only_with and not self.memo:
            raise ValueError(f"rule for {self.flow_class}: only_with conditions memo keywords; give memo")
        if any(not w for w in (*self.memo, *self.counterparty, *self.only_with)):
            raise ValueError(f"rule for {self.flow_class} has an empty keyword, which would match every row")
        return self

    @property
    def is_trade(self) -> bool:
        """True when this rule's rows are trade (feed the chain graph)."""
        return self.trade

    @property
    def counterparty_optional(self) -> bool:
        """True when a row this rule classifies is complete without a counterparty (interest, fee)."""
        if self.needs_counterparty is None:
            return self.flow_class in NO_COUNTERPARTY_CLASSES
        return not self.needs_counterparty


DEFAULT_RULES: tuple[ClassRule, ...] = (
    ClassRule(flow_class="reversal", memo=("冲正", "冲销", "抹账", "撤销", "冲账")),
    ClassRule(flow_class="refund", memo=("退款", "退货款", "退回", "退汇")),
    ClassRule(flow_class="loan", memo=("贷款发放", "放款", "贷款归还", "还款", "还贷", "贷款本金"),
              counterparty=("贷款户", "贷款账户")),
    ClassRule(flow_class="interest", memo=("利息", "结息", "计息")),
    # a fee is the bank's own charge: with a firm on both sides, 服务费 is a service bought (trade)
    ClassRule(flow_class="fee", memo=("手续费", "服务费", "工本费", "年费", "汇划费"),
              only_with=("银行", "信用社", "信用合作联社", "农商行", "Bank", "BANK")),
    # subsidies, grants and tax refunds: money from government is not trade (before tax: 退税 from the
    # tax office is a refund, not a tax paid)
    ClassRule(flow_class="government", memo=("补贴", "补助", "奖补", "扶持资金", "专项资金", "财政拨款", "退税",
                                             "税费返还"),
              counterparty=("财政局", "财政国库", "工业和信息化局", "科学技术局", "商务局", "人民政府")),
    ClassRule(flow_class="tax", memo=("税款", "缴税", "增值税", "所得税", "税费", "印花税"),
              counterparty=("税务局", "国库", "金库")),
    ClassRule(flow_class="social_insurance", memo=("社保", "养老保险", "医疗保险", "公积金", "社会保险"),
              counterparty=("社会保险", "社保中心", "社保局", "医疗保障局", "公积金管理中心")),
    ClassRule(flow_class="payroll", memo=("工资", "代发", "薪酬", "奖金", "薪资", "劳务费")),
    ClassRule(flow_class="intra_transfer", memo=("资金归集", "内部调拨", "调拨", "归集", "同名划转", "划转")),
)


class Manifest(_Strict):
    """A dataset: its sources, profiles, customer master and classification rules."""

    name: str = "dataset"
    as_of: date | None = None
    bank_names: tuple[str, ...] = Field(default=(), description="our bank as counterparty banks spell it")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217 code of every amount")
    unit: str | float = Field(default=1, description="what one written amount is in the currency's main "
                              "unit: yuan (1), fen (0.01), 万元 (10000) or a number")
    sources: tuple[Source, ...]
    profiles: dict[str, Profile]
    master: MasterFiles | None = None
    rules: tuple[ClassRule, ...] = DEFAULT_RULES
    root: Path = Path(".")
    #: the file this manifest was read from (set by :func:`load_manifest`)
    manifest_file: Path | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str | float) -> str | float:
        unit_value(value)
        return value

    def unit_of(self, profile: Profile) -> Decimal:
        """The multiplier of a profile's amounts: its own ``unit``, else the manifest's."""
        return unit_value(self.unit if profile.unit is None else profile.unit)

    def master_unit(self) -> Decimal:
        """The multiplier of the master's money columns: ``[master] unit``, else the manifest's."""
        own = self.master.unit if self.master is not None else None
        return unit_value(self.unit if own is None else own)

    @model_validator(mode="after")
    def _profiles_exist(self) -> Manifest:
        missing = sorted({s.profile for s in self.sources} - set(self.profiles))
        if missing:
            raise ValueError(f"sources name undefined profile(s) {missing}")
        return self

    def files(self) -> list[tuple[Path, Profile]]:
        """Every source file with its profile, sorted, globs expanded.

        A glob matching no file, a missing file, a directory, or a file matched by two sources is a
        :class:`ConfigError`: nothing is read until the manifest names each file once.
        """
        out: list[tuple[Path, Profile]] = []
        claimed: dict[Path, str] = {}
        for src in self.sources:
            pattern = src.path if Path(src.path).is_absolute() else str(self.root / src.path)
            if any(c in src.path for c in "*?["):
                matched = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
                if not matched:
                    raise ConfigError(f"source {src.path!r} matches no file under {self.root}")
            else:
                path = Path(pattern)
                if path.is_dir():
                    raise ConfigError(f"source {src.path!r} is a directory; name its files with a glob "
                                      f"such as {src.path.rstrip('/')}/*.csv")
                if not path.is_file():
                    raise ConfigError(f"source {src.path!r}: no such file under {self.root}")
                matched = [path]
            for path in matched:
                key = path.resolve()
                if key in claimed:
                    raise ConfigError(f"{self.display_name(path)} is matched by two sources, "
                                      f"{claimed[key]!r} and {src.path!r}; make the globs disjoint")
                claimed[key] = src.path
                out.append((path, self.profiles[src.profile]))
        return out

    def display_name(self, path: Path) -> str:
        """The file's path relative to the manifest folder, as reports and rejects show it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest file; every problem is a :class:`ConfigError` naming the file."""
    path = Path(path)
    if path.is_dir():
        if not (path / "chainsight.toml").is_file():
            raise ConfigError(f"{path} is a directory without a chainsight.toml; give the manifest file")
        path = path / "chainsight.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: manifest not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    raw["root"] = path.resolve().parent
    raw["manifest_file"] = path.resolve()
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from exc
