"""The web UI: server-rendered pages for each role, calling ``workflow.steps``."""

from django.urls import path

from . import acceptance as acceptance_pages
from . import aftergrant, awards, calls, people, pool, ranking, views
from . import audit as audit_pages
from . import changes as change_pages
from . import dossier as dossier_pages
from . import fields as field_pages
from . import figures as figures_pages
from . import funding as funding_pages
from . import integrity as integrity_pages
from . import midterm as midterm_pages
from . import notifications as notification_pages
from . import upward as upward_pages

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    # People: staff create accounts (by invitation); members approve newcomers (pages/people.py)
    path("people/new/", people.user_new, name="user-new"),
    path("memberships/", people.memberships, name="memberships"),
    path("memberships/<int:pk>/approve/", people.membership_approve, name="membership-approve"),
    path("memberships/<int:pk>/reject/", people.membership_reject, name="membership-reject"),
    # Applicants
    path("calls/<int:call_pk>/apply/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/contract/", aftergrant.contract_sign, name="contract-sign"),
    path("applications/<int:pk>/contract.pdf", aftergrant.contract_pdf_download, name="contract-pdf"),
    path(
        "applications/<int:pk>/acceptance-certificate.pdf",
        aftergrant.acceptance_certificate_download,
        name="acceptance-certificate",
    ),
    path("applications/<int:pk>/acceptance/", acceptance_pages.acceptance_file, name="acceptance-file"),
    path(
        "applications/<int:pk>/acceptance/documents/",
        acceptance_pages.acceptance_document,
        name="acceptance-document",
    ),
    path("applications/<int:pk>/acceptance/check/", acceptance_pages.acceptance_check, name="acceptance-check"),
    path("applications/<int:pk>/acceptance/draw/", acceptance_pages.acceptance_draw, name="acceptance-draw"),
    # Change requests (项目变更, pages/changes.py)
    path("applications/<int:pk>/changes/new/", change_pages.change_new, name="change-new"),
    path("changes/", change_pages.change_list, name="changes"),
    path("changes/export.xlsx", change_pages.change_export, name="change-export"),
    path("changes/<int:pk>/", change_pages.change_detail, name="change-detail"),
    path("changes/<int:pk>/decide/", change_pages.change_decide, name="change-decide"),
    path("applications/<int:pk>/midterm/", midterm_pages.midterm_report, name="midterm-report"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    # Bureau staff
    path("applications/<int:pk>/formal-review/", views.formal_review, name="formal-review"),
    path("applications/<int:pk>/assign/", views.assign_expert, name="assign-expert"),
    path("applications/<int:pk>/start-review/", views.start_review, name="start-review"),
    path("applications/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("applications/<int:pk>/acceptance-decision/", acceptance_pages.acceptance_decide, name="acceptance-decide"),
    path("applications/<int:pk>/contract-check/", aftergrant.contract_check, name="contract-check"),
    # Projects after the grant: the project's page, staff's list (pages/aftergrant.py)
    path("projects/", aftergrant.project_list, name="projects"),
    path("projects/<int:pk>/", aftergrant.project_page, name="project"),
    path("applications/<int:pk>/midterm/check/", midterm_pages.midterm_check, name="midterm-check"),
    path("midterm/overdue/", midterm_pages.midterm_overdue_list, name="midterm-overdue"),
    path("assignments/<int:pk>/close-slot/", views.review_slot_close, name="review-slot-close"),
    path("calls/<int:pk>/", views.call_detail, name="call-detail"),
    # Staff set up the year: programmes, calls and award rounds (pages/calls.py)
    path("programmes/", calls.programmes, name="programmes"),
    path("calls/new/", calls.call_create, name="call-create"),
    path("calls/<int:pk>/edit/", calls.call_edit, name="call-edit"),
    path("calls/<int:pk>/copy/", calls.call_copy, name="call-copy"),
    path("awards/rounds/new/", calls.round_create, name="award-round-create"),
    path("awards/rounds/<int:pk>/edit/", calls.round_edit, name="award-round-edit"),
    path("awards/rounds/<int:pk>/copy/", calls.round_copy, name="award-round-copy"),
    path("calls/<int:pk>/publish-notice/", views.notice_publish, name="notice-publish"),
    path(
        "calls/<int:pk>/publish-acceptance-notice/",
        views.acceptance_notice_publish,
        name="acceptance-notice-publish",
    ),
    path("notices/<int:pk>/close/", views.notice_close, name="notice-close"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection-resolve"),
    path("objections/dismiss/", views.objections_dismiss, name="objections-dismiss"),
    # Panel
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    # Experts
    path("reviews/", views.my_reviews, name="my-reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/accept/", views.review_accept, name="review-accept"),
    path("reviews/<int:pk>/decline/", views.review_decline, name="review-decline"),
    path("reviews/<int:pk>/score/", views.review_submit, name="review-submit"),
    # Finance
    path("finance/", views.finance, name="finance"),
    path("disbursements/<int:pk>/approve/", views.disbursement_approve, name="disbursement-approve"),
    path("disbursements/<int:pk>/reject/", views.disbursement_reject, name="disbursement-reject"),
    path("disbursements/<int:pk>/pay/", views.disbursement_pay, name="disbursement-pay"),
    path("disbursements/<int:pk>/resubmit/", views.disbursement_resubmit, name="disbursement-resubmit"),
    # Everyone: the in-app inbox; staff: delivery state of every notification
    path("inbox/", notification_pages.inbox, name="inbox"),
    path("inbox/read-all/", notification_pages.inbox_read_all, name="inbox-read-all"),
    path("inbox/<int:pk>/read/", notification_pages.inbox_read, name="inbox-read"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox-resend"),
    path("inbox/preferences/", notification_pages.preferences, name="inbox-preferences"),
    path("reviews/overdue/", notification_pages.overdue, name="reviews-overdue"),
    path("assignments/<int:pk>/redraw/", notification_pages.redraw, name="assignment-redraw"),
    # Expert pool, conflicts, reviews of an item and the ranking (pages/pool.py, pages/ranking.py)
    path("fields/", field_pages.field_list, name="fields"),
    path("fields/<int:pk>/", field_pages.field_edit, name="field-edit"),
    path("experts/", pool.pool_list, name="pool"),
    path("experts/export.xlsx", pool.pool_export, name="pool-export"),
    path("experts/new/", pool.expert_new, name="pool-expert-new"),
    path("experts/import/", pool.pool_import, name="pool-import"),
    path("experts/import/template.xlsx", pool.import_template, name="pool-import-template"),
    path("experts/import/report.xlsx", pool.import_report, name="pool-import-report"),
    path("experts/import/<int:pk>/", pool.pool_import_job, name="pool-import-job"),
    path("experts/import/<int:pk>/report.xlsx", pool.import_job_report, name="pool-import-job-report"),
    path("experts/<int:pk>/", pool.expert_edit, name="pool-expert"),
    path("experts/<int:pk>/conflicts/", pool.expert_conflict_add, name="pool-conflict-add"),
    path("conflicts/<int:pk>/remove/", pool.conflict_withdraw, name="pool-conflict-withdraw"),
    path("my-conflicts/", pool.my_conflicts, name="my-conflicts"),
    path("reviews/<int:assignment_pk>/attachments/<int:pk>/", pool.expert_attachment, name="expert-attachment"),
    path("applications/<int:pk>/reviews/", pool.item_reviews, name="item-reviews"),
    path("submitted-reviews/<int:pk>/reopen/", pool.review_reopen, name="review-reopen"),
    path("submitted-reviews/<int:pk>/withhold/", pool.review_withhold, name="review-withhold"),
    path("calls/<int:pk>/ranking/", ranking.call_ranking_page, name="call-ranking"),
    path("calls/<int:pk>/ranking.xlsx", ranking.call_ranking_xlsx, name="call-ranking-xlsx"),
    path("calls/<int:pk>/progress/", ranking.call_progress_page, name="call-progress"),
    # Expert draw and exports
    path("calls/<int:pk>/draw/", views.call_draw, name="call-draw"),
    path("draws/<int:pk>/", views.draw_detail, name="draw-detail"),
    path("applications/<int:pk>/dossier/", dossier_pages.application_dossier_page, name="application-dossier"),
    path("applications/<int:pk>/dossier.pdf", dossier_pages.application_dossier_pdf, name="application-dossier-pdf"),
    path("applications/<int:pk>/feedback.pdf", dossier_pages.application_feedback_pdf, name="application-feedback-pdf"),
    path("draws/<int:pk>/snapshot.json", views.draw_snapshot_download, name="draw-snapshot"),
    path("calls/<int:pk>/report.xlsx", views.call_report_download, name="call-report-xlsx"),
    path("finance/payment-list.xlsx", views.payment_list_download, name="payment-list-xlsx"),
    # Money: suggested funding list, live budget, report by programme, funding notice (pages/funding.py)
    path("calls/<int:pk>/suggestions/", funding_pages.call_suggestions, name="call-suggestions"),
    path("calls/<int:pk>/suggestions.xlsx", funding_pages.call_suggestions_xlsx, name="call-suggestions-xlsx"),
    path("calls/<int:pk>/suggestions/apply/", funding_pages.call_suggestions_apply, name="call-suggestions-apply"),
    path("calls/<int:pk>/budget/", funding_pages.call_budget_fragment, name="call-budget"),
    path("reports/programmes/", funding_pages.programme_report_page, name="programme-report"),
    path("figures/", figures_pages.public_figures, name="public-figures"),
    path("reports/programmes.xlsx", funding_pages.programme_report_download, name="programme-report-xlsx"),
    path("applications/<int:pk>/funding-notice.pdf", funding_pages.funding_notice_download, name="funding-notice"),
    # Staff: the audit trail (pages/audit.py)
    path("audit/", audit_pages.audit_list, name="audit"),
    path("audit.xlsx", audit_pages.audit_export, name="audit-export"),
    path("audit/verify/", audit_pages.audit_verify_page, name="audit-verify"),
    # Progress awards (pages/awards.py)
    path("awards/", awards.round_list, name="award-rounds"),
    path("awards/rounds/<int:pk>/", awards.round_detail, name="award-round"),
    path("awards/rounds/<int:pk>/nominate/", awards.nomination_create, name="award-nominate"),
    path("awards/rounds/<int:pk>/committee/", awards.committee, name="award-committee"),
    path("awards/rounds/<int:pk>/publish-notice/", awards.notice_publish, name="award-notice-publish"),
    path("awards/rounds/<int:pk>/report/", awards.report, name="award-report"),
    path("awards/rounds/<int:pk>/report.xlsx", awards.report_download, name="award-report-xlsx"),
    path("awards/notices/<int:pk>/close/", awards.notice_close, name="award-notice-close"),
    path("awards/nominations/<int:pk>/", awards.nomination_detail, name="award-nomination"),
    path("awards/nominations/<int:pk>/certificate.pdf", awards.certificate_download, name="award-certificate"),
    path("awards/nominations/<int:pk>/edit/", awards.nomination_edit, name="award-nomination-edit"),
    path("awards/nominations/<int:pk>/submit/", awards.nomination_submit, name="award-nomination-submit"),
    path(
        "awards/nominations/<int:pk>/formal-review/",
        awards.nomination_formal_review,
        name="award-nomination-formal-review",
    ),
    path("awards/nominations/<int:pk>/decide/", awards.decide, name="award-decide"),
    # Credit records (科研诚信, pages/integrity.py)
    path("credit-records/", integrity_pages.credit_records, name="credit-records"),
    path("credit-records/new/", integrity_pages.credit_record_create, name="credit-record-create"),
    path("credit-records/<int:pk>/", integrity_pages.credit_record_detail, name="credit-record"),
    path("credit-records/<int:pk>/confirm/", integrity_pages.credit_record_confirm, name="credit-record-confirm"),
    path("credit-records/<int:pk>/appeal/", integrity_pages.credit_record_appeal, name="credit-record-appeal"),
    path(
        "credit-records/<int:pk>/appeal-decision/",
        integrity_pages.credit_record_appeal_decide,
        name="credit-record-appeal-decide",
    ),
    path("applications/<int:pk>/limits-override/", integrity_pages.limits_override, name="limits-override"),
    # Higher-level calls and commissioners (pages/upward.py)
    path("upper-calls/", upward_pages.upper_call_list, name="upper-calls"),
    path("upper-calls.xlsx", upward_pages.upper_call_list_xlsx, name="upper-calls-xlsx"),
    path("upper-calls/new/", upward_pages.upper_call_create, name="upper-call-create"),
    path("upper-calls/<int:pk>/", upward_pages.upper_call_detail, name="upper-call"),
    path("upper-calls/<int:pk>/edit/", upward_pages.upper_call_edit, name="upper-call-edit"),
    path("upper-calls/<int:pk>/recommend/", upward_pages.upper_recommend, name="upper-recommend"),
    path("upper-calls/<int:pk>/summary.xlsx", upward_pages.upper_summary_xlsx, name="upper-summary-xlsx"),
    path("upper-calls/<int:pk>/letter.pdf", upward_pages.upper_letter_pdf, name="upper-letter"),
    path("upper-items/<int:pk>/to-panel/", upward_pages.upper_to_panel, name="upper-to-panel"),
    path("upper-items/<int:pk>/outcome/", upward_pages.upper_outcome, name="upper-outcome"),
    path("commissioners/", upward_pages.commissioner_list, name="commissioners"),
    path("commissioners.xlsx", upward_pages.commissioner_list_xlsx, name="commissioners-xlsx"),
    path("commissioners/new/", upward_pages.commissioner_create, name="commissioner-create"),
    path("commissioners/<int:pk>/", upward_pages.commissioner_detail, name="commissioner"),
    path("commissioners/<int:pk>/assess/", upward_pages.commissioner_assess, name="commissioner-assess"),
    path("awards/put-forward/", upward_pages.put_forward_list, name="awards-put-forward"),
    path("awards/put-forward/<int:pk>/outcome/", upward_pages.put_forward_outcome, name="award-put-forward-outcome"),
    # The public
    path("notices/", views.notices_public, name="notices"),
    path("notices/<int:pk>/", views.notice_public, name="notice"),
]
