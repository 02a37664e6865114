"""The one error type for bad input, and the helpers that keep output deterministic and whole.

Every problem with a user's data raises :class:`DataError`, which names the file, the line and
the offending value. Commands catch it and print a plain message with a non-zero exit.

Every output file is written through :func:`atomic_write` (a temporary file in the same
folder, then :func:`os.replace`), so a build that is killed or fails leaves each file as it
was or as it is meant to be, never half-written. Worker processes call :func:`exit_with_parent`
first, so none outlives a killed build; :func:`output_lock` keeps two builds out of one folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd

__all__ = [
    "PARTIAL_SUFFIX",
    "DataError",
    "OutputError",
    "atomic_write",
    "exit_with_parent",
    "output_error",
    "output_lock",
    "printable",
    "read_text",
    "remove_partials",
    "write_bytes",
    "write_csv",
    "write_text",
]

#: Suffix of the temporary files :func:`atomic_write` renames into place (``.NAME.<pid>.partial``).
PARTIAL_SUFFIX = ".partial"

_UNPRINTABLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def printable(text: str) -> str:
    r"""`text` with control, format and other invisible characters written as escapes.

    Keeps error messages safe on a terminal: an ANSI escape in a unit name is shown as
    ``\x1b``, a zero-width space as ``\u200b``, a BOM as ``\ufeff``; Chinese text is unchanged.

    >>> printable("区\x1b[31m司法局\u200b")
    '区\\x1b[31m司法局\\u200b'
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch != " " and unicodedata.category(ch) in _UNPRINTABLE:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


_VALUE_MAX = 200  # characters of the offending value quoted in a message


class DataError(ValueError):
    """Bad input data: names the file, the line (1-based, if known) and the value.

    Invisible and control characters in the message are shown as escapes (:func:`printable`).

    Parameters
    ----------
    path : path-like or None
        The file that holds the problem.
    line : int or None
        1-based line number in that file.
    message : str
        What is wrong, in plain words.
    value : str, optional
        The offending value, quoted in the message.

    Examples
    --------
    >>> str(DataError("plan.txt", 12, "cannot place this line", value="区司法局牵头"))
    "plan.txt:12: cannot place this line: '区司法局牵头'"
    """

    def __init__(self, path, line: int | None, message: str, *, value: str | None = None):
        self.path = None if path is None else Path(path)
        self.line = line
        self.value = value
        self.message = message
        where = "" if path is None else str(path)
        if line is not None:
            where += f":{line}"
        text = f"{where}: {message}" if where else message
        if value is not None:
            shown = value if len(value) <= _VALUE_MAX else value[:_VALUE_MAX] + f"… ({len(value):,} characters)"
            text += f": {shown!r}"
        # line breaks of the message itself stay (a listing of places); anything else invisible is escaped
        super().__init__("\n".join(printable(part) for part in text.split("\n")))


class OutputError(OSError):
    """An output could not be written (read-only file system, full disk, no permission …).

    Carries a plain message naming the path; :func:`output_error` makes one from an ``OSError``.
    """


_OUTPUT_REASONS = {
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EEXIST: "a file of that name exists where a folder is needed",
    errno.ENOTDIR: "a file of that name exists where a folder is needed",
    errno.EISDIR: "a folder of that name exists where a file is needed",
    errno.ENAMETOOLONG: "the file name is too long",
}


