"""gunicorn settings, read by gunicorn from the directory it starts in (the project's).

Each worker freezes the objects of its start-up (modules, the app, the translation
catalogues: about 200,000) out of the garbage collector's reach once the app is loaded. A
full collection otherwise scanned them all, about 80 ms in which the worker answered
nothing: that was the p99 of every page, ``/healthz`` included, and most of the company
agenda's p95 under load (``benchmarks.web``). After the freeze a full collection takes about
3 ms. The CPython documentation recommends ``gc.freeze()`` for pre-forked servers.
"""

import gc


def post_worker_init(worker: object) -> None:
    gc.collect()
    gc.freeze()
