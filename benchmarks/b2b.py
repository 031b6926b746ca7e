"""Read the published B2B instances (MiniZinc .dzn, Bofill et al., JAIR 74 (2022)).

``read_dzn(path)`` converts one file to an instance dict in the exchange format
(``shared/formats/scheduling.md``): every meeting ``must`` with score 1, one zone with
``nTables`` tables, ``nTotalSlots`` slots on one day, session 1/2 as candidate ``slots``
(morning/afternoon), forbidden slots as gaps in ``available``, fixed meetings as ``fixed``
(tables numbered in meeting order per slot), a pair requested twice kept once.
Participants are not bipartite: the lower-numbered one is the ``buyer``, roles are ``both``.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The published files live beside the project (``../shared/b2b-instances/original``);
# ``MATCHMAKING_B2B_INSTANCES`` points elsewhere.
ORIGINAL = Path(
    os.environ.get("MATCHMAKING_B2B_INSTANCES")
    or Path(__file__).resolve().parents[2] / "shared" / "b2b-instances" / "original"
)
# The crafted variants of the JAIR paper sit beside the originals: forbidden/ and fixed/.
VARIANT_FOLDERS = {
    "forb0003": "forbidden",
    "forb0007": "forbidden",
    "fixed020": "fixed",
    "fixed040": "fixed",
}
VARIANT_SUFFIX = {
    "forb0003": "forb0003",
    "forb0007": "forb0007",
    "fixed020": "fixed020-Forb",
    "fixed040": "fixed040-Forb",
}

# Proven optima (total breaks, fairness d = 2) of JAIR 74 (2022), as listed in scheduling.md.
PUBLISHED_OPTIMA: dict[str, int] = {
    "forum-13": 0,
    "forum-13crafb": 6,
    "forum-13crafc": 1,
    "forum-14": 2,
    "forumt-14": 5,
    "forumt-14crafc": 5,
    "forumt-14crafd": 4,
    "forumt-14crafe": 5,
    "tic-12": 0,
    "tic-12crafc": 0,
    "tic-13": 0,
    "tic-13crafb": 0,
    "tic-13crafc": 4,
    "tic-14crafa": 0,
    "tic-14crafc": 0,
    "tic-14crafd": 0,
    "ticf-13crafa": 0,
    "ticf-13crafb": 3,
    "ticf-13crafc": 1,
    "ticf-14crafa": 0,
}

# The paper's optima of the crafted variants (JAIR 74 (2022), Tables 6 and 7, fairness
# d = 2), as listed in issue 17; None: infeasible under d = 2 (a participant cannot fit all
# its meetings), so the paper has no optimum to compare with.
_NAMES = tuple(PUBLISHED_OPTIMA)


def _optima(values: dict[str, int]) -> dict[str, int | None]:
    return {name: values.get(name) for name in _NAMES}


VARIANT_OPTIMA: dict[str, dict[str, int | None]] = {
    "forb0003": _optima(
        {
            "forum-13": 0,
            "forum-13crafb": 5,
            "forum-13crafc": 1,
            "forum-14": 0,
            "forumt-14": 0,
            "forumt-14crafc": 0,
            "tic-13crafb": 0,
            "tic-14crafa": 0,
            "tic-14crafc": 0,
            "ticf-13crafa": 0,
            "ticf-13crafb": 5,
            "ticf-13crafc": 1,
            "ticf-14crafa": 0,
        }
    ),
    "forb0007": _optima(
        {
            "forum-13": 0,
            "forum-13crafb": 5,
            "forum-13crafc": 1,
            "ticf-13crafa": 0,
            "ticf-13crafb": 5,
            "ticf-13crafc": 1,
        }
    ),
    "fixed020": _optima(
        {
            "forum-13": 20,
            "forum-13crafb": 30,
            "forum-13crafc": 20,
            "forum-14": 20,
            "forumt-14": 7,
            "forumt-14crafc": 7,
            "forumt-14crafd": 9,
            "forumt-14crafe": 9,
            "tic-12": 1,
            "tic-12crafc": 1,
            "tic-13": 2,
            "tic-13crafb": 1,
            "tic-13crafc": 6,
            "tic-14crafa": 2,
            "tic-14crafc": 3,
            "tic-14crafd": 2,
            "ticf-13crafa": 20,
            "ticf-13crafb": 27,
            "ticf-13crafc": 20,
            "ticf-14crafa": 21,
        }
    ),
    "fixed040": _optima(
        {
            "forum-13": 49,
            "forum-13crafc": 50,
            "tic-13": 13,
            "tic-13crafb": 16,
            "tic-13crafc": 16,
            "ticf-13crafa": 49,
            "ticf-13crafc": 49,
        }
    ),
}
# Sums of those optima, as the issue states them.
VARIANT_SUMS = {"forb0003": 12, "forb0007": 12, "fixed020": 228, "fixed040": 242}

_ASSIGN = re.compile(r"(\w+)\s*=\s*(.*?);", re.S)
_DAY = datetime(2022, 3, 1, tzinfo=UTC)


def _ints(text: str) -> list[int]:
    return [int(tok) for tok in re.findall(r"-?\d+", text)]


def _sets(text: str) -> list[list[int]]:
    return [_ints(body) for body in re.findall(r"\{([^}]*)\}", text)]


def _slot_id(t: int) -> str:
    return f"s{t:02d}"


def _slots(total: int, morning: int) -> list[dict[str, Any]]:
    """Twenty-minute slots; afternoon slots start at 14:00 (times are descriptive only)."""
    slots = []
    for t in range(1, total + 1):
        offset = 20 * (t - 1) if t <= morning else 300 + 20 * (t - morning - 1)
        start = _DAY + timedelta(hours=9, minutes=offset)
        slots.append(
            {
                "id": _slot_id(t),
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=20)).isoformat(),
            }
        )
    return slots


def read_dzn(path: str | Path) -> dict[str, Any]:
    """Convert one published .dzn file to an instance dict in the exchange format."""
    path = Path(path)
    fields = dict(_ASSIGN.findall(path.read_text(encoding="ascii")))
    n_business = int(fields["nBusiness"])
    tables = int(fields["nTables"])
    total = int(fields["nTotalSlots"])
    morning = int(fields["nMorningSlots"])
    rows = _ints(fields["requested"])
    requested = [tuple(rows[i : i + 3]) for i in range(0, len(rows), 3)]
    forbidden = _sets(fields.get("forbidden", "[]"))
    fixed = _ints(fields.get("fixed", "[]"))
    all_slots = [_slot_id(t) for t in range(1, total + 1)]
    sessions = {1: all_slots[:morning], 2: all_slots[morning:]}

    def cid(p: int) -> str:
        return f"p{p:03d}"

    companies = []
    for p in range(1, n_business + 1):
        company: dict[str, Any] = {"id": cid(p), "role": "both"}
        gaps = {t for t in (forbidden[p - 1] if p - 1 < len(forbidden) else []) if t > 0}
        if gaps:
            company["available"] = [s for t, s in enumerate(all_slots, 1) if t not in gaps]
        companies.append(company)

    candidates: list[dict[str, Any]] = []
    fixed_meetings: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    tables_used: dict[int, int] = {}
    for m, (a, b, session) in enumerate(requested):
        low, high = min(a, b), max(a, b)
        if (low, high) in seen:
            continue
        seen.add((low, high))
        cand: dict[str, Any] = {
            "buyer": cid(low),
            "supplier": cid(high),
            "zone": "b2b",
            "score": 1,
            "must": True,
        }
        if session in sessions and morning < total:
            cand["slots"] = sessions[session]
        candidates.append(cand)
        slot = fixed[m] if m < len(fixed) else 0
        if slot > 0:
            tables_used[slot] = tables_used.get(slot, 0) + 1
            fixed_meetings.append(
                {
                    "buyer": cid(low),
                    "supplier": cid(high),
                    "slot": _slot_id(slot),
                    "zone": "b2b",
                    "table": tables_used[slot],
                }
            )

    instance: dict[str, Any] = {
        "format": "matchmaking-instance/1",
        "event": {"name": path.name.split(".")[0], "timezone": "UTC"},
        "slots": _slots(total, morning),
        "zones": [{"id": "b2b", "name": "Brokerage event", "tables": tables}],
        "companies": companies,
        "candidates": candidates,
    }
    if fixed_meetings:
        instance["fixed"] = fixed_meetings
    return instance


def published_paths(folder: Path = ORIGINAL) -> list[Path]:
    """The 20 published instance files, sorted by name."""
    return sorted(folder.glob("*.original.dzn"))


def variant_paths(variant: str, folder: Path = ORIGINAL) -> list[Path]:
    """The 20 files of one crafted variant (a key of VARIANT_OPTIMA), sorted by name."""
    where = folder.parent / VARIANT_FOLDERS[variant]
    return sorted(where.glob(f"*.{VARIANT_SUFFIX[variant]}.dzn"))
