"""Old Office formats (Word 97 ``.doc``, ``.rtf``, Excel 97 ``.xls``), read through LibreOffice.

Many governments still publish their plans as ``.doc`` or ``.xls`` attachments. LibreOffice,
run headless (``soffice --convert-to``), converts such a file to ``.docx`` or ``.xlsx`` in a
temporary folder, and the docx or xlsx reader reads that. The conversion keeps the document's
paragraphs, tables, merged cells and sheets in order, so the places of the measures
(``table 1, row 3, column 2``, ``Sheet1!B7``) are those of the original (tested: a plan saved
as ``.doc`` and as ``.docx``, and as ``.xls`` and as ``.xlsx``, reads to the same measures with
the same places). Each conversion has its own LibreOffice profile, so forked ingest workers
can convert at the same time. Without LibreOffice the file is an error that says what to
install, or what to save the file as. A process killed outright (SIGKILL) while converting
leaves that conversion to finish on its own and its temporary folder behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
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

#: How a Word 97 or Excel 97 file (an OLE2 compound file) begins, its smallest size (a header
#: and two sectors) and its sector size; an RTF file begins with ``{\\rtf``.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_MIN_BYTES = 1536
_OLE2_SECTOR = 512
_RTF = b"{\\rtf"
_SIGNATURE = {"doc": _OLE2, "xls": _OLE2, "rtf": _RTF}

#: LibreOffice's export filter for each target (named, so that a document LibreOffice opens
#: as a web page, Writer/Web, is exported too: its default filter list has no .docx).
_EXPORT = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}

#: What marks Word and Excel 2003 XML (lower case), with or without an ``<?xml`` declaration.
_OFFICE_XML = (b"mso-application", b"<w:worddocument", b"<workbook", b"<ss:workbook")


def _content(path: Path, fmt: str, what: str) -> tuple[str, list[tuple[str, str]]]:
    """``(how to read the file, notes)``, from its first bytes rather than its name.

    Web systems and mail attachments often serve other files under the name ``.doc`` or
    ``.xls``: a web page or a single-file web page (MHTML), a ``.docx`` or ``.xlsx``, a PDF,
    plain text or CSV. Those are read by this package's own reader for them (``html``,
    ``mhtml``, ``docx``, ``xlsx``, ``pdf``, ``text``, ``csv``); Word and Excel 97 files, RTF,
    Word and Excel 2003 XML, OpenDocument and anything else go to LibreOffice (``office``),
    which also decides by content. A note says when the content is not the name's format or
    the file looks cut short; a Word or Excel 97 file too short to hold its directory is an error.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(1024)
    notes = []
    if head[:4] == _OLE2[:4]:
        if head[:8] != _OLE2 or size < _OLE2_MIN_BYTES:
            raise DataError(
                path,
                None,
                f"{what} that is cut short or damaged ({size:,} bytes; a whole one has at least "
                f"{_OLE2_MIN_BYTES:,}): download or save it again",
            )
        if size % _OLE2_SECTOR:
            short = f"its size ({size:,} bytes) is not a whole number of {_OLE2_SECTOR}-byte sectors"
            notes.append(("file", f"{short}: it may be cut short"))
    if head.startswith(_SIGNATURE[fmt]):
        return "office", notes
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"PK\x03\x04"):
        kind, how = _zip_kind(path)
    elif head.startswith(b"%PDF-"):
        kind, how = "pdf", "read as a PDF"
    elif start.startswith(b"mime-version:"):
        kind, how = "mhtml", "read as a single-file web page (MHTML)"
    elif (
        start.startswith(b"<")
        and not any(m in start for m in _OFFICE_XML)
        and (not start.startswith(b"<?xml") or any(t in start for t in (b"<html", b"<!doctype html")))
    ):
        kind, how = "html", "read as a web page"
    elif head.startswith((_OLE2, _RTF)) or start.startswith(b"<"):
        kind, how = "office", "LibreOffice read it by its content"  # RTF, Word 97, Word/Excel 2003 XML
    elif b"\x00" not in head:
        kind, how = ("csv", "read as a CSV table") if fmt == "xls" else ("text", "read as text")
    else:
        kind, how = "office", "LibreOffice read it by its content"
    return kind, [("file", f"not {what} inside (it starts with {head[:8]!r}): {how}"), *notes]


