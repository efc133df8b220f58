"""A tiny PDF writer for tests: plain bytes, no dependencies.

`make_pdf(["first page text", "second page text"])` returns a valid PDF 1.4 file with one
page per string (Helvetica, US Letter), a correct cross-reference table and trailer.
`count_pages(data)` is an independent sanity check used by the tests themselves.
"""

from __future__ import annotations

import re

__all__ = ["make_pdf", "count_pages"]


def _escape(text: str) -> str:
    # PDF literal strings: backslash, parentheses must be escaped; keep to Latin-1.
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[str], title: str = "Cairn test document", *,
             padding: int = 0, encrypted: bool = False) -> bytes:
    """`padding`: bytes of an unused binary stream (to reach a file size); `encrypted`: a
    standard security handler in the trailer, as password-protected PDFs have."""
    if not pages:
        raise ValueError("a PDF needs at least one page")

    # Object numbering: 1 catalog, 2 page tree, 3 font, 4 info,
    # then for page i: page object 5 + 2i, content stream 6 + 2i.
    n_pages = len(pages)
    page_ids = [5 + 2 * i for i in range(n_pages)]
    content_ids = [6 + 2 * i for i in range(n_pages)]

    objects: dict[int, bytes] = {}
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode("ascii")
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects[4] = f"<< /Title ({_escape(title)}) /Producer (cairn pdfgen) >>".encode("latin-1")

    for i, text in enumerate(pages):
        lines = text.splitlines() or [""]
        ops = ["BT", "/F1 14 Tf", "16 TL", "72 720 Td"]
        for j, line in enumerate(lines):
            if j:
                ops.append("T*")
            ops.append(f"({_escape(line)}) Tj")
        ops.append("ET")
        stream = ("\n".join(ops) + "\n").encode("latin-1")
        objects[content_ids[i]] = (
            f"<< /Length {len(stream)} >>\nstream\n".encode("ascii") + stream + b"endstream"
        )
        objects[page_ids[i]] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_ids[i]} 0 R >>"
        ).encode("ascii")

    extra_id = max(objects) + 1
    trailer_extra = ""
    if padding:
        blob = bytes((i * 2654435761 >> 13) & 0xFF for i in range(min(padding, 1 << 16)))
        blob = (blob * (padding // len(blob) + 1))[:padding]
        objects[extra_id] = f"<< /Length {len(blob)} >>\nstream\n".encode("ascii") + blob + b"\nendstream"
        extra_id += 1
    if encrypted:
        objects[extra_id] = (b"<< /Filter /Standard /V 1 /R 2 /P -44 "
                             b"/O <" + b"3" * 64 + b"> /U <" + b"7" * 64 + b"> >>")
        trailer_extra = f" /Encrypt {extra_id} 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    max_id = max(objects)
    for obj_id in range(1, max_id + 1):
        offsets[obj_id] = len(out)
        out += f"{obj_id} 0 obj\n".encode("ascii") + objects[obj_id] + b"\nendobj\n"

    xref_at = len(out)
    out += f"xref\n0 {max_id + 1}\n".encode("ascii")
    out += b"0000000000 65535 f \n"
    for obj_id in range(1, max_id + 1):
        out += f"{offsets[obj_id]:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {max_id + 1} /Root 1 0 R /Info 4 0 R{trailer_extra} >>\n"
        f"startxref\n{xref_at}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


def count_pages(data: bytes) -> int:
    """Count page objects (not the /Pages tree node) and cross-check the xref table."""
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if not m:
        raise ValueError("no startxref")
    xref_at = int(m.group(1))
    if not data[xref_at:].startswith(b"xref"):
        raise ValueError("startxref does not point at the xref table")
    # Every in-use xref entry must point at "N 0 obj".
    header = re.match(rb"xref\s+0\s+(\d+)\s+", data[xref_at:])
    if not header:
        raise ValueError("bad xref header")
    size = int(header.group(1))
    entries_at = xref_at + header.end()
    for n in range(size):
        entry = data[entries_at + 20 * n : entries_at + 20 * (n + 1)]
        offset, _gen, kind = entry[:10], entry[11:16], entry[17:18]
        if kind == b"n" and not data[int(offset) :].startswith(f"{n} 0 obj".encode()):
            raise ValueError(f"xref entry {n} points at the wrong offset")
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


if __name__ == "__main__":  # pragma: no cover - manual check
    import sys

    pdf = make_pdf(["Page one: revenue grew.", "Page two: costs fell."])
    sys.stdout.buffer.write(pdf)
