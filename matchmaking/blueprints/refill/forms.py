"""Forms of the live refill views."""

from __future__ import annotations

from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from matchmaking.blueprints.forms_base import BaseForm

ID_MAX = 2**31 - 1


class ConfirmForm(BaseForm):
    """Confirm one proposal (only the CSRF token: the proposal is in the address)."""


class OfferForm(BaseForm):
    """Find pairs for a freed table: its slot, zone and table."""

    slot = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, ID_MAX)])
    zone = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, ID_MAX)])
    table = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, 10_000)])


class StandbyForm(BaseForm):
    """Join or leave today's standby list."""

    # Sent by the two buttons, never shown: no label (else WTForms makes one through its own
    # message catalogue, read from disk for every page that shows the form).
    action = SelectField(
        "",
        choices=[SelectChoice("join", "join"), SelectChoice("leave", "leave")],
        validators=[InputRequired()],
    )