def _zip_kind(path: Path) -> tuple[str, str]:
    """How to read a zip package under an old name: a Word or Excel one (by its parts) by its
    reader, an OpenDocument or other package by LibreOffice."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return "office", "LibreOffice read it by its content"
    if any(n.startswith("word/") for n in names):
        return "docx", "read as .docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx", "read as .xlsx"
    return "office", "LibreOffice read it by its content"


def _read_as(kind: str, path: Path, name: str) -> Source:
    """Read `path` with this package's reader of `kind` (see :func:`_content`)."""
    if kind == "mhtml":
        return _read_mhtml(path, name)
    if kind == "html":
        from .html import read
    elif kind == "docx":
        from .docx import read
    elif kind == "xlsx":  # openpyxl opens only files named .xlsx: a copy that is
        from .xlsx import read

        return _read_copy(read, path, name, "plan.xlsx", path.read_bytes())
    elif kind == "pdf":
        from .pdf import read
    elif kind == "csv":
        from .delimited import read
    elif kind == "text":
        from .text import read
    else:
        raise ValueError(f"no reader of kind {kind!r}")
    return read(path, name)


def _read_copy(read, path: Path, name: str, filename: str, data: bytes, after: str = "") -> Source:
    """``read`` of `data` written to a temporary `filename`, its errors naming `path` (the file
    the user gave) and, if given, `after` (what was done to the file first)."""
    with tempfile.TemporaryDirectory(prefix="analysis-copy-") as tmp:
        copy = Path(tmp) / filename
        copy.write_bytes(data)
        try:
            return read(copy, name)
        except DataError as exc:
            message = f"{exc.message} ({after})" if after else exc.message
            raise DataError(path, exc.line, message, value=exc.value) from None


def _read_mhtml(path: Path, name: str) -> Source:
    """A single-file web page (MHTML, Word's "web archive"): its first HTML part, decoded, read
    by the HTML reader."""
    import email
    from email import policy

    msg = email.message_from_bytes(path.read_bytes(), policy=policy.compat32)
    part = next((p for p in msg.walk() if p.get_content_type() == "text/html"), None)
    html = part.get_payload(decode=True) if part is not None else None
    if not html:
        raise DataError(path, None, "a single-file web page (MHTML) without an HTML part: save it as .htm or .docx")
    charset = part.get_content_charset()
    if charset and b"charset" not in html[:2048].lower():  # the charset was in the part's header only
        html = f'<meta charset="{charset}">\n'.encode("ascii") + html
    from .html import read

    return _read_copy(read, path, name, "page.html", html, "its HTML part, decoded")


def _run(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run LibreOffice in a process group of its own and wait at most :data:`TIMEOUT_S`.

    ``soffice`` is a launcher that starts the real program as its child: on a timeout, or when
    this process is interrupted while waiting, the whole group is killed, so no LibreOffice is
    left running (and re-creating its profile in the removed temporary folder)."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def soffice() -> str | None:
    """The LibreOffice program on this machine's ``PATH`` (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path, name: str, fmt: str) -> Source:
    """Read `path` (a `fmt` file: doc, rtf or xls) by converting it with LibreOffice; a file of
    another format under such a name is read by its own reader, and noted (:func:`_content`).

    Raises :class:`DataError` naming `path` when LibreOffice is missing, fails, takes longer
    than :data:`TIMEOUT_S`, or converts the file to something the docx or xlsx reader cannot read.
    """
    target, what, package = CONVERTED[fmt]
    path = Path(path)
    kind, notes = _content(path, fmt, what)
    if kind != "office":  # read here, no LibreOffice needed
        got = _read_as(kind, path, name)
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
            _EXPORT[target],
            "--outdir",
            str(tmp / "out"),
            str(src),
        ]
        try:
            proc = _run(cmd, env={**os.environ, "HOME": str(tmp)})
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
        data = out.read_bytes()
    converted = _read_copy(read_converted, path, name, out.name, data, f"after LibreOffice converted it to .{target}")
    return Source(name, fmt, converted.blocks, converted.encoding, notes + converted.notes)
