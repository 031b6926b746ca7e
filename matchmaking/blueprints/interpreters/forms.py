"""Forms of the interpreter views."""

from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from matchmaking.blueprints.forms_base import BaseForm, SpreadsheetUploadForm
from matchmaking.blueprints.registration.forms import MultiCheckboxField
from matchmaking.errors import InvalidInput
from matchmaking.models import Event, Interpreter
from matchmaking.services.interpreters import (
    MAX_COST_PER_SLOT_USD,
    MAX_MEETINGS_CAP,
    HoursInput,
    InterpreterInput,
    hours_example,
    read_hours,
)

LOCALES = [SelectChoice("en", "English"), SelectChoice("zh", "中文"), SelectChoice("ru", "Русский")]


class InterpreterForm(BaseForm):
    """One interpreter: who, which languages, when, where and how much."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(), Length(max=254)])
    languages = StringField(
        _l("Languages"),
        description=_l("ISO 639-1 codes, such as “zh ru” or “zh en kk”: at least two."),
        validators=[InputRequired(), Length(max=200)],
    )
    hours = TextAreaField(
        _l("Working hours"),
        validators=[Optional(), Length(max=2000)],
    )
    zones = MultiCheckboxField(_l("Zones served (none ticked: every zone)"), choices=[])
    max_meetings = IntegerField(
        _l("Most meetings"),
        validators=[Optional(), NumberRange(min=1, max=MAX_MEETINGS_CAP)],
    )
    cost = DecimalField(
        _l("Cost per slot (USD)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_COST_PER_SLOT_USD,
                message=_l("Enter an amount from 0 to 10 million."),
            ),
        ],
    )
    locale = SelectField(_l("Language of the e-mails"), choices=LOCALES)
    example = ""  # the hours of one day as written (``for_event``)

    def for_event(self, event: Event) -> InterpreterForm:
        """Zones, the hours' example on the event's first day and, for a new interpreter,
        e-mails in the organiser's language."""
        self.zones.choices = [SelectChoice(zone.code, zone.display_name) for zone in event.zones]
        self.example = hours_example(event.start_date)
        self.hours.description = _l(
            "One day per line, such as “%(example)s”. Empty: every meeting slot.",
            example=self.example,
        )
        if not self.is_submitted():
            language = str(get_locale() or "en")
            self.locale.data = language if language in {c.value for c in LOCALES} else "en"
        return self

    def hours_input(self) -> tuple[HoursInput, ...]:
        """The hours typed, one day per line; raises ``InvalidInput`` on a line it cannot read."""
        result = []
        for line in (self.hours.data or "").splitlines():
            if not line.strip():
                continue
            try:
                result.append(read_hours(line))
            except ValueError:
                raise InvalidInput(
                    str(_l("Write each day as “%(example)s”.", example=self.example)),
                    field="hours",
                ) from None
        return tuple(result)

    def fill(self, interpreter: Interpreter) -> None:
        """Show ``interpreter`` as it is (on a GET of the edit page)."""
        self.name.data = interpreter.name
        self.languages.data = " ".join(interpreter.languages)
        self.hours.data = "\n".join(
            f"{a.day.isoformat()} {a.start_time:%H:%M}-{a.end_time:%H:%M}"
            for a in interpreter.availability
        )
        self.zones.data = [zone.code for zone in interpreter.zones]
        self.max_meetings.data = interpreter.max_meetings
        self.cost.data = interpreter.cost_per_slot_usd
        self.locale.data = interpreter.user.locale

    def to_input(self) -> InterpreterInput:
        email = getattr(self, "email", None)
        return InterpreterInput(
            name=self.name.data or "",
            email=(email.data if email is not None else "") or "",
            languages=tuple(w for w in re.split(r"[\s,;/]+", self.languages.data or "") if w),
            hours=self.hours_input(),
            zones=tuple(self.zones.data or ()),
            max_meetings=self.max_meetings.data,
            cost_per_slot_usd=self.cost.data,
            locale=self.locale.data or "en",
        )


class InterpreterEditForm(InterpreterForm):
    """An interpreter's details; its e-mail is its login and is not changed here."""

    email = None  # type: ignore[assignment]


class RemoveForm(BaseForm):
    """Take an interpreter off the event (only the CSRF token)."""


class InterpreterImportForm(SpreadsheetUploadForm):
    """A file of interpreters to check before registering them."""


class InterpreterConfirmForm(BaseForm):
    """Register the checked rows (carried as JSON; checked again on confirmation)."""

    rows = HiddenField(validators=[DataRequired(), Length(max=450_000)])
