"""Forms for the pages. They only collect and render input: the domain services decide what
is valid, and their ``ValidationError`` messages are put back on these forms' fields."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationKind
from applications.enums import FormalDecision
from core.money import to_wan, ungroup
from funding.enums import AcceptanceResult
from reviews.enums import RECOMMENDATIONS, Recommendation
from reviews.models import Assignment, Criterion, Expert
from reviews.services import clean_scores

if TYPE_CHECKING:
    from aftergrant.models import ContractVersion

# --- inputs every form shares ------------------------------------------------------------------
#
# An HTML date input only reads ISO values (2027-03-01): the zh-hans input format
# (2027/03/01) left it empty, and saving the form unchanged then wiped the date. These
# widgets always render ISO, whatever the language; the fields parse ISO in every language
# (Django adds the ISO formats to the localised input formats).


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateField(forms.DateField):
    widget = IsoDateInput


class DateTimeField(forms.DateTimeField):
    widget = IsoDateTimeInput


class TextField(forms.CharField):
    """Text over several lines. Browsers send line breaks as CRLF: stored as LF, so a text
    saved unchanged stays the same text."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


WAN_HINT_LIMIT = Decimal("1e15")


class MoneyInput(forms.TextInput):
    """A yuan amount with its unit (元) beside it and, once there is one, the 万元 it makes."""

    template_name = "pages/widgets/money.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return f"{value:f}"
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        amount = _decimal_or_none(value)
        # Only amounts a call could hold: quantizing 1e400 into 万元 would overflow (a 500).
        sensible = amount is not None and amount.is_finite() and abs(amount) < WAN_HINT_LIMIT
        context["widget"]["wan"] = f"{to_wan(amount).normalize():f}" if amount is not None and sensible else ""
        return context


def _decimal_or_none(value: Any) -> Decimal | None:
    """The amount typed, thousands separators and all (300,000 · 300，000 · 300 000)."""
    if value in (None, ""):
        return None
    try:
        return Decimal(ungroup(str(value)))
    except (InvalidOperation, ValueError):
        return None


