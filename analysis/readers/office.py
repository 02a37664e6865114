"""Old Office formats (Word 97 ``.doc``, ``.rtf``, Excel 97 ``.xls``), read through LibreOffice.

Many governments still publish their plans as ``.doc`` or ``.xls`` attachments. LibreOffice,
run headless (``soffice --convert-to``), converts such a file to ``.docx`` or ``.xlsx`` in a
temporary folder, and the docx or xlsx reader reads that. The conversion keeps the document's
paragraphs, tables, merged cells and sheets in order, so the places of the measures
(``table 1, row 3, column 2``, ``Sheet1!B7``) are those of the original (tested: a plan saved
as ``.doc`` and as ``.docx``, and as ``.xls`` and as ``.xlsx``, reads to the same measures with
the same places). Each conversion has its own LibreOffice profile, so forked ingest workers
can convert at the same time. Without LibreOffice the file is an error that says what to
install, or what to save the file as.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DataError
from . import Source

__all__ = ["CONVERTED", "TIMEOUT_S", "read", "soffice"]

#: Format -> (the format LibreOffice converts it to, what the file is, the Debian package of
#: the LibreOffice part that reads it).
CONVERTED = {
    "doc": ("docx", "an old Word .doc file", "libreoffice-writer-nogui"),
    "rtf": ("docx", "an RTF file", "libreoffice-writer-nogui"),
    "xls": ("xlsx", "an old Excel .xls file", "libreoffice-calc-nogui"),
}

#: Seconds one conversion may take (a plan of a few hundred pages converts in a few seconds).
TIMEOUT_S = 180

#: How a Word 97 or Excel 97 file (an OLE2 compound file) begins, and its smallest size (a
#: header and two sectors); an RTF file begins with ``{\\rtf``.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_MIN_BYTES = 1536
_SIGNATURE = {"doc": _OLE2, "xls": _OLE2, "rtf": b"{\\rtf"}


def _content(path: Path, fmt: str, what: str) -> tuple[str, list[tuple[str, str]]]:
    """``(what the file holds, notes)``: ``office`` (a Word or Excel 97 file, or RTF), ``zip``
    (a .docx or .xlsx under the old name), ``html`` (a web page saved under the name ``.doc``
    or ``.xls``, which web systems often serve) or ``other`` (left to LibreOffice, which reads
    a file by its content); a note says when the content is not the name's format. A Word or
    Excel 97 file cut short is an error."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(512)
    sig = _SIGNATURE[fmt]
    if sig == _OLE2 and head[:4] == _OLE2[:4] and (head[:8] != _OLE2 or size < _OLE2_MIN_BYTES):
        raise DataError(
            path,
            None,
            f"{what} that is cut short or damaged ({size:,} bytes; a whole one has at least "
            f"{_OLE2_MIN_BYTES:,}): download or save it again",
        )
    if head.startswith(sig):
        return "office", []
    target = CONVERTED[fmt][0]
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"PK\x03\x04"):
        kind, how = "zip", f"read as .{target}"
    elif start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<meta", b"<table", b"<head")):
        kind, how = "html", "read as a web page"
    elif head.startswith((_OLE2, b"{\\rtf")):  # an RTF file named .doc, a Word 97 one named .rtf
        kind, how = "office", "LibreOffice read it by its content"
    else:
        kind, how = "other", "LibreOffice read it by its content"
    return kind, [("file", f"not {what} inside (it starts with {head[:8]!r}): {how}")]


def soffice() -> str | None:
    """The LibreOffice program on this machine's ``PATH`` (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path, name: str, fmt: str) -> Source:
    """Read `path` (a `fmt` file: doc, rtf or xls) by converting it with LibreOffice; a .docx,
    .xlsx or web page under such a name is read by its own reader, and noted (:func:`_content`).

    Raises :class:`DataError` naming `path` when LibreOffice is missing, fails, takes longer
    than :data:`TIMEOUT_S`, or converts the file to something the docx or xlsx reader cannot read.
    """
    target, what, package = CONVERTED[fmt]
    path = Path(path)
    kind, notes = _content(path, fmt, what)
    if kind in ("zip", "html"):  # read here, no LibreOffice needed
        if kind == "html":
            from .html import read as read_here
        elif target == "docx":
            from .docx import read as read_here
        else:
            from .xlsx import read as read_here
        got = read_here(path, name)
        return Source(name, fmt, got.blocks, got.encoding, notes + got.notes)
    exe = soffice()
    if exe is None:
        raise DataError(
            path,
            None,
            f"cannot read {what} without LibreOffice: install it (Debian and Ubuntu: {package}) "
            f"or save the file as .{target} and ingest that",
        )
    with tempfile.TemporaryDirectory(prefix="analysis-office-") as tmp:
        tmp = Path(tmp)
        src = tmp / f"plan.{fmt}"  # a plain name: LibreOffice names its output after its input
        shutil.copyfile(path, src)
        cmd = [
            exe,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(tmp / "out"),
            str(src),
        ]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=TIMEOUT_S,
                env={**os.environ, "HOME": str(tmp)},
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise DataError(path, None, f"LibreOffice did not convert {what} within {TIMEOUT_S} s") from None
        except OSError as exc:
            raise DataError(path, None, f"could not start LibreOffice ({exe}: {exc.strerror})") from None
        out = tmp / "out" / f"plan.{target}"
        if not out.is_file():
            said = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            said = [ln for ln in said if "javaldx" not in ln]  # a warning it prints on every run
            detail = f": LibreOffice said {said[-1]!r}" if said else f" (exit status {proc.returncode})"
            raise DataError(
                path,
                None,
                f"LibreOffice could not convert {what} to .{target}{detail}; a damaged file, or the "
                f"LibreOffice part that reads it is missing (Debian and Ubuntu: {package})",
            )
        if target == "docx":
            from .docx import read as read_converted
        else:
            from .xlsx import read as read_converted
        try:
            converted = read_converted(out, name)
        except DataError as exc:  # the message names the original file, not the temporary copy
            message = f"{exc.message} (after LibreOffice converted it to .{target})"
            raise DataError(path, exc.line, message, value=exc.value) from None
    return Source(name, fmt, converted.blocks, converted.encoding, notes + converted.notes)
