"""The demo event's interpreter pool: realistic and deliberately short.

Chongqing fairs hire Russian-Chinese interpreters first, then English-Chinese ones, and a
few who also speak Kazakh or Uzbek. The pool covers only part of the demo's pairs without a
common language, so the quality report shows which language pair is short and by how much.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from matchmaking.models import Event, Interpreter, User
from matchmaking.models.user import Role

DEMO_INTERPRETER = ("interpreter@demo.example", "demo-interpreter")

# (name, languages, cap, cost per slot in USD, locale); the first is the README's login.
POOL = (
    ("Li Na (demo)", ["zh", "ru"], 14, "30.00", "ru"),
    ("Wang Lei (demo)", ["zh", "ru"], 14, "30.00", "zh"),
    ("Zhao Min (demo)", ["zh", "ru"], 12, "28.00", "zh"),
    ("Chen Jing (demo)", ["zh", "ru", "en"], 14, "35.00", "en"),
    ("Zhang Wei (demo)", ["zh", "en"], 14, "25.00", "en"),
    ("Liu Yang (demo)", ["zh", "en"], 10, "25.00", "zh"),
    ("Aigerim Nurlanova (demo)", ["kk", "ru", "zh"], 10, "32.00", "ru"),
    ("Dilshod Karimov (demo)", ["uz", "ru", "zh"], 10, "32.00", "ru"),
)


def seed_demo_interpreters(session: Session, event: Event, password_hash: str) -> list[Interpreter]:
    """Register the demo pool at ``event`` (every slot, every zone); the first interpreter
    gets the documented demo password, the others none anybody knows. Flushes only."""
    from decimal import Decimal

    created = event.created_at + timedelta(days=30)
    pool = []
    for number, (name, languages, cap, cost, locale) in enumerate(POOL, start=1):
        email = DEMO_INTERPRETER[0] if number == 1 else f"interpreter{number:02d}@demo.example"
        user = User(
            email=email,
            full_name=name,
            role=Role.INTERPRETER,
            locale=locale,
            password_hash=password_hash,
            email_confirmed_at=created,
            created_at=created,
        )
        if number == 1:
            user.set_password(DEMO_INTERPRETER[1])
        interpreter = Interpreter(
            event=event,
            user=user,
            name=name,
            languages=languages,
            max_meetings=cap,
            cost_per_slot_usd=Decimal(cost),
            created_at=created,
        )
        session.add_all([user, interpreter])
        pool.append(interpreter)
    session.flush()
    return pool
