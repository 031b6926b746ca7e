"""The form base: every form of the app is guarded, and the guard refuses what it should."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import (
    DecimalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import NumberRange, Optional

import matchmaking.blueprints
from matchmaking.blueprints.forms_base import BaseForm, BaseSubForm

CONTROL = "Remove the control characters"


def _form_modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(matchmaking.blueprints.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"matchmaking.blueprints.{info.name}.forms")
            except ModuleNotFoundError:
                continue


FORM_CLASSES = sorted(
    {
        cls
        for module in _form_modules()
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Form) and cls.__module__ == module.__name__
    },
    key=lambda cls: f"{cls.__module__}.{cls.__name__}",
)


def _unbound_fields(cls: type) -> Iterator[tuple[str, UnboundField]]:
    """Every field of ``cls``, inside lists and sub-forms too."""
    for name in dir(cls):
        value = getattr(cls, name)
        if isinstance(value, UnboundField):
            yield from _expand(f"{cls.__name__}.{name}", value)


def _expand(path: str, unbound: UnboundField) -> Iterator[tuple[str, UnboundField]]:
    if issubclass(unbound.field_class, FieldList):
        yield from _expand(path + "[]", unbound.args[0])
    elif issubclass(unbound.field_class, FormField):
        for name, inner in _unbound_fields(unbound.args[0]):
            yield f"{path}.{name}", inner
    else:
        yield path, unbound


def test_the_app_has_forms_to_check() -> None:
    assert len(FORM_CLASSES) > 20


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_form_binds_guarded_fields(cls: type) -> None:
    assert issubclass(cls, (BaseForm, BaseSubForm))


NUMBER_FIELDS = [
    pytest.param(unbound, id=path)
    for cls in FORM_CLASSES
    for path, unbound in _unbound_fields(cls)
    if issubclass(unbound.field_class, (IntegerField, DecimalField, FloatField))
]


@pytest.mark.parametrize("unbound", NUMBER_FIELDS)
def test_every_number_field_has_an_upper_bound(unbound: UnboundField) -> None:
    """A number without a maximum reaches the database, whose columns have one."""
    validators = unbound.kwargs.get("validators") or []
    assert any(isinstance(v, NumberRange) and v.max is not None for v in validators)


# --- the guard -----------------------------------------------------------------------------------


class Row(Form):
    """A plain sub-form, not derived from the base: the guard reaches it through FormField."""

    note = StringField()


class Sample(BaseSubForm):
    name = StringField(validators=[Optional()])
    text = TextAreaField(validators=[Optional()])
    secret = PasswordField(validators=[Optional()])
    amount = DecimalField(places=None, validators=[Optional()])
    weight = FloatField(validators=[Optional()])
    count = IntegerField(validators=[Optional()])
    tags = FieldList(StringField(), min_entries=1)
    row = FormField(Row)


def _errors(app: Flask, **data: str) -> dict[str, Any]:
    with app.test_request_context():
        form = Sample(MultiDict(data))
        form.validate()
        return {name: _text(errors) for name, errors in form.errors.items()}


def _text(errors: Any) -> Any:
    """Messages as plain strings, in the nesting of lists and sub-forms."""
    if isinstance(errors, dict):
        return {k: _text(v) for k, v in errors.items()}
    if isinstance(errors, list):
        return [_text(e) for e in errors]
    return str(errors)


@pytest.mark.parametrize(
    "character", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"]
)
@pytest.mark.parametrize("field", ["name", "text", "secret", "tags-0", "row-note"])
def test_control_characters_are_refused_in_every_text_field(
    app: Flask, field: str, character: str
) -> None:
    errors = _errors(app, **{field: f"a{character}b"})
    top = field.split("-")[0]
    assert CONTROL in str(errors[top])


@pytest.mark.parametrize("character", ["\t", "\n", "\r"])
def test_multi_line_text_keeps_tabs_and_line_breaks(app: Flask, character: str) -> None:
    assert _errors(app, text=f"a{character}b") == {}
    assert CONTROL in str(_errors(app, name=f"a{character}b")["name"])


@pytest.mark.parametrize("text", ["Chongqing 重庆", "Ωmega ☃ 😀", "\u202eRTL", "a\u00a0b"])
def test_other_unicode_text_passes(app: Flask, text: str) -> None:
    assert _errors(app, name=text, text=text) == {}


@pytest.mark.parametrize("value", ["sNaN", "-sNaN", "NaN", "Infinity", "-Infinity", "inf"])
def test_decimals_must_be_finite(app: Flask, value: str) -> None:
    assert _errors(app, amount=value) == {"amount": ["Enter a finite number."]}


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_floats_must_be_finite(app: Flask, value: str) -> None:
    assert _errors(app, weight=value) == {"weight": ["Enter a finite number."]}


@pytest.mark.parametrize("value", [str(2**31), str(-(2**31)), "9" * 30])
def test_integers_must_fit_an_integer_column(app: Flask, value: str) -> None:
    assert _errors(app, count=value) == {"count": ["This number is too large."]}


def test_ordinary_numbers_pass(app: Flask) -> None:
    assert _errors(app, amount="1234.5", weight="0.5", count=str(2**31 - 1)) == {}
