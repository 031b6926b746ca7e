"""The base of every form: no control characters in text, only finite, bounded numbers.

``BaseForm`` (a ``FlaskForm``) and ``BaseSubForm`` (a plain ``Form`` for ``FormField``) bind
each field with a guard placed first in its validator chain, so a bad value stops there with
a message on the field and never reaches a custom validator, a service or the database
(PostgreSQL refuses NUL in text; WTForms' ``NumberRange`` raises on ``sNaN``):

* text fields (``StringField`` and its kin: e-mail, URL, password, hidden...) refuse control
  characters; a ``TextAreaField`` still accepts tab, line feed and carriage return;
* ``DecimalField`` and ``FloatField`` refuse NaN, sNaN and infinities;
* ``IntegerField`` refuses values outside the database's 32-bit integer column;
* date and date-time fields refuse years before 1900 and after 2999.

The guard reaches fields inside ``FieldList`` and ``FormField`` too.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    DateTimeField,
    DecimalField,
    Field,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation

from matchmaking.services.registration_import import MAX_FILE_BYTES

MULTILINE_ALLOWED = frozenset("\t\n\r")
INTEGER_LIMIT = 2**31 - 1  # PostgreSQL's INTEGER
FIRST_YEAR, LAST_YEAR = 1900, 2999


def has_control_characters(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """True when ``text`` holds a control character (Unicode category Cc) not in ``allowed``."""
    return any(
        unicodedata.category(ch) == "Cc" and ch not in allowed
        for ch in text
        if ch < " " or "\x7f" <= ch <= "\x9f"
    )


class NoControlCharacters:
    """Stop validation when the text holds control characters (NUL, escape, ...)."""

    def __init__(self, multiline: bool = False) -> None:
        self.allowed = MULTILINE_ALLOWED if multiline else frozenset()

    def __call__(self, form: Any, field: Field) -> None:
        values = field.raw_data or []
        if any(isinstance(v, str) and has_control_characters(v, self.allowed) for v in values):
            field.errors[:] = []  # the parse error of such a value says nothing more useful
            raise StopValidation(_l("Remove the control characters (such as NUL) from this text."))


class FiniteNumber:
    """Stop validation on NaN, sNaN and infinities, which no range check can compare."""

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        finite = (
            value.is_finite()
            if isinstance(value, Decimal)
            else math.isfinite(value)
            if isinstance(value, float)
            else True
        )
        if not finite:
            raise StopValidation(_l("Enter a finite number."))


class IntegerInRange:
    """Stop validation on integers too large for the database's integer columns."""

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, int) and abs(field.data) > INTEGER_LIMIT:
            raise StopValidation(_l("This number is too large."))


class DateInRange:
    """Stop validation on dates no event has: years 1 and 9999 cannot even move to UTC."""

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise StopValidation(
                _l("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
            )


class OptionalUnless:
    """``Optional()``, except that an empty value is an error while the sub-form's field
    ``other`` holds data (a ticked "attending" box, a day): the message then names what is
    missing, on this field, instead of a half-filled row reaching the database."""

    def __init__(self, other: str | tuple[str, ...], message: Any) -> None:
        self.others = (other,) if isinstance(other, str) else other
        self.message = message
        self.field_flags = {"optional": True}

    def __call__(self, form: Any, field: Field) -> None:
        raw = field.raw_data[0] if field.raw_data else ""
        if not isinstance(raw, str) or raw.strip():
            return
        field.errors[:] = []
        if any(form[other].data for other in self.others):
            raise StopValidation(self.message)
        raise StopValidation()


def _guards(field_class: type) -> list[Any]:
    if issubclass(field_class, StringField):
        return [NoControlCharacters(multiline=issubclass(field_class, TextAreaField))]
    if issubclass(field_class, (DecimalField, FloatField)):
        return [FiniteNumber()]
    if issubclass(field_class, IntegerField):
        return [IntegerInRange()]
    if issubclass(field_class, DateTimeField):  # DateField, DateTimeLocalField, TimeField
        return [DateInRange()]
    return []


def guarded(unbound: UnboundField) -> UnboundField:
    """``unbound`` with the guard first in its validators (inside lists and sub-forms too)."""
    cls = unbound.field_class
    args, kwargs = list(unbound.args), dict(unbound.kwargs)
    if issubclass(cls, FieldList):
        inner = args[0] if args else kwargs.pop("unbound_field")
        args = [guarded(inner), *args[1:]]
    elif issubclass(cls, FormField):
        form_class = args[0] if args else kwargs.pop("form_class")
        args = [guarded_form_class(form_class), *args[1:]]
    else:
        extra = _guards(cls)
        if not extra:
            return unbound
        if len(args) >= 2:  # validators given positionally after the label
            args[1] = [*extra, *(args[1] or ())]
        else:
            kwargs["validators"] = [*extra, *(kwargs.get("validators") or ())]
    return UnboundField(cls, *args, name=unbound.name, **kwargs)


@cache
def guarded_form_class(form_class: type[Form]) -> type[Form]:
    """``form_class`` itself when it binds guarded fields already, else a guarded subclass."""
    if issubclass(form_class, (BaseForm, BaseSubForm)):
        return form_class
    return type(form_class.__name__, (form_class,), {"Meta": GuardedMeta})


@cache
def _wtforms_catalogue(locale: str) -> support.NullTranslations:
    """WTForms' own catalogue for ``locale``, read from disk once per process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WtformsTranslations:
    """WTForms' own messages ("This field is required.") in the reader's language. Flask-WTF's
    equivalent reads the catalogue from disk on every request that renders a form (0.7 ms);
    this one keeps each language's catalogue."""

    @staticmethod
    def _catalogue() -> support.NullTranslations | None:
        if not has_request_context():
            return None
        return _wtforms_catalogue(str(get_locale() or "en"))

    def gettext(self, string: str) -> str:
        catalogue = self._catalogue()
        return string if catalogue is None else catalogue.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalogue = self._catalogue()
        if catalogue is None:
            return singular if n == 1 else plural
        return catalogue.ngettext(singular, plural, n)


WTFORMS_TRANSLATIONS = _WtformsTranslations()


class GuardedMeta:
    """Form meta mixin: every field is bound with its guard; WTForms' own messages are in the
    reader's language (page forms and forms enclosed in them alike)."""

    def bind_field(self, form: Any, unbound_field: UnboundField, options: dict[str, Any]) -> Any:
        return super().bind_field(form, guarded(unbound_field), options)  # type: ignore[misc]

    def get_translations(self, form: Any) -> Any:
        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return super().get_translations(form)  # type: ignore[misc]
        return WTFORMS_TRANSLATIONS


class BaseForm(FlaskForm):
    """The base of every page form (CSRF-protected unless its Meta says otherwise)."""

    class Meta(GuardedMeta):
        pass


class BaseSubForm(Form):
    """The base of every form enclosed in a ``FormField`` (rows of a list)."""

    class Meta(GuardedMeta):
        pass


class SpreadsheetUploadForm(BaseForm):
    """A .csv or .xlsx file to check before importing its rows (the base of each import form)."""

    file = FileField(
        _l("File (.csv or .xlsx)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file.")),
            FileSize(
                MAX_FILE_BYTES,
                message=_l("The file is larger than %(size)d MB.", size=MAX_FILE_BYTES >> 20),
            ),
        ],
    )
