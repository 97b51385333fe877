"""Forms for the pages. They only collect and render input: the domain services decide what
is valid, and their ``ValidationError`` messages are put back on these forms' fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationKind
from applications.enums import FormalDecision
from funding.enums import AcceptanceResult
from reviews.enums import Recommendation
from reviews.models import Assignment, Criterion, Expert


class StepForm(forms.Form):
    """A form whose cleaned data are the keyword arguments of one step."""

    #: A service's error key → this form's field, where the names differ.
    error_fields: dict[str, str] = {}

    def step_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class VocabularyMixin:
    """Offers the fields vocabulary in the form fields named in ``vocabulary``: the active
    fields by name in the reader's language, plus whatever the item holds already (a field
    staff have since deactivated stays selectable for it). The services check the codes."""

    vocabulary: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from applications.selectors import field_choices

        super().__init__(*args, **kwargs)
        for name in self.vocabulary:
            field = self.fields[name]  # type: ignore[attr-defined]
            keep = self.initial.get(name) or ()  # type: ignore[attr-defined]
            choices = field_choices(keep=keep)
            if isinstance(field, forms.MultipleChoiceField):
                field.choices = choices
            else:
                field.choices = [("", "---------"), *choices]


def vocabulary_field(*, label: Any, multiple: bool = False, **kwargs: Any) -> forms.ChoiceField:
    """A select (or a multi-select) over the fields vocabulary; see ``VocabularyMixin``."""
    if multiple:
        return forms.MultipleChoiceField(label=label, choices=(), widget=forms.CheckboxSelectMultiple, **kwargs)
    return forms.ChoiceField(label=label, choices=(), **kwargs)


# --- accounts ---------------------------------------------------------------------------------


class RegisterForm(StepForm):
    error_fields = {"organisation": "organisation_name"}

    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=False))
    email = forms.EmailField(label=_("E-mail"))
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        help_text=_("18 characters, as printed on the business licence."),
    )
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=OrganisationKind.choices)


# --- applications -----------------------------------------------------------------------------


class ApplicationForm(VocabularyMixin, StepForm):
    vocabulary = ("field",)

    title = forms.CharField(label=_("Project title"), max_length=200)
    field = vocabulary_field(label=_("Field"))
    summary = forms.CharField(label=_("Project summary"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    # Amounts stay text so the service parses them exactly (Decimal yuan, never a float).
    requested_yuan = forms.CharField(
        label=_("Requested funding (yuan)"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    self_funding_yuan = forms.CharField(
        label=_("Self-funding (yuan)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["self_funding_yuan"] = data.get("self_funding_yuan") or "0"
        return data


class AttachmentForm(StepForm):
    kind = forms.ChoiceField(label=_("Document"), required=False, choices=())
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, PowerPoint or an image (PNG, JPEG)."))

    def __init__(self, *args: Any, call: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        documents = list(getattr(call, "required_documents", None) or [])
        kind.choices = [("", _("Other document")), *((d["code"], d["name"]) for d in documents)]
        if not documents:
            kind.widget = forms.HiddenInput()

    def step_data(self) -> dict[str, Any]:
        return {"upload": self.cleaned_data["file"], "kind": self.cleaned_data.get("kind") or ""}


class ContractForm(StepForm):
    # Not required here: the service refuses an unticked box with its own message.
    accept_terms = forms.BooleanField(label=_("I have read the task contract and accept its terms."), required=False)


class AcceptanceForm(StepForm):
    report = forms.CharField(label=_("Final report"), widget=forms.Textarea(attrs={"rows": 8}))
    spent_yuan = forms.CharField(label=_("Money spent (yuan)"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))


# --- staff ----------------------------------------------------------------------------------


class FormalReviewForm(StepForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=FormalDecision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning or rejecting."),
    )


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Expert) -> str:
        from applications.selectors import field_name

        fields = "/".join(field_name(code) for code in obj.fields or [])
        parts = [obj.name, obj.title, str(obj.organisation or ""), fields]
        return " · ".join(p for p in parts if p)


class AssignExpertForm(StepForm):
    expert = ExpertChoiceField(label=_("Expert"), queryset=Expert.objects.none())
    replaces = forms.ModelChoiceField(queryset=Assignment.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, application: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        expert, replaces = self.fields["expert"], self.fields["replaces"]
        assert isinstance(expert, forms.ModelChoiceField) and isinstance(replaces, forms.ModelChoiceField)
        expert.queryset = (
            Expert.objects.filter(active=True)
            .exclude(assignments__application=application)
            .select_related("organisation")
        )
        replaces.queryset = Assignment.objects.filter(application=application)


class TerminateForm(StepForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptanceDecisionForm(StepForm):
    result = forms.ChoiceField(label=_("Result"), choices=AcceptanceResult.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the report fails or must be rectified."),
    )


class ObjectionResolveForm(StepForm):
    upheld = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("no", _("Dismiss the objection")), ("yes", _("Uphold it and withdraw the item"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


# --- experts --------------------------------------------------------------------------------


class AcceptInvitationForm(StepForm):
    no_conflict = forms.BooleanField(
        label=_(
            "I declare that I have no conflict of interest with this item: I do not work for the applicant, "
            "have no financial or family tie to it, and took no part in preparing it."
        ),
        required=False,
    )


class DeclineForm(StepForm):
    reason = forms.CharField(label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(StepForm):
    """One number per criterion, named ``scores_<code>`` so the service's ``scores.<code>``
    errors land on the right input."""

    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 5}))
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        score_fields = {}
        for c in criteria:
            score_fields[f"scores_{c.code}"] = forms.CharField(
                label=c.label,
                help_text=c.guidance,
                widget=forms.NumberInput(attrs={"min": "0", "max": f"{c.max_score.normalize():f}", "step": "0.01"}),
            )
        # Scores first, then the comment and recommendation.
        self.fields = {**score_fields, **self.fields}

    def score_rows(self) -> list[tuple[Criterion, forms.BoundField]]:
        return [(c, self[f"scores_{c.code}"]) for c in self.criteria]

    def step_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "scores": {c.code: data[f"scores_{c.code}"] for c in self.criteria},
            "comment": data["comment"],
            "recommendation": data["recommendation"],
        }


# --- panel -----------------------------------------------------------------------------------


class DecisionForm(StepForm):
    fund = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Fund")), ("no", _("Do not fund"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    approved_yuan = forms.CharField(
        label=_("Amount granted (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("At most the amount requested; leave empty when not funding."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data["fund"]:
            data["approved_yuan"] = None
        return data


# --- finance ---------------------------------------------------------------------------------


class RejectDisbursementForm(StepForm):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=2000)


class PayForm(StepForm):
    voucher = forms.CharField(label=_("Payment voucher number"), max_length=100)


# --- the public ------------------------------------------------------------------------------


class ObjectionForm(StepForm):
    item = forms.TypedChoiceField(label=_("Item"), coerce=int, choices=())
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("How to reach you"), max_length=200, required=False, help_text=_("Telephone or e-mail.")
    )
    text = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, notice: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = [(a.pk, a.title) for a in notice.applications.all()]

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["application_id"] = data.pop("item")
        return data
