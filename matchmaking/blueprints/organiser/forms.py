"""Organiser forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from matchmaking.blueprints.forms_base import (
    BaseForm,
    BaseSubForm,
    OptionalUnless,
    SpreadsheetUploadForm,
)
from matchmaking.blueprints.registration.forms import MultiCheckboxField
from matchmaking.i18n import known_timezones, timezone_choices
from matchmaking.models.company import ParticipationStatus
from matchmaking.models.event import EventStatus


class DecisionForm(BaseForm):
    """Approve or reject a registration; a rejection needs a reason."""

    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))],
        validators=[DataRequired(), AnyOf(["approve", "reject"])],
    )
    reason = TextAreaField(
        _l("Reason (shown to the company)"), validators=[Optional(), Length(max=1000)]
    )


class RegistrationFilterForm(BaseForm):
    """Filters of the registration list (GET, no CSRF needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=[], validators=[Optional()])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("", _l("Any role")),
            SelectChoice("buyer", _l("Buyer")),
            SelectChoice("supplier", _l("Supplier")),
            SelectChoice("both", _l("Buyer and supplier")),
        ],
        validators=[Optional()],
    )
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Any status")),
            SelectChoice(ParticipationStatus.PENDING, _l("Pending")),
            SelectChoice(ParticipationStatus.APPROVED, _l("Approved")),
            SelectChoice(ParticipationStatus.REJECTED, _l("Rejected")),
        ],
        validators=[Optional()],
    )


class DayForm(BaseSubForm):
    """Meeting hours of one day (an empty row is ignored)."""

    day = DateField(_l("Day"), validators=[OptionalUnless(("start", "end"), _l("Give the day."))])
    start = TimeField(_l("From"), validators=[OptionalUnless("day", _l("Give both times."))])
    end = TimeField(_l("Until"), validators=[OptionalUnless("day", _l("Give both times."))])

    def validate_end(self, field: TimeField) -> None:
        if self.day.data is None or self.start.data is None or field.data is None:
            return  # a missing or unreadable time has its message on its own field
        if field.data <= self.start.data:
            raise ValidationError(_l("Must be later than the start time."))


class BreakForm(DayForm):
    """A break that blocks everyone."""

    label = StringField(_l("Label"), validators=[Optional(), Length(max=120)])


# The languages participants read, by their own names: event texts and zone names are
# translated into each.
TEXT_LANGUAGES = (("en", "English"), ("zh", "中文"), ("ru", "Русский"))


class ZoneForm(BaseSubForm):
    """A negotiation zone (an empty row is ignored)."""

    code = StringField(
        _l("Code"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[a-z0-9-]*$", message=_l("Use a-z, 0-9 and -.")),
        ],
    )
    name = StringField(_l("Zone name"), validators=[Optional(), Length(max=200)])
    # The name as participants reading each language see it (labels: the languages' own names).
    name_en = StringField("English", validators=[Optional(), Length(max=200)])
    name_zh = StringField("中文", validators=[Optional(), Length(max=200)])
    name_ru = StringField("Русский", validators=[Optional(), Length(max=200)])
    tables = IntegerField(_l("Tables"), validators=[Optional(), NumberRange(min=1, max=500)])
    sectors = MultiCheckboxField(_l("Sectors"), coerce=int, choices=[], validators=[Optional()])

    def name_fields(self) -> list[tuple[str, StringField]]:
        """(language code, the name's field in that language), in TEXT_LANGUAGES' order."""
        return [(code, self[f"name_{code}"]) for code, _label in TEXT_LANGUAGES]

    def translations(self) -> dict[str, str]:
        """The name per language code, as typed (``ZoneInput.translations``)."""
        return {code: field.data or "" for code, field in self.name_fields()}

    def validate(self, extra_validators: Any = None) -> bool:
        """A zone with a code needs a name and a number of tables: the error goes on the one
        left empty (their Optional() ends their own checks when they are empty)."""
        valid = super().validate(extra_validators)
        if self.code.data:
            for field in (self.name, self.tables):
                if field.data in (None, "") and not field.errors:
                    field.errors = [_l("A zone needs a name and a number of tables.")]
                    valid = False
        return valid


