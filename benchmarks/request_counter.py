"""A pytest plugin counting the test client's responses by status class.

    .venv/bin/python -m pytest -p benchmarks.request_counter tests/functional/test_fuzz_forms.py \
        tests/functional/test_bad_input.py tests/functional/test_forms_base.py

prints, at the end, how many requests the tests made and how many got 2xx, 3xx, 4xx, 5xx
(the 5xx the suite provokes on purpose, to test the error page, are counted too).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

_counts: Counter[str] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    from flask.testing import FlaskClient

    original = FlaskClient.open

    def counting_open(self: FlaskClient, *args: Any, **kwargs: Any) -> Any:
        response = original(self, *args, **kwargs)
        _counts[f"{response.status_code // 100}xx"] += 1
        return response

    FlaskClient.open = counting_open  # type: ignore[method-assign]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    total = sum(_counts.values())
    by_class = ", ".join(f"{k}: {v}" for k, v in sorted(_counts.items()))
    terminalreporter.write_line(f"requests: {total} ({by_class})")
