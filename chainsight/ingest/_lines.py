"""Physical lines of a text file, found with numpy: how every CSV row and reject keeps its true line.

DuckDB's CSV reader splits records fast but numbers them as *records* (a quoted newline or a skipped
blank line shifts every later number). This module finds the byte offset of every physical line in
one vectorised pass, so the reader can give each parsed row and each rejected record the line a user
sees in an editor.

A physical line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``. A file that mixes those endings (DuckDB's
parser refuses it) is first rewritten with ``\\n`` endings by :func:`normalise_newlines`; the line
numbers stay those of the original file.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
>>> _ = p.write_bytes(b"h1,h2\\n1,2\\n\\n3,4")
>>> lines = LineIndex.of(p)
>>> lines.n_lines, lines.blank().tolist()
(4, [False, False, True, False])
>>> lines.text(p.read_bytes(), 4)
'3,4'
>>> lines.line_at(p.read_bytes().index(b"3,4"))
4
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

_CHUNK = 1 << 26
_LF, _CR = 10, 13

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LineIndex:
    """Where each physical line of a file starts and ends (byte offsets; line ``k`` is index ``k-1``).

    ``ends`` excludes the line break; ``crlf``/``lf``/``lone_cr`` count the kinds of line break.
    """

    starts: Ints
    ends: Ints
    size: int
    crlf: int
    lf: int
    lone_cr: int

    @classmethod
    def of(cls, path: Path) -> LineIndex:
        """Scan ``path`` in 64 MiB chunks (memory stays small however big the file)."""
        size = path.stat().st_size
        if size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, 0, 0, 0, 0)
        data = np.memmap(path, dtype=np.uint8, mode="r")
        newlines, returns = [], []
        for off in range(0, size, _CHUNK):
            chunk = data[off:off + _CHUNK]
            newlines.append(np.flatnonzero(chunk == _LF).astype(np.int64) + off)
            returns.append(np.flatnonzero(chunk == _CR).astype(np.int64) + off)
        lf_at = np.concatenate(newlines)
        cr_at = np.concatenate(returns)
        cr_before_lf = np.isin(lf_at - 1, cr_at, assume_unique=True)
        lone = int(cr_at.size - int(cr_before_lf.sum()))
        starts = np.concatenate([[0], lf_at + 1]).astype(np.int64)
        ends = np.concatenate([lf_at - cr_before_lf.astype(np.int64), [size]]).astype(np.int64)
        if starts[-1] == size:  # the file ends with a line break: no empty last line
            starts, ends = starts[:-1], ends[:-1]
        del data
        return cls(starts, ends, size, int(cr_before_lf.sum()), int(lf_at.size - cr_before_lf.sum()), lone)

    @property
    def n_lines(self) -> int:
        """How many physical lines the file has."""
        return int(self.starts.size)

    @property
    def mixed(self) -> bool:
        """True when the file mixes ``\\r\\n`` and ``\\n`` or has a lone ``\\r`` (needs normalising)."""
        return self.lone_cr > 0 or (self.crlf > 0 and self.lf > 0)

    def blank(self) -> npt.NDArray[np.bool_]:
        """Per line: nothing between its start and its line break."""
        return np.asarray(self.ends == self.starts, dtype=np.bool_)

    def line_at(self, offset: int) -> int:
        """The 1-based line holding byte ``offset``."""
        return int(np.searchsorted(self.starts, offset, side="right"))

    def text(self, data: bytes | npt.NDArray[np.uint8], line: int) -> str:
        """Line ``line`` (1-based) decoded as UTF-8, without its line break."""
        raw = bytes(data[int(self.starts[line - 1]):int(self.ends[line - 1])])
        return raw.decode("utf-8", errors="replace")


def normalise_newlines(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with every ``\\r\\n`` and lone ``\\r`` turned into ``\\n``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a").write_bytes(b"a\\r\\nb\\nc\\rd")
    >>> normalise_newlines(d / "a", d / "b")
    >>> (d / "b").read_bytes()
    b'a\\nb\\nc\\nd'
    """
    carry = b""
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(_CHUNK):
            chunk = carry + chunk
            # A \r at the end of a chunk may be the first half of a \r\n: decide with the next chunk.
            carry = b"\r" if chunk.endswith(b"\r") else b""
            if carry:
                chunk = chunk[:-1]
            fout.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        fout.write(carry.replace(b"\r", b"\n"))
