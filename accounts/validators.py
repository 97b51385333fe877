"""The unified social credit code (统一社会信用代码, GB 32100-2015), check digit included."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

#: python-stdnum explains in English only; the reader gets the reason in their own language.
REASONS = (
    (InvalidLength, _("it must have 18 characters")),
    (InvalidFormat, _("it may only contain digits and capital letters other than I, O, S, V and Z")),
    (InvalidChecksum, _("the last character (the check digit) does not match the others")),
    (InvalidComponent, _("a part of it is not a valid code")),
)


def normalise_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def validate_credit_code(value: str) -> None:
    """Refuse anything but a well-formed 18-character code whose check digit matches."""
    try:
        uscc.validate(value)
    except StdnumError as exc:
        reason = next((text for kind, text in REASONS if isinstance(exc, kind)), _("it is not well formed"))
        raise ValidationError(
            _("%(code)s is not a valid unified social credit code (%(reason)s)."),
            code="credit_code",
            params={"code": value, "reason": reason},
        ) from exc
