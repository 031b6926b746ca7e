"""User accounts: company contact persons, organisers, reporters and administrators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaking.extensions import db
from matchmaking.models.types import UTCDateTime, one_of, utcnow
from matchmaking.search_keys import contact_search_key

if TYPE_CHECKING:
    from matchmaking.models.company import Company


class Role(StrEnum):
    """What a user may do. An administrator creates events and assigns organisers to them; an
    organiser manages the events assigned to them. Wherever an organiser may act, an
    administrator may too (any event)."""

    COMPANY = "company"  # a company's contact person
    ORGANISER = "organiser"
    REPORTER = "reporter"  # reads the deal figures through the API
    ADMIN = "admin"
    INTERPRETER = "interpreter"  # interprets meetings at the events it serves; reads its agenda
    FLOOR_STAFF = "floor_staff"  # checks companies in at the venue, at the events assigned


ROLES = tuple(Role)
# Werkzeug's default (scrypt). Tests lower it to keep factories fast; never lowered in the app.
PASSWORD_HASH_METHOD = "scrypt"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A person who logs in with an e-mail address; company users belong to one company."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="role_known"),
        CheckConstraint(
            f"(role = '{Role.COMPANY}') = (company_id IS NOT NULL)",
            name="company_users_have_company",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.COMPANY)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(8), default="en")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session and remember cookie (get_id); bumping it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Full name and e-mail, casefolded and transliterated (matchmaking.search_keys); set on
    # every insert and update, for the organisers' registration search.
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")

    company: Mapped[Company | None] = relationship(back_populates="contacts")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def has_role(self, *roles: str) -> bool:
        """True when the user's role is one of ``roles``; an administrator is also an organiser."""
        return self.role in roles or (self.role == Role.ADMIN and Role.ORGANISER in roles)

    def set_password(self, password: str) -> None:
        """Store a new password; sessions opened with the old one end."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session and remember cookie issued so far (on any device)."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # Flask-Login stores this in the session and the remember cookie; the user loader
        # accepts it only while the version is current.
        return f"{self.id}:{self.session_version or 0}"


@sa_event.listens_for(User, "before_insert")
@sa_event.listens_for(User, "before_update")
def _set_user_search_key(_mapper: object, _connection: object, user: User) -> None:
    user.search_key = contact_search_key(user.full_name, user.email)
