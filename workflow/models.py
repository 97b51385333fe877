"""Process models: proxies of viewflow's Process, with our real model as the artifact."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from applications.models import Application


class PlanProjectProcess(Process):
    """One S&T plan-project application travelling from submission to closure."""

    class Meta:
        proxy = True
        ordering = ["-created"]
        verbose_name = _("plan-project process")
        verbose_name_plural = _("plan-project processes")

    @property
    def application(self) -> Application:
        return Application.objects.select_related("call", "applicant").get(pk=self.artifact_object_id)


class AwardNominationProcess(Process):
    """One progress-award nomination travelling from nomination to the bonus paid."""

    class Meta:
        proxy = True
        ordering = ["-created"]
        verbose_name = _("award-nomination process")
        verbose_name_plural = _("award-nomination processes")

    @property
    def application(self) -> Application:
        return Application.objects.select_related("call", "applicant").get(pk=self.artifact_object_id)


class UpperProjectProcess(Process):
    """One application to a higher-level call (``upward``) travelling from submission through
    recommendation and outcome to the county's matching funds paid."""

    class Meta:
        proxy = True
        ordering = ["-created"]
        verbose_name = _("higher-level project process")
        verbose_name_plural = _("higher-level project processes")

    @property
    def application(self) -> Application:
        return Application.objects.select_related("call", "applicant").get(pk=self.artifact_object_id)
