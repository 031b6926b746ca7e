"""Forms of the deals pages; the services check the rules, the forms parse the input."""

from __future__ import annotations

from typing import Any

import pycountry
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional

from matchmaking.blueprints.choices import sector_choices
from matchmaking.blueprints.forms_base import BaseForm
from matchmaking.i18n import country_choices
from matchmaking.models import Event
from matchmaking.models.deal import ConflictRule, OutcomeStage
from matchmaking.services.deals import COMMON_CURRENCIES

AMOUNT_MAX = 10**12
RATE_MAX = 10**9  # the rate column (NUMERIC(20, 10)) holds ten integer digits
STAGE_LABELS: dict[str, Any] = {
    OutcomeStage.NO_INTEREST: _l("No interest"),
    OutcomeStage.FOLLOW_UP: _l("Follow-up planned"),
    OutcomeStage.TENTATIVE: _l("Tentative deal"),
    OutcomeStage.PRELIMINARY: _l("Preliminary agreement"),
    OutcomeStage.SIGNED: _l("Signed contract"),
}
RULE_LABELS: dict[str, Any] = {
    ConflictRule.LOWER: _l("The lower value"),
    ConflictRule.HIGHER: _l("The higher value"),
    ConflictRule.BUYER: _l("The buyer's value"),
    ConflictRule.SUPPLIER: _l("The supplier's value"),
}


def currency_choices() -> list[SelectChoice]:
    """Common currencies first, then every ISO 4217 currency pycountry knows."""
    common = [SelectChoice(code, code) for code in COMMON_CURRENCIES]
    others = sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in COMMON_CURRENCIES)
    return (
        [SelectChoice("", "—")]
        + [SelectChoice(c.value, c.label, optgroup=str(_l("Common"))) for c in common]
        + [SelectChoice(code, code, optgroup=str(_l("Other currencies"))) for code in others]
    )


class OutcomeForm(BaseForm):
    """A company's outcome of one meeting."""

    stage = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(k, v) for k, v in STAGE_LABELS.items()],
        validators=[DataRequired(), AnyOf(list(STAGE_LABELS))],
    )
    amount = DecimalField(
        _l("Value (for deals)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Enter a value of zero or more.")),
            # Well below the 16 integer digits of the amount column (NUMERIC(18, 2)).
            NumberRange(max=AMOUNT_MAX, message=_l("Enter a smaller value.")),
        ],
    )
    currency = SelectField(_l("Currency"), choices=[], validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=[], validators=[Optional()])
    product = StringField(_l("Product"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    # The meeting and outcome version the form was opened with (services.deals.outcome_version);
    # a form sent later (queued offline) is refused if either changed meanwhile.
    version = HiddenField(validators=[Optional(), Length(max=80)])

    def setup(self, event: Event) -> None:
        self.currency.choices = currency_choices()
        self.sector.choices = sector_choices(event)


class RuleForm(BaseForm):
    """Which value counts when the two companies report different ones."""

    rule = SelectField(
        _l("When the two companies report different values, count"),
        choices=[SelectChoice(k, v) for k, v in RULE_LABELS.items()],
        validators=[DataRequired(), AnyOf(list(RULE_LABELS))],
    )


class PublishForm(BaseForm):
    """Publish the tally to reporters and the press page, optionally from an embargo time."""

    embargo_until = DateTimeLocalField(
        _l("Embargo until (event time, optional)"), validators=[Optional()]
    )


class ConfirmForm(BaseForm):
    """A button that only needs the CSRF token (unpublish, revoke, delete)."""


class RateForm(BaseForm):
    """An exchange rate valid from a date."""

    currency = SelectField(_l("Currency"), choices=[], validators=[DataRequired()])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    to_cny = DecimalField(
        _l("Value of one unit in CNY"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Enter a rate greater than zero.")),
            NumberRange(max=RATE_MAX, message=_l("Enter a smaller value.")),
        ],
    )
    to_usd = DecimalField(
        _l("Value of one unit in USD"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Enter a rate greater than zero.")),
            NumberRange(max=RATE_MAX, message=_l("Enter a smaller value.")),
        ],
    )

    def setup(self) -> None:
        self.currency.choices = currency_choices()


class MemorandumForm(BaseForm):
    """A memorandum of cooperation with a partner institution."""

    partner = StringField(_l("Partner institution"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country"), choices=[], validators=[DataRequired()])
    signed_on = DateField(_l("Signed on"), validators=[DataRequired()])
    title = StringField(_l("Subject"), validators=[Optional(), Length(max=300)])

    def setup(self) -> None:
        self.country.choices = country_choices()


class TokenForm(BaseForm):
    """A new API token."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class ReporterForm(BaseForm):
    """A reporter account created by an organiser."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
