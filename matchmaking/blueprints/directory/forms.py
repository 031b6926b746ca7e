"""Directory and request forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from matchmaking.blueprints.company_picker import CompanyPickerField
from matchmaking.blueprints.forms_base import BaseForm


def _int_or_none(value: object) -> int | None:
    if value in (None, ""):
        return None
    return int(str(value))


class DirectoryFilterForm(BaseForm):
    """Directory filters (GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    sector = SelectField(_l("Sector"), coerce=_int_or_none, choices=[], validators=[Optional()])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    language = SelectField(_l("Language"), choices=[], validators=[Optional()])


class RequestForm(BaseForm):
    """Ask for a meeting."""

    message = TextAreaField(
        _l("Message (optional)"),
        validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": _l("What would you like to discuss?")},
    )


class AnswerForm(BaseForm):
    """Accept or decline."""

    decision = SelectField(
        _l("Answer"),
        choices=[SelectChoice("accept", _l("Accept")), SelectChoice("decline", _l("Decline"))],
        validators=[DataRequired(), AnyOf(["accept", "decline"])],
    )


class OnBehalfForm(BaseForm):
    """An organiser asks for a meeting on a company's behalf."""

    # Every company on a small event, a server search on a large one (blueprints/company_picker).
    requester = CompanyPickerField(_l("Asking company"))
    recipient = CompanyPickerField(_l("Asked company"))
    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=500)])


class ProposeForm(BaseForm):
    """Propose another time for a meeting."""

    slot = SelectField(_l("New time"), coerce=_int_or_none, choices=[], validators=[DataRequired()])
    message = StringField(_l("Message (optional)"), validators=[Optional(), Length(max=300)])
