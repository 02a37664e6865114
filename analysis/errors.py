"""The one error type for bad input, and the text and CSV helpers that keep output deterministic.

Every problem with a user's data raises :class:`DataError`, which names the file, the line and
the offending value. Commands catch it and print a plain message with a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["DataError", "read_text", "write_csv", "write_text"]


class DataError(ValueError):
    """Bad input data: names the file, the line (1-based, if known) and the value.

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
            text += f": {value!r}"
        super().__init__(text)


def read_text(path) -> tuple[str, str]:
    """Read a text file as UTF-8 (with or without BOM) or GB18030.

    Returns ``(text, encoding)``. Line ends are normalised to ``\\n``.

    Raises
    ------
    DataError
        If the bytes are neither UTF-8 nor GB18030 (NUL bytes count as neither: they mark
        UTF-16 or binary files, which GB18030 would otherwise swallow).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"cannot read file ({exc.strerror})") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        name = "utf-8" if encoding == "utf-8-sig" else encoding
        if encoding == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf"):
            name = "utf-8-sig"
        return text.replace("\r\n", "\n").replace("\r", "\n"), name
    raise DataError(path, None, "file is neither UTF-8 (with or without BOM) nor GB18030")


def write_text(path, text: str) -> Path:
    """Write `text` as UTF-8 with LF line ends, creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path


def write_csv(df: pd.DataFrame, path, *, float_format: str = "%.6f") -> Path:
    """Write `df` as a UTF-8, LF-terminated CSV without index; byte-identical on re-run."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", float_format=float_format)
    return path
