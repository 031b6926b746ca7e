"""The one place a view commits a service call and turns its refusal into a response.

Views call services inside ``attempt``: it commits what the block did, or on a ``DomainError``
rolls back and answers the way the view asked (the message on a form, or flashed). The error
class owns the status (``InvalidInput`` 422, a conflict 409, ``NotAllowed`` 403...); the view
re-renders with ``Outcome.status`` or redirects. An access error (403) and any error under the
JSON API go on to the app's handler (``matchmaking.errors``): the error page with its message,
or the API's JSON shape ``{"message", "parameter"}``.

A form view starts from ``Outcome()``, nothing tried yet, so that one status serves each case::

    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form, success=_("Saved.")) as outcome:
            save_thing(db.session, form.data, current_user)
        if outcome.ok:
            return redirect(url_for("thing.index"))
    return render_template("thing/edit.html", form=form), outcome.status
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import flash, request

from matchmaking.blueprints.api.errors import wants_json
from matchmaking.errors import DomainError, show_on_form
from matchmaking.extensions import db


@dataclass
class Outcome:
    """What became of a form's submission: not tried yet, committed, or refused (``error``)."""

    tried: bool = False
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """The service call was committed."""
        return self.tried and self.error is None

    @property
    def status(self) -> int:
        """The status of the page that shows the form (again): the error class's status (409
        for a database conflict), 422 for a form posted but not valid, else 200."""
        if isinstance(self.error, DomainError):
            return self.error.status
        if self.error is not None:
            return 409
        return 422 if request.method == "POST" and not self.tried else 200


@contextmanager
def attempt(
    form: Any = None,
    *,
    field: str | None = None,
    success: str | None = None,
    silent: tuple[type[Exception], ...] = (),
) -> Iterator[Outcome]:
    """Run the block's service calls and commit; on a ``DomainError`` roll back and answer it.

    With ``form`` the message goes on the field the error names (else ``field``, else above
    the form), without it the message is flashed. ``success`` is flashed after the commit.
    Errors of a ``silent`` type are rolled back and kept in ``Outcome.error`` unanswered, for
    views that must not reveal them (an e-mail address already in use).
    """
    outcome = Outcome(tried=True)
    try:
        yield outcome
        db.session.commit()
    except silent as error:
        db.session.rollback()
        outcome.error = error
    except DomainError as error:
        db.session.rollback()
        if error.status == 403 or wants_json():
            raise  # the app's handler: the error page (with its message) or the API's JSON
        outcome.error = error
        if form is not None:
            show_on_form(form, error, field)
        else:
            flash(error.message, "error")
    else:
        if success:
            flash(success, "success")
