"""Removing who made a file from the file, for experts on a blind call (盲评).

A blind call hides the applicant's name on every page, and since issue 14.9 in the files too:
what the expert downloads has its metadata removed —

- PDF: the document information dictionary (/Info: author, creator, producer, title …) and
  the XMP metadata stream, of the document and of each page (pypdf);
- Word, Excel, PowerPoint (docx/xlsx/pptx): ``docProps/core.xml`` (creator, lastModifiedBy,
  title …), ``docProps/app.xml`` (company, manager, template …) and ``docProps/custom.xml``
  are written empty, and the authors of comments and tracked changes are blanked;
- JPEG and PNG: EXIF, XMP, IPTC and comment segments (JPEG) and text, EXIF and time chunks
  (PNG) are dropped, byte for byte, without re-encoding the picture.

Names written in the text of a file are the applicant's responsibility (the upload form says
so). The legacy binary formats (doc/xls/ppt) cannot be cleaned here: a blind call does not
accept them, and one uploaded before the call became blind is refused to the expert, as is
any file that cannot be read: :class:`CannotScrub`. Blind means blind; it fails closed.
"""

from __future__ import annotations

import re
import shutil
import struct
import zipfile
from io import BytesIO
from pathlib import PurePath

#: Formats whose metadata is removed; anything else cannot be given to an expert of a blind call.
SCRUBBED_SUFFIXES = frozenset({".pdf", ".docx", ".xlsx", ".pptx", ".png", ".jpg", ".jpeg"})

#: An Office file expanding beyond this is refused rather than rewritten (a zip bomb).
MAX_UNPACKED_BYTES = 500 * 1024 * 1024


class CannotScrub(Exception):
    """The file's metadata could not be removed: it must not reach an expert of a blind call."""


def scrub(data: bytes, filename: str) -> bytes:
    """``data`` (the file called ``filename``) without the metadata that names who made it."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix == ".pdf":
            return _pdf(data)
        if suffix in (".docx", ".xlsx", ".pptx"):
            return _office(data)
        if suffix in (".jpg", ".jpeg"):
            return _jpeg(data)
        if suffix == ".png":
            return _png(data)
    except CannotScrub:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure: the file is not given out
        raise CannotScrub(f"{type(exc).__name__}: {exc}") from exc
    raise CannotScrub(f"no metadata removal for {suffix or 'files without a type'}")


# --- PDF -----------------------------------------------------------------------------------------


def _pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted:
        raise CannotScrub("encrypted PDF")
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None  # the /Info dictionary, our own /Producer included
    writer.xmp_metadata = None  # the catalog's /Metadata stream
    for key in ("/PieceInfo",):
        if key in writer.root_object:
            del writer.root_object[key]
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo"):
            if key in page:
                del page[key]
    # The cloned /Info and XMP objects are still in the file, only unreferenced: drop them.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Office Open XML -----------------------------------------------------------------------------

_EMPTY_PARTS = {
    "docProps/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "docProps/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
    "docProps/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
}
#: Who wrote a comment or a tracked change: w:author / w:initials (Word), name / initials
#: (PowerPoint's comment authors), <author> elements (Excel's comments), people.xml entries.
_AUTHOR_ATTRIBUTES = re.compile(rb'\b((?:w15?:)?(?:author|initials|userId|providerId)|name|displayName)="[^"]*"')
_AUTHOR_ELEMENTS = re.compile(rb"<author>[^<]*</author>")
_PEOPLE_PARTS = re.compile(r"^(word/(comments\w*|people|document|footnotes|endnotes|header\d*|footer\d*)\.xml"
                           r"|ppt/commentAuthors\.xml|ppt/comments/.*\.xml|xl/comments\d*\.xml|xl/threadedComments/.*\.xml"
                           r"|xl/persons/.*\.xml)$")  # fmt: skip


def _blank_authors(name: str, content: bytes) -> bytes:
    if name.startswith("xl/comments"):
        return _AUTHOR_ELEMENTS.sub(b"<author></author>", content)
    if name.startswith("word/") and not name.startswith(("word/people", "word/comments")):
        # The body keeps its names (name="…" is also a style or font attribute there): only
        # the authors of tracked changes go.
        return re.sub(rb'\b(w:author|w:initials)="[^"]*"', rb'\1=""', content)
    return _AUTHOR_ATTRIBUTES.sub(rb'\1=""', content)


def _office(data: bytes) -> bytes:
    source = zipfile.ZipFile(BytesIO(data))
    if sum(info.file_size for info in source.infolist()) > MAX_UNPACKED_BYTES:
        raise CannotScrub("the archive unpacks too large")
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in _EMPTY_PARTS:
                target.writestr(info, _EMPTY_PARTS[info.filename], compress_type=zipfile.ZIP_DEFLATED)
            elif _PEOPLE_PARTS.match(info.filename):
                content = source.read(info)
                target.writestr(info, _blank_authors(info.filename, content), compress_type=zipfile.ZIP_DEFLATED)
            else:
                with source.open(info) as src, target.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst)
    return out.getvalue()


# --- images --------------------------------------------------------------------------------------

#: JPEG segments kept: APP0 (JFIF), APP2 (ICC colour profile), APP14 (Adobe colour transform).
_JPEG_KEEP = {0xE0, 0xE2, 0xEE}


def _jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise CannotScrub("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise CannotScrub("broken JPEG segment")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan: the picture itself, to the end
            out += data[pos:]
            return bytes(out)
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos : pos + 2 + length]
        if 0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP or marker == 0xFE:
            pass  # APPn with EXIF / XMP / IPTC, or a comment: dropped
        else:
            out += segment
        pos += 2 + length
    raise CannotScrub("JPEG without image data")


#: PNG chunks dropped: text (tEXt, zTXt, iTXt, which hold XMP too), EXIF and the time stamp.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise CannotScrub("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise CannotScrub("broken PNG chunk")
        if kind not in _PNG_DROP:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            return bytes(out)
    raise CannotScrub("PNG without its end")