class SetupForm(BaseForm):
    """The event's set-up."""

    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice(EventStatus.DRAFT, _l("Draft")),
            SelectChoice(EventStatus.OPEN, _l("Registration open")),
            SelectChoice(EventStatus.CLOSED, _l("Registration closed")),
            SelectChoice(EventStatus.ARCHIVED, _l("Archived")),
        ],
        validators=[DataRequired()],
    )
    registration_deadline = DateTimeLocalField(
        _l("Registration deadline (event time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired()],
    )
    slot_minutes = IntegerField(
        _l("Slot length in minutes"), validators=[DataRequired(), NumberRange(min=5, max=240)]
    )
    default_max_meetings = IntegerField(
        _l("Meeting cap per company"), validators=[DataRequired(), NumberRange(min=1, max=100)]
    )
    open_request_cap = IntegerField(
        _l("Unanswered requests a company may have"),
        validators=[DataRequired(), NumberRange(min=1, max=500)],
    )
    request_expiry_hours = IntegerField(
        _l("Hours before an unanswered request expires"),
        validators=[DataRequired(), NumberRange(min=1, max=24 * 60)],
    )
    days = FieldList(FormField(DayForm), min_entries=1, max_entries=31)
    breaks = FieldList(FormField(BreakForm), min_entries=1, max_entries=100)
    zones = FieldList(FormField(ZoneForm), min_entries=1, max_entries=30)
    weight_sector = FloatField(
        _l("Weight: sector fit"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    weight_text = FloatField(
        _l("Weight: product description"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    weight_request = FloatField(
        _l("Weight: meeting requests"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    weight_language = FloatField(
        _l("Weight: common language"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    weight_capacity = FloatField(
        _l("Weight: order size and capacity"),
        validators=[InputRequired(), NumberRange(min=0, max=10)],
    )
    weight_diversity = FloatField(
        _l("Diversity discount per repeated country"),
        validators=[InputRequired(), NumberRange(min=0, max=0.99)],
    )
    confirm_drop = BooleanField(_l("Yes, cancel the meetings listed above"))


class NewEventForm(BaseForm):
    """Create an event."""

    name = StringField(_l("Event name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name for addresses"),
        validators=[
            DataRequired(),
            Length(min=3, max=80),
            Regexp(r"^[a-z0-9-]+$", message=_l("Use a-z, 0-9 and -.")),
        ],
    )
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    # Choices are set per request (their offsets are today's); any zone the database lists is
    # accepted, with a message naming the field instead of WTForms' "Not a valid choice".
    timezone = SelectField(
        _l("Timezone"),
        default="Asia/Shanghai",
        choices=[],
        validate_choice=False,
        validators=[DataRequired(), Length(max=64)],
    )
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    registration_deadline = DateTimeLocalField(
        _l("Registration deadline (event time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    def validate_timezone(self, field: SelectField) -> None:
        # Only a name the time zone database lists is ever opened: ZoneInfo() reads a file
        # named by its argument, and fails with OSError on an overlong name or a folder.
        if not field.errors and (field.data or "") not in known_timezones():
            raise ValidationError(_l("Unknown timezone, e.g. Asia/Shanghai."))


class AssignOrganiserForm(BaseForm):
    """An administrator makes an organiser account an organiser of the event."""

    email = EmailField(
        _l("Organiser's e-mail"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(), Email(), Length(max=254)],
    )


class ConfirmForm(BaseForm):
    """A button that only needs the CSRF token (remove an organiser from an event)."""


class EventTextsForm(BaseSubForm):
    """An event's name, venue, city and description in one language (all optional)."""

    name = StringField(_l("Event name"), validators=[Optional(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class EventDetailsForm(BaseForm):
    """What participants read about the event, in the organisers' wording and translated."""

    name = StringField(_l("Event name"), validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    en = FormField(EventTextsForm)
    zh = FormField(EventTextsForm)
    ru = FormField(EventTextsForm)


class BulkApproveForm(BaseForm):
    """Approve several pending registrations at once: the ticked ones, or all those shown."""

    ids = SelectMultipleField(_l("Registrations"), coerce=int, validate_choice=False)
    scope = SelectField(
        choices=[SelectChoice("ticked", "ticked"), SelectChoice("shown", "shown")],
        validators=[DataRequired(), AnyOf(["ticked", "shown"])],
    )

    def validate_ids(self, field: SelectMultipleField) -> None:
        if self.scope.data == "ticked" and not field.data:
            raise ValidationError(_l("Tick the registrations to approve."))


class ImportUploadForm(SpreadsheetUploadForm):
    """A file of registrations to check before importing it."""


class ImportConfirmForm(BaseForm):
    """Import the checked file kept under ``token``, as pending or approved registrations."""

    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    status = RadioField(
        _l("Import the registrations as"),
        choices=[
            SelectChoice(ParticipationStatus.PENDING, _l("Pending: to review and approve later")),
            SelectChoice(ParticipationStatus.APPROVED, _l("Approved")),
        ],
        default=ParticipationStatus.PENDING,
        validators=[DataRequired()],
    )
