"""One firm, one enterprise across extracts: tying a name seen without a USCC to the firm's code.

A payments extract may carry a counterparty's USCC where a statement of another system names the
same firm only by name. :func:`link_parties` decides, for every distinct (account, name) a row names,
which enterprise it is, and says by which rule and on what evidence. In this order:

``uscc``          the row itself carries a valid USCC (no link: the code is the identity)
``same_account``  the account (not ours) is tied to exactly one USCC by other rows, and the name is
                  a name those rows gave or an abbreviation of one (``华兴机械`` for
                  ``华兴机械(苏州)有限公司``) — or those rows gave no name at all (a USCC-only
                  extract) and the name is not a person's
``master_name``   the name key is a customer's of the master, and of one enterprise only
``uscc_name``     the name key is tied to exactly one USCC by rows that carry one
``ambiguous_name`` the name key is tied to two or more enterprises (one name in two cities): the
                  party is *not* merged into either and keeps the id of its name
(none)            a person, or a firm known only by name (``N-…``)

A branch (``…苏州分公司``) keys apart from its parent (:func:`~chainsight.ingest.entities.name_key`),
so it never inherits the parent's code by name. Every tie of a rule other than ``uscc`` names its
evidence: the customer id, or the file and line of the earliest row that tied name or account to the code.

Examples
--------
>>> import pandas as pd
>>> pairs = pd.DataFrame({"account": ["62001", None, "62001"], "name": ["华兴机械(苏州)有限公司",
...     "华兴机械（苏州）有限责任公司", "华兴机械"], "uscc": ["91320500MA1X00000X", None, None],
...     "ours": [False, False, False], "file_id": [1, 2, 2], "line": [4, 9, 10]})
>>> out = link_parties(pairs, pd.DataFrame(columns=["name_key", "enterprise_id", "customer_id"]))
>>> out[["name_id", "rule", "file_id", "line"]].values.tolist()
[['91320500MA1X00000X', 'uscc', 1, 4], ['91320500MA1X00000X', 'uscc_name', 1, 4], ['91320500MA1X00000X', 'same_account', 1, 4]]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from chainsight.ingest.entities import enterprise_id, is_individual, name_key, normalize_text, valid_uscc

#: Why each link was made (the values of ``entity_links.rule``).
LINK_RULES = {
    "same_account": "the account carries this USCC on other rows, under this name, its abbreviation or "
                    "no name",
    "master_name": "the name is a customer's name in the master",
    "uscc_name": "rows that carry this USCC spell the name the same way",
    "ambiguous_name": "the name is tied to several firms: not merged into any of them",
}
#: How every mention (account, name) of a firm came to be that firm's: the values of
#: ``entity_mentions.rule`` — the cross-extract rules above, and the plain ones.
MENTION_RULES = {
    "our_account": "the account is the customer's in the master",
    "uscc": "the row carries this USCC",
    **LINK_RULES,
    "name_key": "the firm's name, spelt with or without brackets, spaces or 有限责任公司",
    "account_owner": "a row with no name, on an account the firm's named rows use",
    "account_only": "the file identifies a party by its account alone",
}
LINK_COLUMNS = ("name_id", "name_kind", "rule", "file_id", "line", "customer_id", "candidates")


def is_abbreviation(short: str, full: str) -> bool:
    """True when ``short`` is ``full`` written shorter: no legal form, its characters in ``full`` in order.

    >>> is_abbreviation("华兴机械", "华兴机械(苏州)有限公司"), is_abbreviation("华兴苏州", "华兴机械(苏州)有限公司")
    (True, True)
    >>> is_abbreviation("恒通机械", "华兴机械(苏州)有限公司"), is_abbreviation("华兴机械有限公司", "华兴机械集团有限公司")
    (False, False)
    """
    s, f = normalize_text(short), normalize_text(full)
    if len(s) < 2 or len(s) >= len(f) or "公司" in s:
        return False
    rest = iter(f)
    return all(ch in rest for ch in s)


class _Ties:
    """What ties a name key or an account to USCCs: the codes, each with its earliest evidence, and the
    names the rows carrying each code gave (blank ones left out)."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        self.names: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, key: str, code: str, evidence: tuple[int, int], name: str = "") -> None:
        known = self.codes[key].get(code)
        if known is None or evidence < known:
            self.codes[key][code] = evidence
        if name:
            self.names[(key, code)].add(name)

    def only(self, key: str | None) -> tuple[str, tuple[int, int]] | None:
        codes = self.codes.get(key) if key is not None else None
        if not codes or len(codes) != 1:
            return None
        return next(iter(codes.items()))


