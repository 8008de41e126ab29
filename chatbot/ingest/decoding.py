"""Bytes of an uploaded or read file into text, or a :class:`LoadError` that says why not.

Apart from the loaders so that each format's reader shares one decoder and one error type: a file
in UTF-16 without a byte order mark, or a binary file renamed ``.txt``, gets the same one-line
message whichever loader met it.
"""

from __future__ import annotations


class LoadError(ValueError):
    """An article that cannot be loaded; ``str()`` is the one-line message for the user."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)


def _wide_encoding(sample: bytes) -> str | None:
    """UTF-16 or UTF-32 told by where the NUL bytes fall (text without a byte order mark).

    Latin-script text in UTF-16 has a NUL in every other byte, always on the same side of each
    pair; in UTF-32, three NULs in every four bytes. Binary data has NULs anywhere.
    """
    size = len(sample) - len(sample) % 4
    if size < 8:
        return None
    sample = sample[:size]
    quads = [sample[i::4].count(0) / (size // 4) for i in range(4)]
    if quads[1] > 0.95 and quads[2] > 0.95 and quads[3] > 0.95 and quads[0] < 0.2:
        return "utf-32-le"
    if quads[0] > 0.95 and quads[1] > 0.95 and quads[2] > 0.95 and quads[3] < 0.2:
        return "utf-32-be"
    even, odd = sample[0::2].count(0) / (size // 2), sample[1::2].count(0) / (size // 2)
    if odd > 0.6 and even < 0.05:
        return "utf-16-le"
    if even > 0.6 and odd < 0.05:
        return "utf-16-be"
    return None


def _is_binary(text: str) -> bool:
    """Control characters (other than line breaks and tabs) in more than 5% of the opening."""
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f\v")
    return "\x00" in sample or controls > len(sample) * 0.05


def decode_text(data: bytes, where: str) -> str:
    """The text of a file in UTF-8, or UTF-16/UTF-32 (with a byte order mark, or told by its NUL
    bytes), or a LoadError that says why it is not text."""
    if not data.strip():
        raise LoadError(where, "the file is empty")
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    body = data[len(next(b for b, n in _BOMS if n == encoding)):] if encoding else data
    encoding = encoding or _wide_encoding(data[:8192])
    if encoding and encoding != "utf-8":
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            raise LoadError(where, f"binary content, not a text file (not valid {encoding.upper()} "
                                   "either)") from None
        if _is_binary(text):
            raise LoadError(where, "binary content, not a text file")
        if not text.strip():
            raise LoadError(where, "the file is empty")
        return text
    sample = body[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if b"\x00" in sample or controls > len(sample) * 0.05:
        raise LoadError(where, "binary content, not a text file")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        raise LoadError(
            where, f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})"
        ) from None
