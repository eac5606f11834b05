"""Decoding input files the same way for every reader: UTF-8 (BOM tolerated), any newline.

Binary files and undecodable bytes become an :class:`InputError` naming the line, so no reader
has to guess at encodings or crash on a stray byte.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError

SAMPLE_BYTES = 64 * 1024


def decode(data: bytes, path: Path) -> str:
    """Bytes → text with ``\\n`` newlines; refuses binary data and invalid UTF-8 with a line.

    A NUL byte anywhere makes the file binary, not only in the detection sample: past it, it
    would reach the stores and exports (and no XML document may hold one)."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputError(path, "looks like a binary file (NUL bytes), not text", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            path, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); re-save the file as UTF-8", line
        ) from err
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path) -> str:
    """The whole file as text (see :func:`decode`)."""
    try:
        data = path.read_bytes()
    except IsADirectoryError as err:
        raise InputError(path, "is a directory, expected a file") from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from err
    return decode(data, path)


def read_lines(path: Path) -> list[str]:
    """The file's lines without newlines, each stripped of trailing whitespace."""
    return [line.rstrip() for line in read_text(path).split("\n")]


def read_sample(path: Path) -> str:
    """The first 64 KiB as text for format detection; a cut multi-byte character is dropped."""
    try:
        with path.open("rb") as handle:
            data = handle.read(SAMPLE_BYTES)
    except IsADirectoryError as err:
        raise InputError(path, "is a directory, expected a file") from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from err
    if b"\x00" in data:
        raise InputError(path, "looks like a binary file (NUL bytes), not text", 1)
    text = data.decode("utf-8-sig", errors="ignore")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers (each line of these formats is a unit)."""
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