def link_parties(pairs: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Resolve each (account, name) of ``pairs`` by name and USCC evidence (rules in the module doc).

    Parameters
    ----------
    pairs : one row per distinct (account, name) with ``uscc`` (any code a row gave, or None),
        ``ours`` (the account is held with us), and ``file_id, line`` of its earliest row (the earliest
        row with a code when it has one).
    customers : the master's ``name_key, enterprise_id, customer_id``.

    Returns
    -------
    pandas.DataFrame
        ``LINK_COLUMNS`` aligned with ``pairs``: ``name_id`` (None when nothing names the party),
        ``name_kind`` (``enterprise``, ``person``, ``unknown``), ``rule`` and its evidence.
    """
    codes = {u: normalize_text(u).upper() for u in pairs["uscc"].dropna().unique() if valid_uscc(u)}
    keys = {n: name_key(n) for n in pairs["name"].dropna().unique()}
    columns = [pairs[c].tolist() for c in ("account", "name", "uscc", "ours", "file_id", "line")]
    by_key, by_account = _Ties(), _Ties()
    for account, name, uscc, ours, f, line in zip(*columns, strict=True):
        code = codes.get(uscc) if isinstance(uscc, str) else None
        if code is None:
            continue
        if isinstance(name, str):
            by_key.add(keys[name], code, (int(f), int(line)))
        if isinstance(account, str) and not ours:
            by_account.add(account, code, (int(f), int(line)), name if isinstance(name, str) else "")
    master: dict[str, dict[str, str]] = defaultdict(dict)
    for key, ent, cid in zip(*(customers[c].tolist() for c in ("name_key", "enterprise_id", "customer_id")),
                             strict=True):
        if isinstance(key, str) and isinstance(ent, str):
            master[key].setdefault(ent, str(cid))
    rows = [_link(account, name, codes.get(uscc) if isinstance(uscc, str) else None, (int(f), int(line)),
                  keys, by_key, by_account, master)
            for account, name, uscc, _, f, line in zip(*columns, strict=True)]
    return pd.DataFrame(rows, columns=list(LINK_COLUMNS), index=pairs.index)


def _link(account: object, name: object, code: str | None, evidence: tuple[int, int], keys: dict[str, str],
          by_key: _Ties, by_account: _Ties, master: dict[str, dict[str, str]]) -> tuple[Any, ...]:
    if code is not None:
        return code, "enterprise", "uscc", *evidence, None, None
    if not isinstance(name, str):
        return None, "unknown", None, None, None, None, None
    key = keys[name]
    tied = by_account.only(account) if isinstance(account, str) else None
    if tied is not None:
        given = by_account.names.get((str(account), tied[0]), set())
        if any(keys.get(full, name_key(full)) == key or is_abbreviation(name, full) for full in given) or (
                not given and not is_individual(name)):
            return tied[0], "enterprise", "same_account", *tied[1], None, None
    firms = dict(master.get(key, {}))
    for other in by_key.codes.get(key, {}):
        firms.setdefault(other, "")
    if len(firms) > 1:
        return (enterprise_id(None, name), "enterprise", "ambiguous_name", None, None, None,
                sorted(firms))
    if firms and key in master:
        ent, cid = next(iter(master[key].items()))
        return ent, "enterprise", "master_name", None, None, cid, None
    named = by_key.only(key)
    if named is not None:
        return named[0], "enterprise", "uscc_name", *named[1], None, None
    if is_individual(name):
        return None, "person", None, None, None, None, None
    return enterprise_id(None, name), "enterprise", None, None, None, None, None
