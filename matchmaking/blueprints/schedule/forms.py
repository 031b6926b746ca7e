"""Schedule forms; choices are filled by the view from the version's data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

from matchmaking.blueprints.company_picker import CompanyPickerField, SearchPickerField
from matchmaking.blueprints.forms_base import BaseForm


def _int_or_none(value: object) -> int | None:
    if value in (None, ""):
        return None
    return int(str(value))


class GenerateForm(BaseForm):
    """Start the optimiser."""

    time_limit = FloatField(
        _l("Time limit in seconds"),
        default=10.0,
        validators=[DataRequired(), NumberRange(min=1, max=600)],
    )


class MoveForm(BaseForm):
    """Move a meeting to another slot, optionally another zone of its sectors and a given table."""

    zone = SelectField(
        _l("Zone (empty: keep)"), coerce=_int_or_none, choices=[], validators=[Optional()]
    )
    slot = SelectField(_l("New time"), coerce=_int_or_none, choices=[], validators=[DataRequired()])
    table = IntegerField(
        _l("Table (empty: first free)"), validators=[Optional(), NumberRange(min=1, max=1000)]
    )


class SwapForm(BaseForm):
    """Swap two meetings' times and tables."""

    # Every meeting on a small event, a server search on a large one.
    other = SearchPickerField(_l("Swap with meeting"))


class AddForm(BaseForm):
    """Add a meeting by hand."""

    # Every buyer/supplier on a small event, a server search on a large one.
    buyer = CompanyPickerField(_l("Buyer"), side="buy")
    supplier = CompanyPickerField(_l("Supplier"), side="sell")
    slot = SelectField(_l("Time"), coerce=_int_or_none, choices=[], validators=[DataRequired()])
    zone = SelectField(_l("Zone"), coerce=_int_or_none, choices=[], validators=[DataRequired()])
    table = IntegerField(
        _l("Table (empty: first free)"), validators=[Optional(), NumberRange(min=1, max=1000)]
    )


class LockForm(BaseForm):
    """Lock or unlock a meeting."""

    locked = BooleanField(_l("Locked"))


class ActionForm(BaseForm):
    """A bare POST with a CSRF token (cancel, publish, regenerate)."""


class PublishForm(BaseForm):
    """Publishing needs the organiser's confirmation, given on the summary page."""

    confirm = BooleanField(
        _l("I have checked the summary: publish and send the e-mails"),
        validators=[DataRequired(_l("Tick the box to confirm the publication."))],
    )
