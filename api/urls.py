from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import acceptance, accounts, awards, changes, integrity, jobs, midterm, pool, transparency, upward, views
from . import aftergrant as aftergrant_api
from . import funding as funding_api

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # People
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="api-logout"),
    path("auth/password/change/", accounts.PasswordChangeView.as_view(), name="api-password-change"),
    path("auth/password/reset/", accounts.PasswordResetView.as_view(), name="api-password-reset"),
    path("register/", views.RegisterView.as_view(), name="api-register"),
    path(
        "organisations/<int:pk>/members/",
        accounts.OrganisationMembersView.as_view(),
        name="api-organisation-members",
    ),
    path("memberships/<int:pk>/approve/", accounts.MembershipApproveView.as_view(), name="api-membership-approve"),
    path("memberships/<int:pk>/reject/", accounts.MembershipRejectView.as_view(), name="api-membership-reject"),
    path("users/", views.UserCreateView.as_view(), name="api-users"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("fields/", views.FieldListView.as_view(), name="api-fields"),
    path("experts/", views.ExpertListView.as_view(), name="api-experts"),
    path("experts/import/", pool.ExpertImportView.as_view(), name="api-experts-import"),
    path("experts/import/<int:pk>/", pool.ExpertImportJobView.as_view(), name="api-experts-import-job"),
    path("jobs/<int:pk>/", jobs.JobView.as_view(), name="api-job"),
    path("experts/<int:pk>/conflicts/", views.ExpertConflictView.as_view(), name="api-expert-conflicts"),
    # Calls
    path("programmes/", views.ProgrammeListView.as_view(), name="api-programmes"),
    path("calls/", views.CallListView.as_view(), name="api-calls"),
    path("calls/<int:pk>/", views.CallDetailView.as_view(), name="api-call"),
    path("calls/<int:pk>/close/", views.CallCloseView.as_view(), name="api-call-close"),
    path("calls/<int:pk>/ranking/", views.CallRankingView.as_view(), name="api-call-ranking"),
    path("calls/<int:pk>/notice/", views.CallNoticeView.as_view(), name="api-call-notice"),
    path(
        "calls/<int:pk>/acceptance-notice/",
        views.CallAcceptanceNoticeView.as_view(),
        name="api-call-acceptance-notice",
    ),
    path("calls/<int:pk>/draw/", views.CallDrawView.as_view(), name="api-call-draw"),
    path("draws/<int:pk>/", transparency.DrawDetailView.as_view(), name="api-draw"),
    path(
        "applications/<int:pk>/dossier/", transparency.ApplicationDossierView.as_view(), name="api-application-dossier"
    ),
    path(
        "applications/<int:pk>/feedback/",
        transparency.ApplicationFeedbackView.as_view(),
        name="api-application-feedback",
    ),
    path("draws/<int:pk>/snapshot/", transparency.DrawSnapshotView.as_view(), name="api-draw-snapshot"),
    path("draws/<int:pk>/verify/", transparency.DrawVerifyView.as_view(), name="api-draw-verify"),
    path("calls/<int:pk>/report/", views.CallReportView.as_view(), name="api-call-report"),
    path("calls/<int:pk>/report.xlsx", views.CallReportXlsxView.as_view(), name="api-call-report-xlsx"),
    path("disbursements/payment-list.xlsx", views.PaymentListXlsxView.as_view(), name="api-payment-list-xlsx"),
    # Money: suggested funding list, live budget, report by programme, funding notice (api/funding.py)
    path("calls/<int:pk>/suggestions/", funding_api.CallSuggestionsView.as_view(), name="api-call-suggestions"),
    path(
        "calls/<int:pk>/suggestions/apply/",
        funding_api.SuggestionsApplyView.as_view(),
        name="api-call-suggestions-apply",
    ),
    path("calls/<int:pk>/budget/", funding_api.CallBudgetView.as_view(), name="api-call-budget"),
    path("reports/programmes/", funding_api.ProgrammeReportView.as_view(), name="api-programme-report"),
    path("reports/programmes.xlsx", funding_api.ProgrammeReportXlsxView.as_view(), name="api-programme-report-xlsx"),
    path(
        "applications/<int:pk>/funding-notice.pdf",
        funding_api.FundingNoticePdfView.as_view(),
        name="api-funding-notice",
    ),
    # Applications
    path("applications/", views.ApplicationListView.as_view(), name="api-applications"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="api-application"),
    path("applications/<int:pk>/attachments/", views.AttachmentView.as_view(), name="api-attachments"),
    path("applications/<int:pk>/submit/", views.ApplicationSubmitView.as_view(), name="api-submit"),
    path("attachments/<int:pk>/", views.AttachmentDeleteView.as_view(), name="api-attachment"),
    path("applications/<int:pk>/formal-review/", views.FormalReviewView.as_view(), name="api-formal-review"),
    path("applications/<int:pk>/limits-override/", views.LimitsOverrideView.as_view(), name="api-limits-override"),
    path("applications/<int:pk>/assignments/", views.AssignmentAddView.as_view(), name="api-assignment-add"),
    path("applications/<int:pk>/start-review/", views.StartReviewView.as_view(), name="api-start-review"),
    path("applications/<int:pk>/terminate/", views.TerminateView.as_view(), name="api-terminate"),
    path("applications/<int:pk>/decision/", views.DecisionView.as_view(), name="api-decision"),
    path("applications/<int:pk>/contract/", aftergrant_api.ContractView.as_view(), name="api-contract"),
    path(
        "applications/<int:pk>/contract-check/", aftergrant_api.ContractCheckView.as_view(), name="api-contract-check"
    ),
    path("applications/<int:pk>/contract.pdf", aftergrant_api.ContractPdfView.as_view(), name="api-contract-pdf"),
    path(
        "applications/<int:pk>/acceptance-certificate.pdf",
        aftergrant_api.AcceptanceCertificateView.as_view(),
        name="api-acceptance-certificate",
    ),
    # Acceptance (验收, api/acceptance.py)
    path("applications/<int:pk>/acceptance/", acceptance.AcceptanceView.as_view(), name="api-acceptance"),
    path(
        "applications/<int:pk>/acceptance-check/",
        acceptance.AcceptanceCheckView.as_view(),
        name="api-acceptance-check",
    ),
    path("applications/<int:pk>/acceptance-draw/", acceptance.AcceptanceDrawView.as_view(), name="api-acceptance-draw"),
    path(
        "applications/<int:pk>/acceptance-decision/",
        acceptance.AcceptanceDecisionView.as_view(),
        name="api-acceptance-decision",
    ),
    # Change requests (项目变更, api/changes.py)
    path("applications/<int:pk>/changes/", changes.ApplicationChangesView.as_view(), name="api-application-changes"),
    path("changes/<int:pk>/", changes.ChangeDetailView.as_view(), name="api-change"),
    path("changes/<int:pk>/decide/", changes.ChangeDecideView.as_view(), name="api-change-decide"),
    # The mid-term check (api/midterm.py)
    path("applications/<int:pk>/midterm/", midterm.MidtermListView.as_view(), name="api-midterm"),
    path("applications/<int:pk>/midterm-report/", midterm.MidtermReportView.as_view(), name="api-midterm-report"),
    path(
        "applications/<int:pk>/midterm-decision/",
        midterm.MidtermDecisionView.as_view(),
        name="api-midterm-decision",
    ),
    # Awards: a round is a call, a nomination an application (api/awards.py)
    path("award-rounds/", awards.AwardRoundListView.as_view(), name="api-award-rounds"),
    path("award-rounds/<int:pk>/", awards.AwardRoundDetailView.as_view(), name="api-award-round"),
    path("award-rounds/<int:pk>/draw/", awards.AwardRoundDrawView.as_view(), name="api-award-round-draw"),
    path("award-rounds/<int:pk>/ranking/", awards.AwardRoundRankingView.as_view(), name="api-award-round-ranking"),
    path("award-rounds/<int:pk>/notice/", awards.AwardRoundNoticeView.as_view(), name="api-award-round-notice"),
    path("award-rounds/<int:pk>/report/", awards.AwardRoundReportView.as_view(), name="api-award-round-report"),
    path(
        "award-rounds/<int:pk>/report.xlsx",
        awards.AwardRoundReportXlsxView.as_view(),
        name="api-award-round-report-xlsx",
    ),
    path("nominations/", awards.NominationListView.as_view(), name="api-nominations"),
    path("nominations/<int:pk>/", awards.NominationDetailView.as_view(), name="api-nomination"),
    path(
        "nominations/<int:pk>/attachments/",
        awards.NominationAttachmentView.as_view(),
        name="api-nomination-attachments",
    ),
    path("nominations/<int:pk>/submit/", awards.NominationSubmitView.as_view(), name="api-nomination-submit"),
    path(
        "nominations/<int:pk>/formal-review/",
        awards.NominationFormalReviewView.as_view(),
        name="api-nomination-formal-review",
    ),
    path("nominations/<int:pk>/decision/", awards.NominationDecisionView.as_view(), name="api-nomination-decision"),
    path(
        "nominations/<int:pk>/certificate.pdf",
        awards.NominationCertificateView.as_view(),
        name="api-nomination-certificate",
    ),
    # Expert review
    path("assignments/", views.AssignmentListView.as_view(), name="api-assignments"),
    path("assignments/<int:pk>/accept/", views.AssignmentAcceptView.as_view(), name="api-assignment-accept"),
    path("assignments/<int:pk>/decline/", views.AssignmentDeclineView.as_view(), name="api-assignment-decline"),
    path("assignments/<int:pk>/review/", views.ReviewSubmitView.as_view(), name="api-review"),
    path("reviews/<int:pk>/reopen/", pool.ReviewReopenView.as_view(), name="api-review-reopen"),
    path("reviews/<int:pk>/withhold/", pool.ReviewWithholdView.as_view(), name="api-review-withhold"),
    # Credit records (科研诚信, api/integrity.py)
    path("credit-records/", integrity.CreditRecordListView.as_view(), name="api-credit-records"),
    path(
        "credit-records/<int:pk>/confirm/",
        integrity.CreditRecordConfirmView.as_view(),
        name="api-credit-record-confirm",
    ),
    path(
        "credit-records/<int:pk>/appeal/", integrity.CreditRecordAppealView.as_view(), name="api-credit-record-appeal"
    ),
    path(
        "credit-records/<int:pk>/appeal-decision/",
        integrity.CreditRecordAppealDecisionView.as_view(),
        name="api-credit-record-appeal-decision",
    ),
    # Notices and objections
    path("notices/", views.NoticeListView.as_view(), name="api-notices"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="api-notice"),
    path("notices/<int:pk>/objections/", views.ObjectionFileView.as_view(), name="api-objections"),
    path("notices/<int:pk>/close/", views.NoticeCloseView.as_view(), name="api-notice-close"),
    path("objections/<int:pk>/resolve/", views.ObjectionResolveView.as_view(), name="api-objection-resolve"),
    path("objections/dismiss/", views.ObjectionsDismissView.as_view(), name="api-objections-dismiss"),
    # Money
    path("disbursements/", views.DisbursementListView.as_view(), name="api-disbursements"),
    path("disbursements/<int:pk>/approve/", views.DisbursementApproveView.as_view(), name="api-disbursement-approve"),
    path("disbursements/<int:pk>/reject/", views.DisbursementRejectView.as_view(), name="api-disbursement-reject"),
    path("disbursements/<int:pk>/pay/", views.DisbursementPayView.as_view(), name="api-disbursement-pay"),
    path(
        "disbursements/<int:pk>/resubmit/",
        views.DisbursementResubmitView.as_view(),
        name="api-disbursement-resubmit",
    ),
    # Higher-level calls, awards put forward and commissioners (api/upward.py)
    path("upper-calls/", upward.UpperCallListView.as_view(), name="api-upper-calls"),
    path("upper-calls/<int:pk>/", upward.UpperCallDetailView.as_view(), name="api-upper-call"),
    path("upper-calls/<int:pk>/recommend/", upward.UpperRecommendView.as_view(), name="api-upper-recommend"),
    path("upper-calls/<int:pk>/summary.xlsx", upward.UpperSummaryXlsxView.as_view(), name="api-upper-summary-xlsx"),
    path("upper-calls/<int:pk>/letter.pdf", upward.UpperLetterPdfView.as_view(), name="api-upper-letter"),
    path("applications/<int:pk>/to-panel/", upward.UpperToPanelView.as_view(), name="api-upper-to-panel"),
    path("applications/<int:pk>/upper-outcome/", upward.UpperOutcomeView.as_view(), name="api-upper-outcome"),
    path(
        "applications/<int:pk>/commissioner/",
        upward.CommissionerProjectView.as_view(),
        name="api-commissioner-project",
    ),
    path("applications/<int:pk>/upper-followup/", upward.UpperFollowupView.as_view(), name="api-upper-followup"),
    path(
        "applications/<int:pk>/upper-milestones/", upward.UpperMilestoneListView.as_view(), name="api-upper-milestones"
    ),
    path("applications/<int:pk>/upper-acceptance/", upward.UpperAcceptanceView.as_view(), name="api-upper-acceptance"),
    path("upper-milestones/<int:pk>/done/", upward.UpperMilestoneDoneView.as_view(), name="api-upper-milestone-done"),
    path("upper-projects/", upward.UpperProjectListView.as_view(), name="api-upper-projects"),
    path("reports/upper/", upward.UpperReportView.as_view(), name="api-upper-report"),
    path("commissioners/", upward.CommissionerListView.as_view(), name="api-commissioners"),
    path("commissioners/<int:pk>/", upward.CommissionerDetailView.as_view(), name="api-commissioner"),
    path("commissioners/townships/", upward.TownshipListView.as_view(), name="api-townships"),
    path(
        "commissioners/<int:pk>/assessments/",
        upward.CommissionerAssessmentView.as_view(),
        name="api-commissioner-assessments",
    ),
    path("awards-put-forward/", upward.PutForwardListView.as_view(), name="api-awards-put-forward"),
    path(
        "awards-put-forward/<int:pk>/outcome/",
        upward.PutForwardOutcomeView.as_view(),
        name="api-award-put-forward-outcome",
    ),
    # Notifications
    path("notifications/", views.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="api-notification-read"),
]
