"""Choice lists that several forms share, built one way."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from matchmaking.models import Event


def sector_choices(event: Event, empty_label: str = "—", value: type = str) -> list[SelectChoice]:
    """The event's sectors for a filter or a picker: each top sector heads its own group, with
    an option for the whole sector (which filters include its sub-sectors in) and one per
    sub-sector, in the taxonomy's order."""
    choices = [SelectChoice("", empty_label)]
    for top in event.top_sectors():
        group = _(top.name)
        choices.append(
            SelectChoice(value(top.id), _("%(sector)s · all", sector=group), optgroup=group)
        )
        choices += [
            SelectChoice(value(child.id), _(child.name), optgroup=group)
            for child in sorted(top.children, key=lambda s: s.position)
        ]
    return choices
