"""Forms for registering a company and editing what it declared for an event."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from matchmaking.blueprints.forms_base import BaseForm, BaseSubForm, OptionalUnless
from matchmaking.i18n import COMPANY_SIZES, country_choices, language_choices, valid_country
from matchmaking.models import Company, Event, Participation
from matchmaking.models.company import CompanySize, OfferingKind
from matchmaking.services.registration import (
    AvailabilityInput,
    CompanyInput,
    ContactInput,
    OfferingInput,
    ParticipationInput,
)


def _optional_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OfferingForm(BaseSubForm):
    """One line: a sector and the products, with an optional volume."""

    sector = SelectField(_l("Sector"), coerce=_optional_int, choices=[])
    description = StringField(
        _l("Products"),
        validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": _l("e.g. wheeled tractors, 80-120 hp")},
    )
    volume_usd = DecimalField(
        _l("Volume in US dollars (optional)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=10**11)],
    )

    def validate_sector(self, field: SelectField) -> None:
        if field.data is None and (self.description.data or self.volume_usd.data):
            raise ValidationError(_l("Choose a sector for this line."))


class AvailabilityDayForm(BaseSubForm):
    """Attendance and hours on one event day."""

    day = HiddenField()
    attending = BooleanField(_l("Attending"))
    start = TimeField(
        _l("From"), validators=[OptionalUnless("attending", _l("Give the time you arrive."))]
    )
    end = TimeField(
        _l("Until"), validators=[OptionalUnless("attending", _l("Give the time you leave."))]
    )

    def validate_day(self, field: HiddenField) -> None:
        try:
            date.fromisoformat(field.data or "")
        except ValueError:
            raise ValidationError(_l("Not a valid day.")) from None

    def validate_end(self, field: TimeField) -> None:
        if not self.attending.data or self.start.data is None or field.data is None:
            return  # a missing or unreadable time has its message on its own field
        if field.data <= self.start.data:
            raise ValidationError(_l("Must be later than the start time."))


class CompanyFields(BaseForm):
    """The company profile."""

    legal_name = StringField(
        _l("Legal name of the company"), validators=[DataRequired(), Length(max=200)]
    )
    country = SelectField(_l("Country"), validators=[DataRequired()], choices=[])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full address, e.g. https://example.com")),
            Length(max=300),
        ],
    )
    size = SelectField(
        _l("Company size"),
        choices=[SelectChoice(code, label) for code, label in COMPANY_SIZES.items()],
        default=CompanySize.SMALL,
    )
    description = TextAreaField(_l("About the company"), validators=[Optional(), Length(max=2000)])
    languages = MultiCheckboxField(_l("Languages your delegates speak"), choices=[])

    def setup_company_choices(self) -> None:
        self.country.choices = country_choices()
        self.languages.choices = language_choices()

    def validate_country(self, field: SelectField) -> None:
        if not valid_country(field.data or ""):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_languages(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))

    def company_input(self) -> CompanyInput:
        return CompanyInput(
            legal_name=self.legal_name.data or "",
            country=self.country.data or "",
            city=self.city.data or "",
            website=self.website.data or "",
            size=self.size.data or CompanySize.SMALL,
            description=self.description.data or "",
            languages=tuple(self.languages.data or ()),
        )

    def fill_company(self, company: Company) -> None:
        for name in (
            "legal_name",
            "country",
            "city",
            "website",
            "size",
            "description",
            "languages",
        ):
            getattr(self, name).data = getattr(company, name)


class ParticipationFields(BaseForm):
    """What a company sells and buys at the event, when it is there, and its needs."""

    sells = FieldList(FormField(OfferingForm), min_entries=3, max_entries=12)
    buys = FieldList(FormField(OfferingForm), min_entries=3, max_entries=12)
    availability = FieldList(FormField(AvailabilityDayForm), max_entries=31)
    max_meetings = IntegerField(
        _l("Most meetings you want (optional)"),
        validators=[Optional(), NumberRange(min=1, max=40)],
    )
    interpreter_needed = BooleanField(_l("We need an interpreter"))
    brings_interpreter = BooleanField(_l("We bring our own interpreter"))
    interpreter_note = StringField(
        _l("Interpreter languages or notes"), validators=[Optional(), Length(max=200)]
    )
    directory_consent = BooleanField(
        _l("List our company in the participant directory so others can request meetings")
    )

    def setup_participation_choices(self, event: Event, label: Any) -> None:
        choices = [SelectChoice("", "—")]
        for top in event.top_sectors():
            group = label(top.name)
            choices.append(SelectChoice(top.id, group + " · " + str(_l("general")), optgroup=group))
            choices += [SelectChoice(c.id, label(c.name), optgroup=group) for c in top.children]
        for entry in [*self.sells, *self.buys]:
            entry.form.sector.choices = choices
        if not self.availability.entries:
            # Each day's negotiation hours as set up by the organisers (else the usual day).
            hours = {d.day: (d.start_time, d.end_time) for d in event.schedule_days}
            for day in event.days:
                start, end = hours.get(day, (time(9, 0), time(17, 30)))
                self.availability.append_entry(
                    {"day": day.isoformat(), "attending": True, "start": start, "end": end}
                )

    def validate_brings_interpreter(self, field: BooleanField) -> None:
        if field.data and self.interpreter_needed.data:
            raise ValidationError(
                _l("Choose one: either you need an interpreter or you bring your own.")
            )

    def validate_availability(self, field: FieldList) -> None:
        if not any(entry.form.attending.data for entry in field):
            raise ValidationError(_l("Choose at least one day you attend."))

    def validate_sells(self, field: FieldList) -> None:
        if not _lines(self.sells) and not _lines(self.buys):
            raise ValidationError(
                _l("Tell us at least one sector you sell in or want to buy from.")
            )

    def participation_input(self) -> ParticipationInput:
        offerings = tuple(
            OfferingInput(
                kind=kind,
                sector_id=entry.sector.data,
                description=entry.description.data or "",
                volume_usd=Decimal(entry.volume_usd.data)
                if entry.volume_usd.data is not None
                else None,
            )
            for kind, field in ((OfferingKind.SELL, self.sells), (OfferingKind.BUY, self.buys))
            for entry in _lines(field)
        )
        availability = tuple(
            AvailabilityInput(
                day=date.fromisoformat(e.form.day.data),
                start=e.form.start.data,
                end=e.form.end.data,
            )
            for e in self.availability
            if e.form.attending.data
        )
        return ParticipationInput(
            offerings=offerings,
            availability=availability,
            max_meetings=self.max_meetings.data,
            interpreter_needed=bool(self.interpreter_needed.data),
            brings_interpreter=bool(self.brings_interpreter.data),
            interpreter_note=self.interpreter_note.data or "",
            directory_consent=bool(self.directory_consent.data),
        )

    def fill_participation(self, participation: Participation) -> None:
        def rows(kind: str) -> list[dict[str, Any]]:
            return [
                {"sector": o.sector_id, "description": o.description, "volume_usd": o.volume_usd}
                for o in participation.offerings
                if o.kind == kind
            ]

        for name, kind in (("sells", OfferingKind.SELL), ("buys", OfferingKind.BUY)):
            field: FieldList = getattr(self, name)
            data = rows(kind)
            data += [{}] * max(0, 3 - len(data)) + [{}]
            while field.entries:
                field.pop_entry()
            for row in data[: field.max_entries]:
                field.append_entry(row)
        windows = {a.day: a for a in participation.availability}
        while self.availability.entries:
            self.availability.pop_entry()
        for day in participation.event.days:
            window = windows.get(day)
            self.availability.append_entry(
                {
                    "day": day.isoformat(),
                    "attending": window is not None,
                    "start": window.start_time if window else time(9, 0),
                    "end": window.end_time if window else time(17, 30),
                }
            )
        self.max_meetings.data = participation.max_meetings
        self.interpreter_needed.data = participation.interpreter_needed
        self.brings_interpreter.data = participation.brings_interpreter
        self.interpreter_note.data = participation.interpreter_note
        self.directory_consent.data = participation.directory_consent


def _lines(field: FieldList) -> list[OfferingForm]:
    return [entry.form for entry in field if entry.form.sector.data is not None]


class AccountFields(BaseForm):
    """The contact person's account."""

    full_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=10, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def contact_input(self, locale: str) -> ContactInput:
        return ContactInput(
            full_name=self.full_name.data or "",
            email=self.email.data or "",
            password=self.password.data,
            position=self.position.data or "",
            phone=self.phone.data or "",
            locale=locale,
        )


class RegistrationForm(AccountFields, CompanyFields, ParticipationFields):
    """Register a company, its first contact person and its participation in one go."""

    privacy_consent = BooleanField(
        _l("I agree that the organisers process these data to arrange meetings"),
        validators=[DataRequired(message=_l("Registration needs this consent."))],
    )


class CompanyProfileForm(CompanyFields):
    """Edit the company profile."""


class ParticipationForm(ParticipationFields):
    """Edit what the company declared for one event."""


class ContactForm(BaseForm):
    """Invite a further contact person of the same company."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
