"""Mail address form fields: one rule (planner.domain.addresses, email-validator) for every form."""
from __future__ import annotations

from wtforms import EmailField
from wtforms.validators import DataRequired, Optional, StopValidation

from planner.domain import addresses
from planner.domain.fields import FieldError

REQUIRED = "入力してください。"


class MailAddress:
    """Checks the address and replaces the field's data with its stored form (lower case,
    full-width turned half-width); the message says what is wrong, in Japanese."""

    def __call__(self, form, field) -> None:
        try:
            field.data = addresses.check_address(field.data or "")
        except FieldError as exc:
            message = str(exc)
            raise StopValidation(f"メールアドレスの{message}" if message.startswith(addresses.MALFORMED)
                                 else message) from None


def address_field(label: str = "メールアドレス", required: bool = True) -> EmailField:
    """A mail address input; an optional one may be left empty."""
    first = DataRequired(REQUIRED) if required else Optional()
    return EmailField(label, validators=[first, MailAddress()],
                      filters=[lambda value: value.strip() if isinstance(value, str) else value],
                      render_kw={"maxlength": addresses.MAX_LENGTH, "autocomplete": "email"})
