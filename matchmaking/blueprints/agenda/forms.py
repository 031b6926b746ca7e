"""Forms of the agenda views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from matchmaking.blueprints.forms_base import BaseForm
from matchmaking.models.schedule import Attendance


class FeedForm(BaseForm):
    """Create or replace the calendar subscription link (only the CSRF token)."""


class AttendanceForm(BaseForm):
    """Check-in: the meeting was held, nobody came, or the mark is cleared."""

    attendance = SelectField(
        _l("Attendance"),
        choices=[
            SelectChoice(Attendance.HELD, _l("Held")),
            SelectChoice(Attendance.NO_SHOW, _l("No-show")),
            SelectChoice("clear", _l("Not marked")),
        ],
        validators=[InputRequired()],
    )

    def value(self) -> str | None:
        return None if self.attendance.data == "clear" else self.attendance.data
