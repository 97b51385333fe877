"""The demo's acceptances (验收), through the same steps people take: the applicant files the
results of every contract target and the final accounts of every budget line (with the audit
report from the threshold up), staff check the file, draw three acceptance experts who accept
and score, staff decide against the advice; passed projects wait for the call's acceptance
notice, whose close requests the final tranche. A failed project's pending credit record is
confirmed by a second staff member, as the two-person rule asks.

Each project's figures come from a generator seeded by its title, so the year's other draws
(scores, amounts) stay as they were; the county column of the accounts is the contract's, so
the final tranche is what the tranche plan says and the seed's money figures hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from aftergrant.selectors import contract_in_force
from applications import services as app_services
from applications.enums import AcceptanceDocument
from applications.models import Application, Call
from funding.models import Notice
from integrity.models import CreditRecord
from integrity.services import credit_record_confirm
from reviews.enums import AssignmentPurpose
from reviews.models import Assignment
from workflow import steps

from .clock import DAY

if TYPE_CHECKING:
    from .builder import Loader

REPORT = "项目已按任务书完成研发和建设内容，各项考核指标均已达到，经费使用规范，详见验收报告及附件。"
FAILING_REPORT = "项目完成了部分研发内容，中试未按期完成，部分考核指标未达到，详见验收报告。"
EXPERT_COMMENTS = {
    "pass": ["考核指标全部完成，经费使用符合预算，同意通过验收。", "成果达到任务书要求，资料齐全，建议通过。"],
    "rectify": ["决算与预算科目对应不清，请补充经费使用说明后再议。", "检测报告不全，建议整改后通过。"],
    "fail": ["主要技术指标未达到任务书要求，建议不予通过。", "中试未完成，经费使用与任务书不符，不同意通过。"],
}


def _pdf(title: str, lines: list[str]) -> bytes:
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(title)
    canvas.setFont("STSong-Light", 14)  # registered by funding.documents
    y = 780.0
    for line in [title, *lines]:
        canvas.drawString(60, y, line)
        y -= 24
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def acceptance_file(app: Application, *, failing: bool = False) -> dict[str, Any]:
    """The file of a demo project: every target reached (a failing one misses half of them by
    half) and the accounts of every line as budgeted (a failing one spent half the county grant
    on each line, less than the first tranche paid: the rest is to be returned)."""
    version = contract_in_force(app)
    assert version is not None
    rng = random.Random(f"acceptance:{app.title}")  # noqa: S311 - demo data, not a secret
    results = []
    for n, target in enumerate(version.targets.all()):
        share = Decimal("0.5") if failing and n % 2 == 0 else Decimal(rng.choice(["1", "1.1", "1.2", "1.5"]))
        results.append({"target": target.pk, "achieved": str((target.value * share).quantize(Decimal("0.01")))})
    accounts = []
    for line in version.budget.all():
        county = (line.county_yuan * Decimal("0.5")).quantize(Decimal("0.01")) if failing else line.county_yuan
        accounts.append(
            {
                "line": line.line,
                "county_yuan": str(county),
                "own_yuan": str(line.own_yuan),
                "other_yuan": str(line.other_yuan),
            }
        )
    return {"report": FAILING_REPORT if failing else REPORT, "results": results, "accounts": accounts}


class AcceptanceWalk:
    """The acceptance steps of the demo's projects, each at its date on the loader's clock."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.clock = loader.clock

    @property
    def staff(self) -> Any:
        return self.loader.staff

    def file(self, app: Application, at: dt.datetime, *, failing: bool = False) -> None:
        """The applicant files (the audit report attached first when the grant asks for one)."""
        # Re-read with the applicant (who files) and the organisation (on the audit report).
        app.refresh_from_db(from_queryset=Application.objects.select_related("applicant", "organisation"))
        self.clock.set(at)
        if (app.approved_yuan or 0) >= settings.PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN and not (
            app.attachments.filter(kind=AcceptanceDocument.AUDIT).exists()
        ):
            content = _pdf("专项审计报告", [app.title, app.organisation.name, "审计结论：经费使用基本规范。"])
            app_services.attachment_add(
                application=app,
                actor=app.applicant,
                upload=SimpleUploadedFile("专项审计报告.pdf", content, content_type="application/pdf"),
                kind=AcceptanceDocument.AUDIT,
            )
        steps.acceptance_submit(application=app, actor=app.applicant, **acceptance_file(app, failing=failing))

    def check(self, app: Application, at: dt.datetime) -> None:
        self.clock.set(at)
        steps.acceptance_check(
            application=app, actor=self.staff, decision="accept", comment="资料齐全，同意组织专家验收。"
        )

    def draw(self, app: Application, at: dt.datetime) -> list[Assignment]:
        """Staff draw the acceptance experts (the seed from the title, so the draw can be replayed)."""
        self.clock.set(at)
        seed = "yanshou-" + hashlib.sha256(app.title.encode()).hexdigest()[:12]
        steps.acceptance_draw(application=app, actor=self.staff, seed=seed)
        return list(
            Assignment.objects.filter(application=app, purpose=AssignmentPurpose.ACCEPTANCE)
            .select_related("expert__user")
            .order_by("pk")
        )

    def score(self, assignments: list[Assignment], at: dt.datetime, words: list[str]) -> None:
        """Each expert accepts the invitation and scores with their recommendation."""
        rng = random.Random(f"acceptance-scores:{assignments[0].application_id}")  # noqa: S311 - demo data
        for n, (assignment, word) in enumerate(zip(assignments, words, strict=False)):
            self.clock.set(at + (n + 1) * DAY)
            steps.assignment_accept(assignment=assignment, actor=assignment.expert.user, no_conflict=True)
            low = {"pass": 0.82, "rectify": 0.7, "fail": 0.5}[word]
            scores = {
                code: round(top * rng.uniform(low, min(1.0, low + 0.15)))
                for code, top in (("targets", 40), ("money", 30), ("results", 30))
            }
            steps.review_submit(
                assignment=assignment,
                actor=assignment.expert.user,
                scores=scores,
                comment=rng.choice(EXPERT_COMMENTS[word]),
                recommendation=word,
            )

    def decide(self, app: Application, at: dt.datetime, result: str, comment: str = "") -> None:
        self.clock.set(at)
        steps.acceptance_decide(application=app, actor=self.staff, result=result, comment=comment)

    def through_experts(self, app: Application, filed: dt.datetime, words: list[str]) -> dt.datetime:
        """Check, draw and every expert's score; returns the day the decision can be made."""
        self.check(app, filed + 3 * DAY)
        drawn = self.draw(app, filed + 4 * DAY)
        self.score(drawn, filed + 4 * DAY, words)
        return filed + 12 * DAY

    def passed(self, app: Application, filed: dt.datetime, *, rectify: bool = False) -> dt.datetime:
        """Filed at ``filed`` and passed (after one rectification when ``rectify``); returns
        the day of the pass. The project then waits for the call's acceptance notice."""
        if not rectify:
            decided = self.through_experts(app, filed, ["pass", "pass", "pass"])
            self.decide(app, decided, "pass", "专家组现场验收，同意通过。")
            return decided
        decided = self.through_experts(app, filed, ["rectify", "rectify", "pass"])
        self.decide(app, decided, "rectify", "请补充经费决算说明和第三方检测报告，整改后重新提交。")
        again = decided + 20 * DAY
        self.file(app, again)
        self.check(app, again + 2 * DAY)
        self.decide(app, again + 5 * DAY, "pass", "整改材料齐全，同意通过验收。")
        return again + 5 * DAY

    def failed(self, app: Application, filed: dt.datetime) -> None:
        """Filed, scored fail (half the targets missed), failed; the credit record that makes
        is confirmed by the second staff member three days later."""
        decided = self.through_experts(app, filed, ["fail", "fail", "rectify"])
        self.decide(app, decided, "fail", "主要技术指标未达到任务书要求，且未按期完成中试，验收不通过。")
        record = CreditRecord.objects.filter(organisation=app.organisation, status="pending").latest("created_at")
        self.clock.set(decided + 3 * DAY)
        credit_record_confirm(record=record, actor=self.loader.users["demo_staff2"])

    def waiting(self, app: Application, filed: dt.datetime, step: int) -> None:
        """Filed and left at one of the steps before the decision: 0 the check, 1 the draw,
        2 the experts (the last one has not answered), 3 staff's decision."""
        if step == 0:
            return
        self.check(app, filed + 3 * DAY)
        if step == 1:
            return
        drawn = self.draw(app, filed + 4 * DAY)
        self.score(drawn[:-1] if step == 2 else drawn, filed + 4 * DAY, ["pass", "pass", "pass"])

    def notice(self, call: Call, published: dt.datetime) -> Notice:
        """The call's acceptance notice, published at ``published`` and closed when its
        window has run: the final tranches of the projects on it are requested."""
        self.clock.set(published)
        notice = steps.acceptance_notice_publish(call=call, actor=self.staff)
        self.clock.set(notice.ends_at + dt.timedelta(hours=1))
        return steps.notice_close(notice=notice, actor=self.staff)
