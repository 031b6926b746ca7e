"""gunicorn reads the project's gunicorn.conf.py; its workers freeze their start-up objects so
that a full garbage collection no longer stalls a worker for ~80 ms under load."""

from __future__ import annotations

import gc
from pathlib import Path

from gunicorn.app.base import Application

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class _App(Application):
    def init(self, parser: object, opts: object, args: object) -> None:
        return None

    def load(self) -> None:
        return None


def test_gunicorn_loads_the_hook_and_a_worker_freezes_its_start_up_objects() -> None:
    app = _App.__new__(_App)
    app.usage, app.prog, app.callable = None, None, None
    app.do_load_config = lambda: None  # type: ignore[method-assign]
    app.load_default_config()
    app.load_config_from_file(str(CONF))
    assert gc.get_freeze_count() == 0
    try:
        app.cfg.post_worker_init(object())
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
