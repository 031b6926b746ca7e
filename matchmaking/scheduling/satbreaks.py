"""Break variables for the SAT models (``maxsat``, ``windows``), shared by both.

A company's day is a sequence of states: ``True`` (a fixed meeting), ``False`` (it cannot
meet) or a literal (it meets). ``brk`` at position i is forced by "meets at i, not at i-1,
and at some position before i-1": a run of meetings that is not the first, i.e. one break.
The variables are only bounded from below, which is all a minimisation or an upper bound
on their number needs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from pysat.formula import IDPool


def break_clauses(
    pool: IDPool, state: Sequence[int | bool], key: Hashable
) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """(clauses, [(position, break variable), ...]) for one company's day; ``key`` names
    the new variables in ``pool`` (unique per company and day)."""
    clauses: list[list[int]] = []
    breaks: list[tuple[int, int]] = []
    earlier: int | bool = False  # meets at some position <= i - 2
    for i, now in enumerate(state):
        prev = state[i - 1] if i > 0 else False
        if i >= 2 and now is not False and prev is not True and earlier is not False:
            brk = pool.id(("brk", key, i))
            lits = [brk]
            if now is not True:
                lits.append(-now)
            if prev is not False:
                lits.append(prev)
            if earlier is not True:
                lits.append(-earlier)
            clauses.append(lits)
            breaks.append((i, brk))
        # ``earlier`` for position i + 1: meets at some position <= i - 1.
        if prev is True or earlier is True:
            earlier = True
        elif prev is False:
            pass
        elif earlier is False:
            earlier = prev
        else:
            var = pool.id(("earlier", key, i))
            clauses += [[-prev, var], [-earlier, var]]
            earlier = var
    return clauses, breaks


__all__ = ["break_clauses"]
