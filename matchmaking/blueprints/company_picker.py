"""A form field picking one of an event's approved companies, whatever the event's size.

Small events: a ``<select data-picker>`` of every company (static/js/picker.js filters it as
the organiser types). Large events (more than ``PICKER_INLINE_LIMIT`` companies): a text input
with ``data-picker-url``, whose matches picker.js fetches from the organiser's JSON search
(``directory.company_search``), and a hidden ``<name>-id`` that the script fills with the chosen
company; without JavaScript the server resolves the typed name. ``data`` is the participation id.
``SearchPickerField`` is the same for any row (the schedule's swap picker picks meetings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from wtforms import Field
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import html_params

from matchmaking.errors import InvalidInput
from matchmaking.models import Event
from matchmaking.services import company_picker


def searches_server(session: Session, event: Event) -> bool:
    """Whether the event is too large for pickers listing every company (one statement)."""
    limit = current_app.config.get("PICKER_INLINE_LIMIT", company_picker.INLINE_LIMIT)
    return company_picker.count(session, event) > limit


class SearchPickerField(Field):
    """One row picked by id: a select of ``options`` when the view gives them, otherwise a text
    input whose matches picker.js fetches from ``search_url`` and which ``resolve`` turns into
    an id (``resolve(text, chosen id or None)``, raising InvalidInput)."""

    data: int | None

    def __init__(self, label: Any = None, validators: Any = None, **kw: Any) -> None:
        super().__init__(label, validators, **kw)
        self.text = ""
        self.chosen: int | None = None
        self.options: list[tuple[int, str]] | None = None  # a select of these when set
        self.search_url = ""
        self._resolve: Callable[[str, int | None], int] | None = None

    def configure(
        self,
        options: list[tuple[int, str]] | None = None,
        search_url: str = "",
        resolve: Callable[[str, int | None], int] | None = None,
        label_of: Callable[[int], str | None] | None = None,
    ) -> None:
        """A select of ``options``, or a server search (``search_url`` and ``resolve``)."""
        self.options, self.search_url, self._resolve = options, search_url, resolve
        if self.data and not self.text:  # a default: show its name
            if options is not None:
                self.text = dict(options).get(self.data, "")
            elif label_of is not None:
                self.text = label_of(self.data) or ""

    def missing_message(self) -> str:
        return _("Choose one.")

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            raw = formdata.get(f"{self.name}-id", "")
            self.chosen = int(raw) if str(raw).isdigit() else None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None

    def pre_validate(self, form: Any) -> None:
        if not self.text:
            raise StopValidation(self.missing_message())
        if self.options is not None:  # a select posts the id
            ids = {pid for pid, _name in self.options}
            if not self.text.isdigit() or int(self.text) not in ids:
                raise StopValidation(_("Not a valid choice."))
            self.data = int(self.text)
            self.text = dict(self.options)[self.data]
            return
        assert self._resolve is not None, "configure() first"
        try:
            self.data = self._resolve(self.text, self.chosen)
        except InvalidInput as error:
            raise ValidationError(error.message) from error

    def __call__(self, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", self.id)
        if self.options is not None:
            kwargs["data-picker"] = ""
            # The options as html_params would write them ('selected value="3"'), without its
            # per-attribute work: a small event's picker lists a few hundred companies.
            options = "".join(
                f'<option {"selected " if pid == self.data else ""}value="{escape(pid)}">'
                f"{escape(name)}</option>"
                for pid, name in self.options
            )
            return Markup("<select {}>{}</select>").format(
                Markup(html_params(name=self.name, **kwargs)),
                Markup('<option value="">—</option>' + options),
            )
        kwargs.update({"data-picker-url": self.search_url, "autocomplete": "off"})
        kwargs.setdefault("placeholder", self.placeholder())
        return Markup('<input type="text" {}><input type="hidden" {}>').format(
            Markup(html_params(name=self.name, value=self.text, **kwargs)),
            Markup(html_params(name=f"{self.name}-id", value=self.data or "")),
        )

    def placeholder(self) -> str:
        return _("Type to search")


class CompanyPickerField(SearchPickerField):
    """One approved company of the event; ``side`` ("buy"/"sell") narrows to buyers/sellers."""

    def __init__(
        self, label: Any = None, validators: Any = None, side: str | None = None, **kw: Any
    ) -> None:
        super().__init__(label, validators, **kw)
        self.side = side

    def setup(
        self,
        session: Session,
        event: Event,
        search: bool,
        by_side: dict[str | None, list[tuple[int, str]]] | None = None,
    ) -> None:
        """List every company (``search`` False) or search the server as the organiser types;
        ``by_side``: the lists of ``company_picker.choices_by_side`` when the view has them."""
        if not search:
            options = by_side.get(self.side) if by_side is not None else None
            if options is None:
                options = company_picker.choices(session, event, self.side)
            self.configure(options=options)
            return
        self.configure(
            search_url=url_for("directory.company_search", slug=event.slug, side=self.side),
            resolve=lambda text, chosen: company_picker.resolve(
                session, event, text, chosen, self.side, self.name
            ),
            label_of=lambda pid: company_picker.name_of(session, event, pid),
        )

    def missing_message(self) -> str:
        return _("Choose a company.")

    def placeholder(self) -> str:
        return _("Type part of the name")
