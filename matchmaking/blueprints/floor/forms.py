"""Forms of the floor views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from matchmaking.blueprints.agenda.forms import AttendanceForm
from matchmaking.blueprints.forms_base import BaseForm


class CodeForm(BaseForm):
    """Find a company by its check-in code (typed, or read by the camera), or by its name
    when the code is lost."""

    code = StringField(
        _l("Company code or name"),
        validators=[DataRequired(), Length(max=300)],
        render_kw={"autocomplete": "off"},
    )


class PresenceForm(BaseForm):
    """Check the company named by ``code`` in for today, or out (it leaves early)."""

    code = HiddenField(validators=[DataRequired(), Length(max=300)])
    presence = SelectField(
        choices=[SelectChoice("in", _l("Check in")), SelectChoice("out", _l("Check out"))],
        validators=[InputRequired()],
    )


class FloorAttendanceForm(AttendanceForm):
    """Mark a meeting held or no-show, on the version of the meeting the page showed."""

    version = HiddenField(validators=[Optional(), Length(max=64)])


class StaffForm(BaseForm):
    """Add a person as floor staff of the event (a new account unless they have one)."""

    full_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class RemoveStaffForm(BaseForm):
    """Remove a staff member from the event (only the CSRF token)."""
