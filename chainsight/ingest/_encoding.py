"""Text encodings of export files: the names a profile may give, sniffing, streaming transcoding to UTF-8.

DuckDB reads only UTF-8 without extensions (and bank intranets cannot download one), so a file in any
other encoding is transcoded in streaming chunks before it is parsed.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from chainsight.errors import UnusableInputError

_SAMPLE = 1 << 16
_CHUNK = 1 << 23
#: Names whose codec is replaced by a superset: GBK and GB2312 files are read as GB18030.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "utf-8-sig": "utf-8"}
_ASCII = bytes(range(1, 128))
#: UTF-16 (Excel's "Unicode text" export: a BOM, then little-endian): read by transcoding, its lines
#: found in the decoded text (a line break is two bytes there).
WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be"})
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def codec_for(name: str) -> str:
    """The codec a profile's ``encoding`` names: ``auto``, UTF-16, or any ASCII-compatible text encoding.

    ASCII-compatible means every ASCII character is its own single byte, so delimiters, quotes and line
    breaks read the same whatever the encoding (Latin-1, cp1250/cp1252, Shift-JIS, Big5, GBK …);
    UTF-16 (:data:`WIDE`) is read too; UTF-32 and EBCDIC are refused with a :class:`ValueError`.

    >>> codec_for("GBK"), codec_for("latin-1"), codec_for("cp1250"), codec_for("auto"), codec_for("UTF-16LE")
    ('gb18030', 'iso8859-1', 'cp1250', 'auto', 'utf-16-le')
    >>> codec_for("utf-32")
    Traceback (most recent call last):
    ...
    ValueError: encoding 'utf-32' is not ASCII-compatible (UTF-32 and EBCDIC cannot be read); convert the file to UTF-8, or name an encoding such as utf-8, gbk, utf-16, latin-1 or cp1252
    """
    if name.strip().lower() == "auto":
        return "auto"
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}; use auto, utf-8, gbk or another name Python "
                         "knows, such as latin-1, cp1252 or shift_jis") from None
    codec = _SUPERSETS.get(info.name, info.name)
    if codec in WIDE:
        return codec
    try:
        compatible = _ASCII.decode(codec) == _ASCII.decode("ascii") and \
            _ASCII.decode("ascii").encode(codec) == _ASCII
    except (UnicodeError, LookupError, TypeError):  # bytes-to-bytes codecs (base64 …) are not text
        compatible = False
    if not compatible:
        raise ValueError(f"encoding {name!r} is not ASCII-compatible (UTF-32 and EBCDIC cannot be read); "
                         "convert the file to UTF-8, or name an encoding such as utf-8, gbk, utf-16, latin-1 or cp1252")
    return codec


def sniff_encoding(path: Path) -> str:
    """``utf-8``, ``utf-16`` (by its BOM) or ``gb18030`` from the first 64 KiB (a UTF-8 BOM is UTF-8).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("账号,户名\\n".encode("gbk"))
    >>> sniff_encoding(p)
    'gb18030'
    >>> _ = p.write_bytes("账号\\t户名\\n".encode("utf-16"))  # Excel's "Unicode text"
    >>> sniff_encoding(p)
    'utf-16'
    """
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnusableInputError(str(path), f"undecodable bytes at offset {exc.start}: neither "
                                 "UTF-8 nor GBK/GB18030; set `encoding` in the profile") from exc


def transcode_to_utf8(path: Path, encoding: str, out: Path) -> None:
    """Stream ``path`` from ``encoding`` to UTF-8 at ``out``; undecodable bytes make the file unusable."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(_CHUNK):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise UnusableInputError(str(path), f"undecodable {encoding} bytes at offset "
                                         f"{offset + exc.start}") from exc
            offset += len(chunk)
        try:
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise UnusableInputError(str(path), f"file ends inside a {encoding} character") from exc