def output_error(exc: OSError, path=None) -> OutputError:
    """A plain :class:`OutputError` for `exc`, naming the path (``exc.filename`` or `path`)."""
    if isinstance(exc, OutputError):
        return exc
    where = exc.filename if exc.filename is not None else path
    reason = _OUTPUT_REASONS.get(exc.errno, exc.strerror or str(exc))
    text = f"cannot write {printable(str(where))}: {reason}" if where is not None else f"cannot write: {reason}"
    err = OutputError(exc.errno, text)
    err.filename = None if where is None else str(where)
    return err


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, folder) from None


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", **kwargs):
    """Open a temporary file beside `path` and move it onto `path` when the block ends.

    The temporary file (``.NAME.<pid>.partial`` in the same folder, so the rename never crosses
    file systems) is flushed and synced, then :func:`os.replace`\\ d onto `path`: a reader sees
    the old file or the new one, never a part. If the block raises, the temporary file is
    removed and `path` is untouched. `mode` and `kwargs` go to :func:`open` (``"w"`` or
    ``"wb"``). A killed process can leave a ``.partial`` file, never a cut `path`; the next
    build removes them (:func:`remove_partials`). An ``OSError`` (full disk, read-only file
    system …) becomes an :class:`OutputError` naming `path`.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "a.txt") as fh:
    ...     _ = fh.write("new")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('new', ['a.txt'])
    """
    if "w" not in mode:
        raise ValueError(f"atomic_write writes files (mode 'w' or 'wb'), not mode {mode!r}")
    path = Path(path)
    _mkdir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.filename is not None and Path(exc.filename) == tmp:  # name the output, not its temporary file
            exc.filename = str(path)
        raise output_error(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def remove_partials(folder, *, recursive: bool = True) -> int:
    """Remove the temporary files a killed build left under `folder` (or only in it); returns how many.

    Only names :func:`atomic_write` makes (``.NAME.<pid>.partial``) are removed.
    """
    n = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for p in (folder.rglob if recursive else folder.glob)(f".*{PARTIAL_SUFFIX}"):
        if p.is_file() and re.fullmatch(rf"\..+\.\d+{re.escape(PARTIAL_SUFFIX)}", p.name):
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
    return n


def write_text(path, text: str) -> Path:
    """Write `text` as UTF-8 with LF line ends (atomically), creating parent folders."""
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path


def write_bytes(path, data: bytes) -> Path:
    """Write `data` to `path` atomically, creating parent folders."""
    path = Path(path)
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return path


def write_csv(df: pd.DataFrame, path, *, float_format: str = "%.6f") -> Path:
    """Write `df` as a UTF-8, LF-terminated CSV without index (atomically); byte-identical on re-run."""
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        df.to_csv(fh, index=False, lineterminator="\n", float_format=float_format)
    return path


# --------------------------------------------------------------------------------------------
# Worker processes and the output lock

_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int) -> None:
    """Make this (worker) process die with its parent `parent_pid` (a pool initializer).

    On Linux the kernel sends SIGKILL when the parent exits, however it ends (``prctl
    PR_SET_PDEATHSIG``); if the parent is already gone when this runs, the worker exits at
    once. Elsewhere this does nothing (workers are forked on Linux only).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


LOCK_NAME = ".analysis-build.lock"


@contextlib.contextmanager
def output_lock(folder):
    """Hold the lock file ``FOLDER/.analysis-build.lock`` for a build writing into `folder`.

    A second build into the same folder stops at once with an :class:`OutputError` naming the
    lock and the process that holds it (rather than waiting: two builds into one folder are
    almost always a mistake, and a wait of minutes looks like a hang). The lock is an
    ``flock`` the kernel drops when its process dies, so a killed build never leaves a stale
    lock; the file is removed when the build ends. Without ``fcntl`` (Windows) no lock is taken.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield None
        return
    folder = Path(folder)
    _mkdir(folder)
    path = folder / LOCK_NAME
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise output_error(exc, path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise OutputError(
                errno.EBUSY,
                f"another build (process {holder}) is writing into {folder} (lock {path}); "
                "wait for it to finish or choose another --out",
            ) from None
        try:  # the holder before us may have removed the file after we opened it: lock the new one
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Reading text

# two CJK characters in a row as UTF-8 (lead bytes E3–E9, two continuation bytes each): text
# in GB18030 forms this by chance only in rare runs of rare characters
_UTF8_CJK_RUN = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){2,}")


def _where(raw: bytes, pos: int) -> str:
    line = raw.count(b"\n", 0, pos) + 1
    return f"line {line}, byte {pos}"


def read_text(path) -> tuple[str, str]:
    """Read a text file as UTF-8 (with or without BOM) or GB18030.

    Returns ``(text, encoding)``. Line ends are normalised to ``\\n``.

    The file is decoded as UTF-8 first. Where that fails, the error says where (line and byte
    offset). GB18030 is taken only when it decodes the whole file and no line of it reads as
    UTF-8 Chinese (two CJK characters in a row as valid UTF-8): a UTF-8 line pasted into a GBK
    file is an error naming both lines, not mojibake. A UTF-8 file whose last character is cut
    is reported as possibly truncated.

    Raises
    ------
    DataError
        If the bytes are neither UTF-8 nor GB18030 (NUL bytes count as neither: they mark
        UTF-16 or binary files, which GB18030 would otherwise swallow), mix the two, or end in
        the middle of a UTF-8 character.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"cannot read file ({exc.strerror})") from None
    if b"\x00" in raw:
        pos = raw.index(b"\x00")
        raise DataError(
            path,
            None,
            f"file is neither UTF-8 (with or without BOM) nor GB18030: NUL byte at {_where(raw, pos)} "
            "(UTF-16 or binary?)",
        )
    try:
        text = raw.decode("utf-8-sig")
        name = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as exc:
        text, name = _not_utf8(path, raw, exc)
    return text.replace("\r\n", "\n").replace("\r", "\n"), name


def _not_utf8(path: Path, raw: bytes, exc: UnicodeDecodeError) -> tuple[str, str]:
    """Decide what a file that is not valid UTF-8 is: GB18030, truncated UTF-8 or an error."""
    pos = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
    # everything before `pos` is valid UTF-8: a non-ASCII byte there is a UTF-8 character
    utf8_before = re.search(rb"[\x80-\xff]", raw[:pos]) is not None
    if exc.reason == "unexpected end of data" and (utf8_before or raw.startswith(b"\xef\xbb\xbf")):
        raise DataError(
            path,
            raw.count(b"\n", 0, pos) + 1,
            f"UTF-8 decoding stops at {_where(raw, pos)}, in a character cut at the end of the file: "
            "the file may be truncated",
        )
    # a line that is valid UTF-8 Chinese in a file that is otherwise not UTF-8: mixed encodings
    start = 0
    for line in raw.split(b"\n"):
        if _UTF8_CJK_RUN.search(line):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise DataError(
                    path,
                    raw.count(b"\n", 0, start) + 1,
                    "file mixes encodings: this line is UTF-8, but UTF-8 decoding stops at "
                    f"{_where(raw, pos)} (GB18030 there?); save the file in one encoding",
                )
        start += len(line) + 1
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise DataError(
            path,
            raw.count(b"\n", 0, pos) + 1,
            f"file is neither UTF-8 (with or without BOM) nor GB18030: UTF-8 decoding stops at {_where(raw, pos)}",
        ) from None
    return text, "gb18030"
