"""The three item flows declare the formal and expert review block once (``ItemReviewNodes``):
each flow still gets its own copy of every node, wired to its own nodes, with its own
auto-created permissions, and only the upper flow routes expert assignment through
``ranking_needed``."""

from __future__ import annotations

from workflow.flows import AwardNominationFlow, ItemReviewNodes, PlanProjectFlow, UpperProjectFlow

SHARED = ("start", "formal_review", "formal_outcome", "revise", "reviews", "review", "reviews_join")


def _next(flow: type, name: str) -> list[str]:
    return sorted(edge.dst.name for edge in flow.instance.node(name)._outgoing())


def test_each_flow_owns_its_copy_of_the_shared_block() -> None:
    flows = (PlanProjectFlow, AwardNominationFlow, UpperProjectFlow)
    for flow in flows:
        for name in (*SHARED, "expert_assignment"):
            node = flow.instance.node(name, no_obsolete=True)
            assert node is not None and node.flow_class is flow, (flow.__name__, name)
            assert node is not getattr(ItemReviewNodes, name)
            assert all(edge.dst.flow_class is flow for edge in node._outgoing())
        assert _next(flow, "formal_outcome") == ["expert_assignment", "rejected", "revise"]
        # The join records "reviews done" itself (``Join(then=…)``): no Function node after it.
        assert _next(flow, "reviews_join") == ["decision"]
        assert flow.instance.node("reviews_join")._then is not None
        assert flow.instance.node("reviews_done", no_obsolete=True) is None
    permissions = {flow.instance.node("formal_review")._owner_permission for flow in flows}
    assert permissions == {
        "workflow.can_formal_review_planprojectprocess",
        "workflow.can_formal_review_awardnominationprocess",
        "workflow.can_formal_review_upperprojectprocess",
    }
    assert _next(PlanProjectFlow, "expert_assignment") == ["reviews"]
    assert _next(AwardNominationFlow, "expert_assignment") == ["reviews"]
    assert _next(UpperProjectFlow, "expert_assignment") == ["ranking_needed"]
    assert _next(UpperProjectFlow, "ranking_needed") == ["decision", "reviews"]
