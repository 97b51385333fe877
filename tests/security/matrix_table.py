"""THE permission matrix: every route × every persona × every state → the expected answer.

One row per (method, route, object kind). Each grid line gives the answers of the personas in
the order of the header below; ``"*"`` is the line for every state not listed, the other keys
name a state of the object (see tests/security/world.py; ``missing`` is an id that does not
exist). A POST is sent with an empty body: an allowed caller therefore gets past the role and
visibility checks to the validation (400 / a form shown again: 200) or the state check (409).

Answers: 200 etc. are HTTP statuses; LOG = a page sends the visitor to the login page.
A route the resolver knows with no row here fails ``test_every_route_has_a_row``.
"""

# fmt: off
#            anon own oth nom exp unx cfx stf pnl  fo  fh
HEADER = (
    "anonymous", "owner", "other_applicant", "nominator", "expert", "unassigned_expert",
    "conflicted_expert", "staff", "panel", "finance_officer", "finance_head",
)

MATRIX: dict[tuple[str, str, str | None], dict[str, str]] = {
    ("GET", "", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "figures/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "audit/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "audit.xlsx", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "audit/verify/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "audit/verify/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "accounts/login/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "accounts/logout/", None): {
        "*": "LOG 302 302 302 302 302 302 302 302 302 302",
    },
    ("GET", "accounts/password/change/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "accounts/password/change/done/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "accounts/password/reset/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "accounts/password/reset/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "accounts/password/reset/sent/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "accounts/password/reset/done/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    # A made-up link: every visitor sees "this link no longer works".
    ("GET", "accounts/password/reset/<uidb64>/<token>/", "account"): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "accounts/invitation/<uidb64>/<token>/", "account"): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "accounts/reauth/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "api/applications/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/applications/", None): {
        "*": "401 400 400 400 403 403 403 403 403 403 403",
    },
    ("GET", "api/applications/<int:pk>/", "application"): {
        "*": "401 200 404 404 404 404 404 200 200 200 200",
        "draft": "401 200 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/acceptance-decision/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/acceptance/", "application"): {
        "*": "401 400 400 400 403 403 403 403 403 403 403",
    },
    ("GET", "api/applications/<int:pk>/acceptance/", "application"): {
        "*": "401 200 404 404 404 404 404 200 200 200 200",
        "draft": "401 200 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/acceptance-check/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/acceptance-draw/", "application"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/applications/<int:pk>/midterm/", "application"): {
        "*": "401 200 404 404 404 404 404 200 200 200 200",
        "draft": "401 200 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/midterm-decision/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/midterm-report/", "application"): {
        "*": "401 400 400 400 403 403 403 403 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/assignments/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/attachments/", "application"): {
        "*": "401 415 404 404 404 404 404 415 415 415 415",
        "draft": "401 415 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/contract/", "application"): {
        "*": "401 400 400 400 403 403 403 403 403 403 403",
    },
    # The task contract in force: its applicant, staff, panel and finance (issue 16.1).
    ("GET", "api/applications/<int:pk>/contract/", "application"): {
        "*": "401 404 404 404 404 404 404 404 404 404 404",
        "contracted": "401 200 404 404 404 404 404 200 200 200 200",
    },
    ("POST", "api/applications/<int:pk>/contract-check/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/applications/<int:pk>/contract.pdf", "application"): {
        "*": "401 409 404 404 404 404 404 409 409 409 409",
        "draft": "401 409 404 404 404 404 404 404 404 404 404",
        "contracted": "401 200 404 404 404 404 404 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/applications/<int:pk>/acceptance-certificate.pdf", "application"): {
        "*": "401 409 404 404 404 404 404 409 409 409 409",
        "draft": "401 409 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/decision/", "application"): {
        "*": "401 403 403 403 403 403 403 403 400 403 403",
    },
    ("POST", "api/applications/<int:pk>/formal-review/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/applications/<int:pk>/dossier/", "application"): {
        "*": "401 409 404 404 404 404 404 200 200 200 200",
        "draft": "401 409 404 404 404 404 404 404 404 404 404",
        "contracted": "401 200 404 404 404 404 404 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/applications/<int:pk>/feedback/", "application"): {
        "*": "401 409 404 404 404 404 404 404 404 404 404",
        "contracted": "401 200 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/applications/<int:pk>/funding-notice.pdf", "application"): {
        "*": "401 409 404 404 404 404 404 409 409 409 409",
        "draft": "401 409 404 404 404 404 404 404 404 404 404",
        "contracted": "401 200 404 404 404 404 404 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/start-review/", "application"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/submit/", "application"): {
        "*": "401 409 404 404 404 404 404 409 409 409 409",
        "draft": "401 400 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/terminate/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/assignments/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/assignments/<int:pk>/accept/", "assignment"): {
        "*": "401 404 404 404 400 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/assignments/<int:pk>/decline/", "assignment"): {
        "*": "401 404 404 404 400 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/assignments/<int:pk>/review/", "assignment"): {
        "*": "401 404 404 404 400 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/auth/logout/", None): {
        "*": "401 204 204 204 204 204 204 204 204 204 204",
    },
    ("POST", "api/auth/password/change/", None): {
        "*": "401 400 400 400 400 400 400 400 400 400 400",
    },
    ("POST", "api/auth/password/reset/", None): {
        "*": "400 400 400 400 400 400 400 400 400 400 400",
    },
    ("POST", "api/auth/token/", None): {
        "*": "400 400 400 400 400 400 400 400 400 400 400",
    },
    ("GET", "api/award-rounds/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/award-rounds/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/award-rounds/<int:pk>/", "award_round"): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/award-rounds/<int:pk>/draw/", "award_round"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/award-rounds/<int:pk>/notice/", "award_round"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/award-rounds/<int:pk>/ranking/", "award_round"): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
        "missing": "401 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "api/award-rounds/<int:pk>/report.xlsx", "award_round"): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
        "missing": "401 403 403 403 403 403 403 404 404 404 404",
    },
    ("GET", "api/award-rounds/<int:pk>/report/", "award_round"): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
        "missing": "401 403 403 403 403 403 403 404 404 404 404",
    },
    ("GET", "api/calls/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/calls/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/calls/<int:pk>/", "call"): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/calls/<int:pk>/budget/", "call"): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
        "missing": "401 403 403 403 403 403 403 404 404 404 404",
    },
    ("POST", "api/calls/<int:pk>/close/", "call"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/calls/<int:pk>/draw/", "call"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "noticed": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/draws/<int:pk>/", "draw"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/draws/<int:pk>/snapshot/", "draw"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/draws/<int:pk>/verify/", "draw"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/calls/<int:pk>/notice/", "call"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/calls/<int:pk>/acceptance-notice/", "call"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/calls/<int:pk>/ranking/", "call"): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
        "missing": "401 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "api/calls/<int:pk>/report.xlsx", "call"): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
        "missing": "401 403 403 403 403 403 403 404 404 404 404",
    },
    ("GET", "api/calls/<int:pk>/report/", "call"): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
        "missing": "401 403 403 403 403 403 403 404 404 404 404",
    },
    ("GET", "api/calls/<int:pk>/suggestions/", "call"): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
        "missing": "401 403 403 403 403 403 403 404 404 403 403",
    },
    ("POST", "api/calls/<int:pk>/suggestions/apply/", "call"): {
        "*": "401 403 403 403 403 403 403 403 400 403 403",
        "missing": "401 403 403 403 403 403 403 403 404 403 403",
    },
    ("GET", "api/disbursements/", None): {
        "*": "401 403 403 403 403 403 403 200 403 200 200",
    },
    ("POST", "api/disbursements/<int:pk>/approve/", "disbursement"): {
        "*": "401 403 403 403 403 403 403 403 403 200 403",
        "missing": "401 403 403 403 403 403 403 403 403 404 404",
    },
    ("POST", "api/disbursements/<int:pk>/pay/", "disbursement"): {
        "*": "401 403 403 403 403 403 403 403 403 400 400",
        "missing": "401 403 403 403 403 403 403 403 403 404 404",
    },
    ("POST", "api/disbursements/<int:pk>/reject/", "disbursement"): {
        "*": "401 403 403 403 403 403 403 403 403 400 400",
        "missing": "401 403 403 403 403 403 403 403 403 404 404",
    },
    ("POST", "api/disbursements/<int:pk>/resubmit/", "disbursement"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/disbursements/payment-list.xlsx", None): {
        "*": "401 403 403 403 403 403 403 403 403 200 200",
    },
    ("GET", "api/docs/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/experts/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/experts/", None): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "api/fields/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/fields/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("DELETE", "api/attachments/<int:pk>/", "attachment"): {
        "*": "401 409 404 404 404 404 404 404 404 404 404",
        "draft": "401 204 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/experts/<int:pk>/conflicts/", "expert"): {
        "*": "401 404 404 404 400 404 404 400 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/experts/import/", None): {
        "*": "401 403 403 403 403 403 403 415 403 403 403",
    },
    ("GET", "api/experts/import/<int:pk>/", "import_job"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/jobs/<int:pk>/", "import_job"): {
        "*": "401 404 404 404 404 404 404 200 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/me/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "api/nominations/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/nominations/", None): {
        "*": "401 400 400 400 403 403 403 403 403 403 403",
    },
    ("GET", "api/nominations/<int:pk>/", "nomination"): {
        "*": "401 404 404 200 404 404 404 200 200 200 200",
        "draft": "401 404 404 200 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/nominations/<int:pk>/certificate.pdf", "nomination"): {
        # No nomination of the world has its notice closed yet: no certificate (409).
        "*": "401 404 404 409 404 404 404 409 409 409 409",
        "draft": "401 404 404 409 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/nominations/<int:pk>/attachments/", "nomination"): {
        "*": "401 404 404 415 404 404 404 415 415 415 415",
        "draft": "401 404 404 415 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/nominations/<int:pk>/decision/", "nomination"): {
        "*": "401 403 403 403 403 403 403 403 400 403 403",
    },
    ("POST", "api/nominations/<int:pk>/formal-review/", "nomination"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/nominations/<int:pk>/submit/", "nomination"): {
        "*": "401 404 404 409 404 404 404 409 409 409 409",
        "draft": "401 404 404 200 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/notices/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "api/notices/<int:pk>/", "notice"): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
        "missing": "404 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/notices/<int:pk>/close/", "notice"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        # Every notice of the world still runs (or has closed): nobody closes one before its
        # ends_at, staff included (issue 14.5).
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/notices/<int:pk>/objections/", "notice"): {
        "*": "400 400 400 400 400 400 400 400 400 400 400",
        "missing": "404 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/notifications/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/notifications/read-all/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/notifications/<int:pk>/read/", "notification"): {
        "*": "401 200 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/objections/dismiss/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/objections/<int:pk>/resolve/", "objection"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    # The owner and the conflicted expert act for the owner's organisation; the newcomer waits.
    ("GET", "api/organisations/<int:pk>/members/", "organisation"): {
        "*": "401 200 404 404 404 404 200 200 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/memberships/<int:pk>/approve/", "membership"): {
        "*": "401 200 404 404 404 404 200 200 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/memberships/<int:pk>/reject/", "membership"): {
        "*": "401 200 404 404 404 404 200 200 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "api/programmes/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/programmes/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/register/", None): {
        "*": "400 400 400 400 400 400 400 400 400 400 400",
    },
    ("GET", "api/reports/programmes.xlsx", None): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
    },
    ("GET", "api/reports/programmes/", None): {
        "*": "401 403 403 403 403 403 403 200 200 200 200",
    },
    ("POST", "api/reviews/<int:pk>/reopen/", "review"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/reviews/<int:pk>/withhold/", "review"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/schema/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/users/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "applications/<int:pk>/", "application"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/acceptance-decision/", "application"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/acceptance/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/acceptance/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/acceptance/documents/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/acceptance/check/", "application"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/acceptance/check/", "application"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/acceptance/draw/", "application"): {
        "*": "LOG 404 404 404 404 404 404 302 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/midterm/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/midterm/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/midterm/check/", "application"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/midterm/check/", "application"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/assign/", "application"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/attachments/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/contract/", "application"): {
        "*": "LOG 302 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    # The applicant's contract form: back to the application page unless the step is open.
    ("GET", "applications/<int:pk>/contract/", "application"): {
        "*": "LOG 302 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/contract-check/", "application"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/contract.pdf", "application"): {
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
        "contracted": "LOG 200 404 404 404 404 404 200 200 200 200",
    },
    ("GET", "applications/<int:pk>/acceptance-certificate.pdf", "application"): {
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "projects/<int:pk>/", "application"): {
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
        "contracted": "LOG 200 404 404 404 404 404 200 200 200 200",
    },
    ("GET", "projects/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "applications/<int:pk>/decide/", "application"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/edit/", "application"): {
        "*": "LOG 302 404 404 404 404 404 404 404 404 404",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/formal-review/", "application"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/dossier/", "application"): {
        "*": "LOG 409 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 409 404 404 404 404 404 404 404 404 404",
        "contracted": "LOG 200 404 404 404 404 404 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/dossier.pdf", "application"): {
        "*": "LOG 409 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 409 404 404 404 404 404 404 404 404 404",
        "contracted": "LOG 200 404 404 404 404 404 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/feedback.pdf", "application"): {
        "*": "LOG 409 404 404 404 404 404 404 404 404 404",
        "contracted": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "applications/<int:pk>/funding-notice.pdf", "application"): {
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
        "contracted": "LOG 200 404 404 404 404 404 200 200 200 200",
    },
    ("GET", "applications/<int:pk>/reviews/", "application"): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    ("POST", "applications/<int:pk>/start-review/", "application"): {
        "*": "LOG 403 404 404 404 404 404 302 403 403 403",
        "draft": "LOG 403 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/submit/", "application"): {
        "*": "LOG 302 404 404 404 404 404 404 404 404 404",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/terminate/", "application"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "assignments/<int:pk>/close-slot/", "assignment"): {
        "*": "LOG 404 404 404 404 404 404 302 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "assignments/<int:pk>/redraw/", "assignment"): {
        "*": "LOG 404 404 404 404 404 404 302 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "attachments/<int:pk>/", "attachment"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "draft": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "awards/nominations/<int:pk>/", "nomination"): {
        "*": "LOG 404 404 200 404 404 404 200 200 200 200",
        "draft": "LOG 404 404 200 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/nominations/<int:pk>/certificate.pdf", "nomination"): {
        # No nomination of the world is granted yet: tests/awards/test_award_certificate.py
        # downloads a granted one's.
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "awards/nominations/<int:pk>/decide/", "nomination"): {
        "*": "LOG 404 404 404 404 404 404 404 302 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/nominations/<int:pk>/edit/", "nomination"): {
        "*": "LOG 404 404 200 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "awards/nominations/<int:pk>/formal-review/", "nomination"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "draft": "LOG 404 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "awards/nominations/<int:pk>/submit/", "nomination"): {
        "*": "LOG 404 404 302 404 404 404 302 302 302 302",
        "draft": "LOG 404 404 302 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "awards/notices/<int:pk>/close/", "notice"): {
        # Plan-project notices are not the award page's: 404 for them.
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
        "award": "LOG 403 403 403 403 403 403 302 403 403 403",
    },
    # Staff set up award rounds (pages/calls.py): an open round is read-only, a change 409.
    ("GET", "awards/rounds/new/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "awards/rounds/new/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/copy/", "award_round"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/edit/", "award_round"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "awards/rounds/<int:pk>/edit/", "award_round"): {
        "*": "LOG 404 404 404 404 404 404 409 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/", "award_round"): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/committee/", "award_round"): {
        "*": "LOG 404 404 404 404 404 404 200 200 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/nominate/", "award_round"): {
        "*": "LOG 200 200 200 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "awards/rounds/<int:pk>/publish-notice/", "award_round"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/report.xlsx", "award_round"): {
        "*": "LOG 404 404 404 404 404 404 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "awards/rounds/<int:pk>/report/", "award_round"): {
        "*": "LOG 404 404 404 404 404 404 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    # Staff set up programmes and calls (pages/calls.py): the world's calls are open, so read-only.
    ("GET", "calls/new/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "calls/new/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "calls/<int:pk>/copy/", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/edit/", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "calls/<int:pk>/edit/", "call"): {
        "*": "LOG 404 404 404 404 404 404 409 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "programmes/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "programmes/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "calls/<int:call_pk>/apply/", "call"): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 200 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/budget/", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 200 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "calls/<int:pk>/draw/", "call"): {
        "*": "LOG 404 404 404 404 404 404 302 404 404 404",
        "noticed": "LOG 404 404 404 404 404 404 302 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/progress/", "call"): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    ("POST", "calls/<int:pk>/publish-notice/", "call"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "calls/<int:pk>/publish-acceptance-notice/", "call"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/ranking.xlsx", "call"): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "calls/<int:pk>/ranking/", "call"): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "calls/<int:pk>/report.xlsx", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/suggestions.xlsx", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 200 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "calls/<int:pk>/suggestions/", "call"): {
        "*": "LOG 404 404 404 404 404 404 200 200 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "calls/<int:pk>/suggestions/apply/", "call"): {
        "*": "LOG 404 404 404 404 404 404 403 302 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "conflicts/<int:pk>/remove/", "conflict"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "disbursements/<int:pk>/approve/", "disbursement"): {
        "*": "LOG 404 404 404 404 404 404 404 404 302 403",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "disbursements/<int:pk>/pay/", "disbursement"): {
        "*": "LOG 404 404 404 404 404 404 404 404 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "disbursements/<int:pk>/reject/", "disbursement"): {
        "*": "LOG 404 404 404 404 404 404 404 404 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "disbursements/<int:pk>/resubmit/", "disbursement"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "draws/<int:pk>/", "draw"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "draws/<int:pk>/snapshot.json", "draw"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "fields/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("POST", "fields/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "fields/<int:pk>/", "field"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "fields/<int:pk>/", "field"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "attachments/<int:pk>/delete/", "attachment"): {
        "*": "LOG 302 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "experts/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "experts/<int:pk>/", "expert"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "experts/<int:pk>/conflicts/", "expert"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "experts/export.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "experts/import/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "experts/import/report.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "experts/import/<int:pk>/", "import_job"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "experts/import/<int:pk>/report.xlsx", "import_job"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "running": "LOG 403 403 403 403 403 403 404 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "experts/import/template.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "jobs/<int:pk>/", "import_job"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "experts/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "finance/", None): {
        "*": "LOG 404 404 404 404 404 404 404 404 200 200",
    },
    ("GET", "finance/payment-list.xlsx", None): {
        "*": "LOG 404 404 404 404 404 404 404 404 200 200",
    },
    ("GET", "i18n/setlang/", None): {
        "*": "302 302 302 302 302 302 302 302 302 302 302",
    },
    ("GET", "inbox/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "inbox/read-all/", None): {
        "*": "LOG 302 302 302 302 302 302 302 302 302 302",
    },
    ("POST", "inbox/<int:pk>/read/", "notification"): {
        "*": "LOG 302 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "inbox/preferences/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "inbox/preferences/", None): {
        "*": "LOG 302 302 302 302 302 302 302 302 302 302",
    },
    ("GET", "my-conflicts/", None): {
        "*": "LOG 403 403 403 200 200 200 403 403 403 403",
    },
    ("GET", "notices/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "notices/<int:pk>/", "notice"): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
        "missing": "404 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "notices/<int:pk>/close/", "notice"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "objections/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "objections/dismiss/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "objections/<int:pk>/resolve/", "objection"): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "outbox/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "outbox/<int:pk>/resend/", "notification"): {
        "*": "LOG 404 404 404 404 404 404 302 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "people/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "memberships/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "memberships/<int:pk>/approve/", "membership"): {
        "*": "LOG 302 404 404 404 404 302 302 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "memberships/<int:pk>/reject/", "membership"): {
        "*": "LOG 302 404 404 404 404 302 302 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "register/", None): {
        "*": "200 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "reports/programmes.xlsx", None): {
        "*": "LOG 404 404 404 404 404 404 200 200 200 200",
    },
    ("GET", "reports/programmes/", None): {
        "*": "LOG 404 404 404 404 404 404 200 200 200 200",
    },
    ("GET", "reviews/", None): {
        "*": "LOG 404 404 404 200 200 200 404 404 404 404",
    },
    ("GET", "reviews/<int:assignment_pk>/attachments/<int:pk>/", "assignment"): {
        "*": "LOG 404 404 404 404 404 404 404 404 404 404",
        "reviewed": "LOG 404 404 404 200 404 404 404 404 404 404",
    },
    ("GET", "reviews/<int:pk>/", "assignment"): {
        "*": "LOG 404 404 404 200 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "reviews/<int:pk>/accept/", "assignment"): {
        "*": "LOG 404 404 404 200 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "reviews/<int:pk>/decline/", "assignment"): {
        "*": "LOG 404 404 404 200 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "reviews/<int:pk>/score/", "assignment"): {
        "*": "LOG 404 404 404 200 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "midterm/overdue/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "reviews/overdue/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("POST", "submitted-reviews/<int:pk>/withhold/", "review"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "submitted-reviews/<int:pk>/reopen/", "review"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    # Credit records (科研诚信): staff keep them; the subject (the owner's organisation) reads the
    # confirmed one and may appeal it (the conflicted expert works there too); the one who
    # recorded a record may not confirm it.
    ("GET", "api/credit-records/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/credit-records/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/credit-records/<int:pk>/confirm/", "credit_record"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "pending": "401 403 403 403 403 403 403 403 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/credit-records/<int:pk>/appeal/", "credit_record"): {
        "*": "401 400 404 404 404 404 400 403 404 404 404",
        "pending": "401 404 404 404 404 404 404 403 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/credit-records/<int:pk>/appeal-decision/", "credit_record"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "credit-records/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "credit-records/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("POST", "credit-records/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "credit-records/<int:pk>/", "credit_record"): {
        "*": "LOG 200 404 404 404 404 200 200 404 404 404",
        "pending": "LOG 404 404 404 404 404 404 200 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "credit-records/<int:pk>/confirm/", "credit_record"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "pending": "LOG 403 403 403 403 403 403 403 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "credit-records/<int:pk>/appeal/", "credit_record"): {
        "*": "LOG 302 404 404 404 404 302 403 404 404 404",
        "pending": "LOG 404 404 404 404 404 404 403 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "credit-records/<int:pk>/appeal-decision/", "credit_record"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    # Limits (限项): staff override them for one application, a draft included (by its number).
    ("POST", "api/applications/<int:pk>/limits-override/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "applications/<int:pk>/limits-override/", "application"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "applications/<int:pk>/limits-override/", "application"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    # Change requests (项目变更, issue 16.3): the applicant asks; the chain's next person decides.
    ("GET", "api/applications/<int:pk>/changes/", "application"): {
        "*": "401 200 404 404 404 404 404 200 200 200 200",
        "draft": "401 200 404 404 404 404 404 404 404 404 404",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/changes/", "application"): {
        "*": "401 400 400 400 403 403 403 403 403 403 403",
    },
    ("GET", "api/changes/<int:pk>/", "change"): {
        "*": "401 200 404 404 404 404 404 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/changes/<int:pk>/decide/", "change"): {
        "*": "401 403 403 403 403 403 403 400 400 403 400",
        "missing": "401 403 403 403 403 403 403 404 404 403 404",
    },
    ("GET", "applications/<int:pk>/changes/new/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "applications/<int:pk>/changes/new/", "application"): {
        "*": "LOG 200 404 404 404 404 404 404 404 404 404",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "changes/", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "changes/export.xlsx", None): {
        "*": "LOG 404 404 404 404 404 404 200 404 404 404",
    },
    ("GET", "changes/<int:pk>/", "change"): {
        "*": "LOG 200 404 404 404 404 404 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    # The extension waits for staff: everyone else who sees it is refused (403).
    ("POST", "changes/<int:pk>/decide/", "change"): {
        "*": "LOG 403 404 404 404 404 404 200 403 403 403",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    # --- the county's upward work (issue 20): higher-level calls, commissioners ---------------
    ("GET", "api/upper-calls/", None): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
    },
    ("POST", "api/upper-calls/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/upper-calls/<int:pk>/", "upper_call"): {
        "*": "401 200 200 200 200 200 200 200 200 200 200",
        "missing": "401 404 404 404 404 404 404 404 404 404 404",
    },
    # An empty call: nothing reviewed waits for the panel (409).
    ("POST", "api/upper-calls/<int:pk>/recommend/", "upper_call"): {
        "*": "401 403 403 403 403 403 403 403 400 403 403",
        "missing": "401 403 403 403 403 403 403 403 404 403 403",
    },
    ("GET", "api/upper-calls/<int:pk>/summary.xlsx", "upper_call"): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
        "missing": "401 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "api/upper-calls/<int:pk>/letter.pdf", "upper_call"): {
        "*": "401 403 403 403 403 403 403 200 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    # The world's applications are plan items: their process has no such step (409).
    ("POST", "api/applications/<int:pk>/to-panel/", "application"): {
        "*": "401 403 403 403 403 403 403 409 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/upper-outcome/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/commissioner/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    # The world's applications are plan items: none has an upward follow-up (404 to all).
    ("GET", "api/applications/<int:pk>/upper-followup/", "application"): {
        "*": "401 404 404 404 404 404 404 404 404 404 404",
    },
    ("POST", "api/applications/<int:pk>/upper-milestones/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/applications/<int:pk>/upper-acceptance/", "application"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "draft": "401 403 403 403 403 403 403 404 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "api/upper-milestones/<int:pk>/done/", "upper_milestone"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/upper-projects/", None): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
    },
    # Without ?year= the report asks for it (400).
    ("GET", "api/reports/upper/", None): {
        "*": "401 403 403 403 403 403 403 400 400 400 400",
    },
    ("GET", "api/commissioners/", None): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
    },
    ("POST", "api/commissioners/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("GET", "api/commissioners/<int:pk>/", "commissioner"): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
        "missing": "401 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "api/commissioners/townships/", None): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
    },
    ("POST", "api/commissioners/<int:pk>/assessments/", "commissioner"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "api/awards-put-forward/", None): {
        "*": "401 403 403 403 403 403 403 200 200 403 403",
    },
    ("POST", "api/awards-put-forward/", None): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
    },
    ("POST", "api/awards-put-forward/<int:pk>/outcome/", "put_forward"): {
        "*": "401 403 403 403 403 403 403 400 403 403 403",
        "missing": "401 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "upper-calls/", None): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
    },
    ("GET", "upper-calls.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("GET", "upper-calls/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("POST", "upper-calls/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "upper-calls/<int:pk>/", "upper_call"): {
        "*": "LOG 200 200 200 200 200 200 200 200 200 200",
        "missing": "LOG 404 404 404 404 404 404 404 404 404 404",
    },
    ("GET", "upper-calls/<int:pk>/edit/", "upper_call"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "upper-calls/<int:pk>/edit/", "upper_call"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "upper-calls/<int:pk>/recommend/", "upper_call"): {
        "*": "LOG 403 403 403 403 403 403 403 302 403 403",
        "missing": "LOG 403 403 403 403 403 403 403 404 403 403",
    },
    ("GET", "upper-calls/<int:pk>/summary.xlsx", "upper_call"): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    ("GET", "upper-calls/<int:pk>/letter.pdf", "upper_call"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    # The world's applications are plan items, not items of a higher-level call: 404 to staff.
    ("POST", "upper-items/<int:pk>/to-panel/", "application"): {
        "*": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "upper-items/<int:pk>/outcome/", "application"): {
        "*": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "upper-items/<int:pk>/outcome/", "application"): {
        "*": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "upper-items/<int:pk>/milestones/", "application"): {
        "*": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("POST", "upper-items/<int:pk>/acceptance/", "application"): {
        "*": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    # An empty form: refused with a message on the item's page (302).
    ("POST", "upper-milestones/<int:pk>/done/", "upper_milestone"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "upper-projects/", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("GET", "upper-projects.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("GET", "commissioners/", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("GET", "commissioners.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("GET", "commissioners/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("POST", "commissioners/new/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("GET", "commissioners/<int:pk>/", "commissioner"): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    ("POST", "commissioners/<int:pk>/", "commissioner"): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 404 403 403",
    },
    # An empty form: the link is refused with a message on the commissioner's page (302).
    ("POST", "commissioners/<int:pk>/projects/", "commissioner"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "commissioners/townships/", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("GET", "commissioners/townships.xlsx", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("POST", "commissioners/<int:pk>/assess/", "commissioner"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
    ("GET", "awards/put-forward/", None): {
        "*": "LOG 403 403 403 403 403 403 200 200 403 403",
    },
    ("POST", "awards/put-forward/", None): {
        "*": "LOG 403 403 403 403 403 403 200 403 403 403",
    },
    ("POST", "awards/put-forward/<int:pk>/outcome/", "put_forward"): {
        "*": "LOG 403 403 403 403 403 403 302 403 403 403",
        "missing": "LOG 403 403 403 403 403 403 404 403 403 403",
    },
}
# fmt: on
