"""Choice lists that several forms share, built one way."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from matchmaking.models import Event, Sector


def sector_choices(event: Event, empty_label: str = "—", value: type = str) -> list[SelectChoice]:
    """The event's sectors for a filter or a picker: each top sector heads its own group, with
    an option for the whole sector (which filters include its sub-sectors in) and one per
    sub-sector, in the taxonomy's order."""
    choices = [SelectChoice("", empty_label)]
    # The sub-sectors from the event's sectors (loaded once, by position), not from each top
    # sector's ``children``, which would load them with one statement per top sector.
    children: dict[int, list[Sector]] = {}
    for sector in event.sectors:
        if sector.parent_id is not None:
            children.setdefault(sector.parent_id, []).append(sector)
    for top in event.top_sectors():
        group = _(top.name)
        choices.append(
            SelectChoice(value(top.id), _("%(sector)s · all", sector=group), optgroup=group)
        )
        choices += [
            SelectChoice(value(child.id), _(child.name), optgroup=group)
            for child in sorted(children.get(top.id, []), key=lambda s: s.position)
        ]
    return choices


def sector_names(event: Event) -> dict[int, str]:
    """Each sector's name in the reader's language, by id: lists name the sectors of many rows,
    and translate each once."""
    return {sector.id: _(sector.name) for sector in event.sectors}
