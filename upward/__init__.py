"""The county's upward work (DESIGN.md "The county's upward work", issue 20).

**Higher-level calls.** An :class:`~upward.models.UpperCall` records a city, provincial or
national call and the county's quota under it. It owns an internal ``applications.Call``
(``kind = upper``), created with it, and units' applications are ordinary ``Application``
rows of that call. We chose this over a second, nullable ``upper_call`` key on
``Application`` because everything else assumes ``application.call``: submission, the
integrity pledge and limits, attachments, formal review, the random draw, scores, the
ranking, the audit and payments all run unchanged on the internal call, just as an award
round is a ``Call`` with ``kind = award``. The county's reports count only ``kind = plan``
calls, so upward projects never enter the county's own figures.

The items travel ``workflow.flows.UpperProjectFlow``: the plan flow's formal review and expert
review nodes (by the same names, so ``workflow.steps`` drives them unchanged), then the
panel's recommendation within the quota, the recorded outcome, and the county's matching
funds (配套) paid through the same two-person ``funding.Disbursement`` approval. Experts rank
only when the accepted items exceed the quota; within it, staff send the items straight to
the panel (``workflow.steps.upper_skip_ranking``).

**Awards put forward** (:class:`~upward.models.AwardPutForward`): a county award winner put
forward for a city or provincial award, with its outcome.

**Commissioners** (科技特派员, :class:`~upward.models.Commissioner`): people with a township,
a field and a term, each with an annual assessment (考核). Commissioner projects are the
items of higher-level calls flagged ``commissioner`` whose :class:`CommissionerProject` names
the commissioner (and the demonstration base).
"""
