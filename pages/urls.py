"""The web UI: server-rendered pages for each role, calling ``workflow.steps``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    # Applicants
    path("calls/<int:call_pk>/apply/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/contract/", views.contract_sign, name="contract-sign"),
    path("applications/<int:pk>/acceptance/", views.acceptance_submit, name="acceptance-submit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    # Bureau staff
    path("applications/<int:pk>/formal-review/", views.formal_review, name="formal-review"),
    path("applications/<int:pk>/assign/", views.assign_expert, name="assign-expert"),
    path("applications/<int:pk>/start-review/", views.start_review, name="start-review"),
    path("applications/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("applications/<int:pk>/acceptance-decision/", views.acceptance_decide, name="acceptance-decide"),
    path("assignments/<int:pk>/close-slot/", views.review_slot_close, name="review-slot-close"),
    path("calls/<int:pk>/", views.call_detail, name="call-detail"),
    path("calls/<int:pk>/publish-notice/", views.notice_publish, name="notice-publish"),
    path("notices/<int:pk>/close/", views.notice_close, name="notice-close"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection-resolve"),
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
    # Everyone: the in-app inbox; staff: delivery state of every notification
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox-read"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox-resend"),
    # Expert draw and exports
    path("calls/<int:pk>/draw/", views.call_draw, name="call-draw"),
    path("draws/<int:pk>/", views.draw_detail, name="draw-detail"),
    path("calls/<int:pk>/report.xlsx", views.call_report_download, name="call-report-xlsx"),
    path("finance/payment-list.xlsx", views.payment_list_download, name="payment-list-xlsx"),
    # The public
    path("notices/<int:pk>/", views.notice_public, name="notice"),
]
