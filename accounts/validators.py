"""The unified social credit code (统一社会信用代码, GB 32100-2015), check digit included."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def normalise_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def validate_credit_code(value: str) -> None:
    """Refuse anything but a well-formed 18-character code whose check digit matches."""
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(code)s is not a valid unified social credit code (%(reason)s)."),
            code="credit_code",
            params={"code": value, "reason": str(exc)},
        ) from exc
