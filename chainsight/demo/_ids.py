"""Identifiers: unified social credit codes, account numbers, customer and transaction ids.

A unified social credit code (统一社会信用代码, GB 32100-2015) is 18 characters from a 31-character
alphabet (digits and capitals without I, O, S, V, Z): 2 for the registration authority and type, 6 for
the region, 9 for the organisation code (GB 11714, its own check last), and a check character chosen
so that the weighted sum of all 18 values is 0 modulo 31, the weight of position i being 3**i mod 31.

Examples
--------
>>> import numpy as np
>>> codes = uscc_codes(np.random.default_rng(3), np.array(["91", "12"]), np.array(["320505", "320583"]))
>>> [uscc_check_holds(c) for c in codes]
[True, True]
>>> uscc_check_holds(break_check_char(codes[0]))
False
>>> account_numbers(np.random.default_rng(0), "3201", 12, 3)[0][:4]
'3201'
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


def uscc_codes(rng: np.random.Generator, head: npt.NDArray[np.str_],
               region: npt.NDArray[np.str_]) -> list[str]:
    """Valid 18-character codes: ``head`` (registration authority + type, e.g. ``91``), the 6-digit
    ``region``, a 9-character organisation code with its GB 11714 check character, the USCC check."""
    n = len(head)
    org = rng.integers(0, 10, size=(n, 8))
    org_check = 11 - (org @ _ORG_WEIGHTS) % 11
    org_char = np.where(org_check == 10, 33, np.where(org_check == 11, 0, org_check))  # 33 = 'X'
    prefix = [f"{head[i]}{region[i]}" for i in range(n)]
    digits = np.array([[int(c) for c in p] for p in prefix], dtype=np.int64).reshape(n, 8)
    # value of each of the first 17 characters in the USCC alphabet
    last = np.where(org_char == 33, _USCC_ALPHABET.index("X"), org_char)[:, None]
    values = np.concatenate([digits, org, last], axis=1)
    check = (31 - (values @ _USCC_WEIGHTS) % 31) % 31
    return [
        prefix[i] + "".join(map(str, org[i])) + ("X" if org_char[i] == 33 else str(org_char[i]))
        + _USCC_ALPHABET[check[i]]
        for i in range(n)
    ]


def uscc_check_holds(code: str) -> bool:
    """True when ``code`` is 18 characters of the alphabet and its last is the GB 32100 check character.

    >>> uscc_check_holds("91350100M000100Y43"), uscc_check_holds("91350100M000100Y44")
    (True, False)
    """
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    values = [_USCC_ALPHABET.index(c) for c in code]
    return (31 - sum(v * int(w) for v, w in zip(values, _USCC_WEIGHTS)) % 31) % 31 == values[17]


def break_check_char(code: str) -> str:
    """The same code with a wrong (but well-formed) check character."""
    i = _USCC_ALPHABET.index(code[-1])
    return code[:-1] + _USCC_ALPHABET[(i + 7) % len(_USCC_ALPHABET)]


def account_numbers(rng: np.random.Generator, prefix: str, length: int, n: int) -> list[str]:
    """``n`` distinct account numbers ``prefix`` + digits, ``length`` characters in all."""
    width = length - len(prefix)
    space = 10 ** min(width, 15)
    if n > space // 4:
        raise ValueError(f"too many accounts ({n}) for width {width}")
    # sample without replacement from a large space, in drawn order (not sorted: looks real)
    drawn = rng.choice(space, size=n, replace=False) if space <= 10**7 else _distinct(rng, space, n)
    return [f"{prefix}{int(v):0{width}d}" for v in drawn]


def _distinct(rng: np.random.Generator, space: int, n: int) -> npt.NDArray[np.int64]:
    vals = rng.integers(0, space, size=n + n // 10 + 16, dtype=np.int64)
    _, first = np.unique(vals, return_index=True)
    keep = np.sort(first)[:n]
    if len(keep) < n:
        raise ValueError("could not draw enough distinct numbers")
    return vals[keep]


def serials(width: int, prefix: str, n: int) -> list[str]:
    """``prefix`` + a zero-padded 1-based counter: ``T000000001``.

    >>> serials(5, "T", 2)
    ['T00001', 'T00002']
    """
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]