class MoneyField(forms.CharField):
    """Yuan as people write them: ``300000``, ``300,000``, ``300000.00``, ``300,000.00``.

    Cleans to a ``Decimal`` (never a float); the domain service still decides what amount is
    allowed (not negative, two places at most, within the call's maximum)."""

    widget = MoneyInput
    default_error_messages = {"invalid": _("Enter an amount in yuan, such as 150000.00.")}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        # Length first: Decimal("9" * 10**6) would take its time.
        amount = _decimal_or_none(text) if len(text) <= 40 else None
        if amount is None or not amount.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class StepForm(forms.Form):
    """A form whose cleaned data are the keyword arguments of one step."""

    #: A service's error key → this form's field, where the names differ.
    error_fields: dict[str, str] = {}
    #: Required fields' labels carry this class: the stylesheet marks them with an asterisk.
    required_css_class = "required"

    def step_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TargetsAndAccountsForm(StepForm):
    """What a project reports against its contract in force: the amount achieved per target
    (``achieved_<id>``) and the money per budget line by source (``county_<line>``,
    ``own_<line>``, ``other_<line>``), with the subclass's declared fields after them (a mid-term
    report's problems, an acceptance's final report)."""

    def __init__(self, data: Any = None, *, version: ContractVersion | None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.targets = list(version.targets.all()) if version is not None else []
        self.lines = list(version.budget.all()) if version is not None else []
        declared = {name: self.fields.pop(name) for name in list(self.fields)}
        for target in self.targets:
            self.fields[f"achieved_{target.pk}"] = forms.DecimalField(
                label=f"{target.name} ({target.unit})",
                min_value=0,
                max_digits=14,
                decimal_places=2,
                help_text=_("Target: %(value)s %(unit)s") % {"value": target.value, "unit": target.unit},
            )
        for line in self.lines:
            label = line.get_line_display()
            for source, source_label in (
                ("county", _("county grant")),
                ("own", _("own funds")),
                ("other", _("other sources")),
            ):
                self.fields[f"{source}_{line.line}"] = MoneyField(
                    label=f"{label}: {source_label}", required=False, initial="0"
                )
        self.fields.update(declared)

    def achieved(self) -> list[dict[str, Any]]:
        return [{"target": t.pk, "achieved": self.cleaned_data[f"achieved_{t.pk}"]} for t in self.targets]

    def money_by_line(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "line": line.line,
                "county_yuan": data.get(f"county_{line.line}") or 0,
                "own_yuan": data.get(f"own_{line.line}") or 0,
                "other_yuan": data.get(f"other_{line.line}") or 0,
            }
            for line in self.lines
        ]


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
    summary = TextField(label=_("Project summary"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    requested_yuan = MoneyField(label=_("Requested funding (yuan)"))
    self_funding_yuan = MoneyField(label=_("Self-funding (yuan)"), required=False)
    start_date = DateField(label=_("Start date"), required=False)
    end_date = DateField(label=_("End date"), required=False)

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("self_funding_yuan") is None:
            data["self_funding_yuan"] = Decimal("0")
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


class SubmitForm(StepForm):
    """Submitting signs the integrity pledge (诚信承诺). The browser asks for the tick; the service
    refuses an unticked box with its own message (on ``pledge``)."""

    pledge = forms.BooleanField(
        label=_(
            "Integrity pledge: I confirm that this application is truthful and my own work, that it "
            "breaks no rule of research integrity, and that I accept the consequences of any breach."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )


# --- staff ----------------------------------------------------------------------------------


class FormalReviewForm(StepForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=FormalDecision.choices, widget=forms.RadioSelect)
    comment = TextField(
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

    def __init__(self, *args: Any, application: Any, experts: list[Expert] | None = None, **kwargs: Any) -> None:
        """``experts``: the ones to offer (``reviews.services.assignable_experts``). Without it
        (a sent form) any active expert not on the item is taken, so that the service says why
        it refuses one (same organisation, conflict, load) on the field."""
        super().__init__(*args, **kwargs)
        expert, replaces = self.fields["expert"], self.fields["replaces"]
        assert isinstance(expert, forms.ModelChoiceField) and isinstance(replaces, forms.ModelChoiceField)
        expert.queryset = (
            Expert.objects.filter(active=True)
            .exclude(assignments__application=application)
            .select_related("organisation")
        )
        if experts is not None:
            expert.queryset = expert.queryset.filter(pk__in=[e.pk for e in experts]).order_by("name", "pk")
        replaces.queryset = Assignment.objects.filter(application=application)


class TerminateForm(StepForm):
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptanceDecisionForm(StepForm):
    result = forms.ChoiceField(label=_("Result"), choices=AcceptanceResult.choices, widget=forms.RadioSelect)
    comment = TextField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the result differs from the advice, or fails or must be rectified."),
    )


class ObjectionsDismissForm(StepForm):
    objections = forms.TypedMultipleChoiceField(label=_("Objections"), coerce=int, choices=())
    resolution = forms.CharField(
        label=_("Resolution"),
        initial=_("A duplicate of an objection already on file."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, open_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["objections"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(pk, str(pk)) for pk in open_ids]

    def step_data(self) -> dict[str, Any]:
        return {"objection_ids": self.cleaned_data["objections"], "resolution": self.cleaned_data["resolution"]}


class ObjectionResolveForm(StepForm):
    upheld = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("no", _("Dismiss the objection")), ("yes", _("Uphold it and withdraw the item"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    resolution = TextField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


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
    reason = TextField(label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(StepForm):
    """One number per criterion, named ``scores_<code>`` so the service's ``scores.<code>``
    errors land on the right input."""

    comment = TextField(
        label=_("Comment"),
        help_text=_("The applicant will read this comment after the public notice closes, without your name."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, criteria: list[Criterion], purpose: str = "review", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        # An acceptance expert recommends pass, rectify or fail; a reviewer support or oppose.
        words = set(RECOMMENDATIONS[purpose])
        recommendation = self.fields["recommendation"]
        assert isinstance(recommendation, forms.ChoiceField)
        recommendation.choices = [(v, label) for v, label in Recommendation.choices if v in words]
        score_fields = {}
        for c in criteria:
            score_fields[f"scores_{c.code}"] = forms.CharField(
                label=c.label,
                help_text=c.guidance,
                widget=forms.NumberInput(attrs={"min": "0", "max": f"{c.max_score.normalize():f}", "step": "0.01"}),
            )
        # Scores first, then the comment and recommendation.
        self.fields = {**score_fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        """Check the scores the way the service will, so a missing recommendation and a score
        out of range show together instead of one after the other."""
        data = super().clean() or {}
        raw = {c.code: data[f"scores_{c.code}"] for c in self.criteria if data.get(f"scores_{c.code}") is not None}
        try:
            clean_scores([c for c in self.criteria if c.code in raw], raw)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                name = key.replace(".", "_")
                self.add_error(name if name in self.fields else None, errors)
        return data

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
    approved_yuan = MoneyField(
        label=_("Amount granted (yuan)"),
        required=False,
        help_text=_("At most the amount requested; leave empty when not funding."),
    )
    comment = TextField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data["fund"]:
            data["approved_yuan"] = None
        return data


# --- finance ---------------------------------------------------------------------------------


class RejectDisbursementForm(StepForm):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=2000)


class ResubmitDisbursementForm(StepForm):
    comment = forms.CharField(label=_("What was done about the reason"), max_length=2000)


class PayForm(StepForm):
    voucher = forms.CharField(label=_("Payment voucher number"), max_length=100)


# --- the public ------------------------------------------------------------------------------


class ObjectionForm(StepForm):
    item = forms.TypedChoiceField(label=_("Item"), coerce=int, choices=())
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("How to reach you"), max_length=200, required=False, help_text=_("Telephone or e-mail.")
    )
    text = TextField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = [(a.pk, a.title) for a in items]

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["application_id"] = data.pop("item")
        return data
