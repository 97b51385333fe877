"""Issue 14.9: blind means blind, files too. On a blind call the expert's download carries no
metadata naming who made the file (PDF info and XMP, Office document properties and comment
authors, image EXIF and text); read back here from the downloaded bytes."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter

from applications.services import attachment_add
from tests.workflow.test_plan_project_services import draft
from workflow import steps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages are read in English here (the site's default language is zh-hans)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


AUTHOR = "Wang Jianguo"
COMPANY = "Dongmeng Group"
XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
    f"{AUTHOR}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
).encode()


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": COMPANY, "/Title": "东蒙集团可行性报告"})
    writer.xmp_metadata = XMP
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties'
    ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
    f"<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy></cp:coreProperties>"
)
APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties'
    ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Company>{COMPANY}</Company><Manager>{AUTHOR}</Manager></Properties>"
)


def docx_with_metadata() -> bytes:
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
        f'<w:ins w:id="1" w:author="{AUTHOR}" w:date="2026-01-01T00:00:00Z"><w:r><w:t>项目正文</w:t></w:r></w:ins>'
        "</w:p></w:body></w:document>"
    )
    comments = (
        '<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:comment w:id="0" w:author="{AUTHOR}" w:initials="WJ"><w:p><w:r><w:t>意见</w:t></w:r></w:p></w:comment>'
        "</w:comments>"
    )
    return _zip(
        {
            "[Content_Types].xml": "<Types/>",
            "docProps/core.xml": CORE,
            "docProps/app.xml": APP,
            "word/document.xml": body,
            "word/comments.xml": comments,
        }
    )


def pptx_with_metadata() -> bytes:
    authors = f'<p:cmAuthorLst xmlns:p="p"><p:cmAuthor id="0" name="{AUTHOR}" initials="WJ"/></p:cmAuthorLst>'
    return _zip(
        {
            "[Content_Types].xml": "<Types/>",
            "docProps/core.xml": CORE,
            "docProps/app.xml": APP,
            "ppt/commentAuthors.xml": authors,
            "ppt/slides/slide1.xml": "<p:sld xmlns:p='p'>幻灯片</p:sld>",
        }
    )


def xlsx_with_metadata() -> bytes:
    workbook = Workbook()
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR
    workbook.active["A1"] = "预算表"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = AUTHOR  # Artist
    exif[0x8298] = COMPANY  # Copyright
    out = io.BytesIO()
    Image.new("RGB", (16, 8), "red").save(out, "JPEG", exif=exif.tobytes(), comment=AUTHOR.encode())
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    Image.new("RGB", (16, 8), "blue").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _unzipped(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def _reviewing(call: Any, applicant: Any, staff: Any, expert: Any, name: str, content: bytes) -> tuple[Any, Any]:
    call.blind = True
    call.save(update_fields=["blind"])
    app = draft(call, applicant)
    attachment = attachment_add(application=app, actor=applicant, upload=SimpleUploadedFile(name, content))
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    assignment = steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    return assignment, attachment


def _download(client: Any, expert: Any, assignment: Any, attachment: Any) -> bytes:
    client.force_login(expert.user)
    response = client.get(f"/reviews/{assignment.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_blind_pdf_loses_its_info_and_xmp(client, call, applicant, staff, expert):
    original = pdf_with_metadata()
    assert PdfReader(io.BytesIO(original)).metadata["/Author"] == AUTHOR  # the fixture has them
    assignment, attachment = _reviewing(call, applicant, staff, expert, "报告.pdf", original)

    content = _download(client, expert, assignment, attachment)
    reader = PdfReader(io.BytesIO(content))
    assert not (reader.metadata or {})
    assert reader.xmp_metadata is None
    assert len(reader.pages) == 1  # the document itself is intact
    assert AUTHOR.encode() not in content and COMPANY.encode() not in content


@pytest.mark.parametrize(("name", "make"), [("报告.docx", docx_with_metadata), ("演示.pptx", pptx_with_metadata)])
def test_blind_office_files_lose_their_properties_and_comment_authors(
    client, call, applicant, staff, expert, name, make
):
    assignment, attachment = _reviewing(call, applicant, staff, expert, name, make())

    content = _download(client, expert, assignment, attachment)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        core = archive.read("docProps/core.xml").decode()
        app = archive.read("docProps/app.xml").decode()
        assert "coreProperties" in core and "creator" not in core and "lastModifiedBy" not in core
        assert "Company" not in app and "Manager" not in app
        names = archive.namelist()
    unpacked = _unzipped(content)
    assert AUTHOR.encode() not in unpacked and COMPANY.encode() not in unpacked
    # The text stays (names written in it are the applicant's responsibility).
    assert ("项目正文" if "word/document.xml" in names else "幻灯片").encode() in unpacked


def test_blind_xlsx_loses_its_creator_and_still_opens(client, call, applicant, staff, expert):
    assignment, attachment = _reviewing(call, applicant, staff, expert, "预算.xlsx", xlsx_with_metadata())

    content = _download(client, expert, assignment, attachment)
    book = load_workbook(io.BytesIO(content))
    # openpyxl reads a missing creator as "openpyxl"
    assert book.properties.creator != AUTHOR and book.properties.lastModifiedBy in (None, "")
    assert book.active["A1"].value == "预算表"
    assert AUTHOR.encode() not in _unzipped(content)


@pytest.mark.parametrize(("name", "make"), [("照片.jpg", jpeg_with_exif), ("图.png", png_with_text)])
def test_blind_images_lose_exif_and_text_but_keep_the_picture(client, call, applicant, staff, expert, name, make):
    original = make()
    assert AUTHOR.encode() in original
    assignment, attachment = _reviewing(call, applicant, staff, expert, name, original)

    content = _download(client, expert, assignment, attachment)
    image = Image.open(io.BytesIO(content))
    image.load()
    assert image.size == (16, 8)
    assert not dict(image.getexif())
    assert not getattr(image, "text", {})
    assert AUTHOR.encode() not in content and COMPANY.encode() not in content


def test_a_file_that_cannot_be_cleaned_is_not_given_out_on_a_blind_call(client, call, applicant, staff, expert):
    """Fail closed: an unreadable PDF goes back to the review page with a message, not as a file."""
    assignment, attachment = _reviewing(call, applicant, staff, expert, "坏.pdf", b"%PDF-1.4 " + AUTHOR.encode())
    client.force_login(expert.user)
    response = client.get(f"/reviews/{assignment.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{assignment.pk}/"
    assert AUTHOR.encode() not in response.content


def test_a_blind_call_refuses_formats_whose_metadata_cannot_be_removed(call, applicant):
    call.blind = True
    call.save(update_fields=["blind"])
    app = draft(call, applicant)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
    with pytest.raises(Exception) as err:
        attachment_add(application=app, actor=applicant, upload=SimpleUploadedFile("旧.doc", ole))
    assert "file" in err.value.message_dict


def test_not_blind_the_file_is_given_as_uploaded(client, call, applicant, staff, expert):
    original = pdf_with_metadata()
    assignment, attachment = _reviewing(call, applicant, staff, expert, "报告.pdf", original)
    call.blind = False
    call.save(update_fields=["blind"])
    assert _download(client, expert, assignment, attachment) == original


def test_the_upload_form_says_names_in_the_text_are_the_applicants_responsibility(client, call, applicant):
    call.blind = True
    call.save(update_fields=["blind"])
    app = draft(call, applicant)
    client.force_login(applicant)
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "Names written inside the text" in page


def test_the_panel_reads_reviews_by_number_never_by_expert_name(client, call, applicant, staff, panel):
    from tests.conftest import make_expert
    from tests.workflow.test_plan_project_services import SCORES, to_review

    experts = [make_expert("zhang_wei_reviewer", None), make_expert("li_na_reviewer", None)]
    app, assignments = to_review(call, applicant, staff, experts)
    for assignment, expert in zip(assignments, experts, strict=True):
        steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment, actor=expert.user, scores=SCORES, comment="好", recommendation="support"
        )
    names = [e.name for e in experts]
    client.force_login(panel)
    pages = [
        client.get(url).content.decode()
        for url in (f"/applications/{app.pk}/reviews/", f"/calls/{call.pk}/ranking/", f"/applications/{app.pk}/")
    ]
    assert "Review 1" in pages[0] and "Review 2" in pages[0]
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(panel)
    answers = [
        api.get(url).content.decode() for url in (f"/api/calls/{call.pk}/ranking/", f"/api/applications/{app.pk}/")
    ]
    for text in [*pages, *answers]:
        assert not any(name in text for name in names)
    # Staff, who assign the experts, still see who wrote what.
    client.force_login(staff)
    page = client.get(f"/applications/{app.pk}/reviews/").content.decode()
    assert all(name in page for name in names)
