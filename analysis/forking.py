"""Calls run in worker processes forked from this one, each worker gone as soon as its share is done.

The charts (:func:`analysis.figures.figures_in_background`) and the seeded Louvain runs of
:mod:`analysis.clusters` run in forked workers: a worker inherits the data set and tables it
needs (nothing is pickled on the way out) and sends back only what its calls return (file
names, membership vectors). A worker exits as soon as its calls are done, so the memory it used
(what the calls computed, and the pages it copied from its parent) is given back then, not when
the caller collects the results (a pool's workers would hold it until then: at a million
measures the two chart workers held 1.3 GB between them through the task sheets' 100 s).

Workers die with their parent (:func:`analysis.errors.exit_with_parent`), so a killed build
leaves none. Forking is used on Linux only (:func:`can_fork`); elsewhere callers run the calls
in their own process.

Examples
--------
>>> import math
>>> with Forked([(math.factorial, (5,), {}), (math.gcd, (12, 18), {}), (abs, (-3,), {})], workers=2) as jobs:
...     jobs.results()
[120, 6, 3]
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
import warnings
from concurrent.futures.process import BrokenProcessPool

from .errors import exit_with_parent

__all__ = ["BrokenProcessPool", "Forked", "can_fork", "usable_cpus"]


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity on Linux), at least 1."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Forked workers are used on Linux only (Windows cannot fork; on macOS forking is unsafe)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _exit_on_term(signum, frame):
    raise SystemExit(128 + signum)


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, attached as its ``__cause__``."""

    def __str__(self) -> str:
        return self.args[0]


class Forked:
    """Run `calls` (``(function, args, kwargs)`` triples) in `workers` processes forked from this one.

    Worker ``i`` runs calls ``i, i + workers, i + 2 * workers, ...`` in turn, sends their
    results back through a pipe and exits. :meth:`results` returns them in call order; an
    exception raised by a call is raised again there (with the worker's traceback as its
    cause), and a worker that died without answering (killed, out of memory) raises
    :class:`~concurrent.futures.process.BrokenProcessPool`. Results must be small enough to
    pickle (file names, arrays), as a worker keeps its memory until its answer has been read.
    Leaving the block stops any worker still running. Use as a context manager::

        with Forked([(f, args, kwargs), ...], workers=2) as jobs:
            ...  # other work here while the workers run
            results = jobs.results()
    """

    def __init__(self, calls: list, *, workers: int):
        self.calls = list(calls)
        self.workers = max(1, min(int(workers), len(self.calls)))
        self.procs: list = []  # (process, receiving end of its pipe)

    def __enter__(self):
        ctx = multiprocessing.get_context("fork")
        parent = os.getpid()
        with warnings.catch_warnings():
            # Python >= 3.12 warns that forking a process with threads (pyarrow's pool) may
            # deadlock the child; the workers take none of those threads' locks
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            try:
                for i in range(self.workers):
                    receive, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=self._work, args=(i, send, parent), daemon=True)
                    proc.start()
                    send.close()  # only the worker writes: its exit closes the pipe (EOF here)
                    self.procs.append((proc, receive))
            except BaseException:  # (a fork refused: no memory left) the workers started are stopped
                self.stop()
                raise
        return self

    def _work(self, i: int, send, parent: int) -> None:
        """In worker `i`: run its share of the calls and send ``(ok, results or exception, traceback)``.

        :meth:`stop`'s SIGTERM is raised here as ``SystemExit``, so a stopped worker unwinds:
        the temporary file of an output it was writing is removed
        (:func:`analysis.errors.atomic_write`), none is left beside the old file.
        """
        exit_with_parent(parent)
        signal.signal(signal.SIGTERM, _exit_on_term)
        try:
            answer = (True, [func(*args, **kwargs) for func, args, kwargs in self.calls[i :: self.workers]], "")
        except BaseException as exc:  # every failure goes back to the caller
            answer = (False, exc, "".join(traceback.format_exception(exc)))
        try:
            send.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            send.send((False, RuntimeError(f"a worker's answer could not be sent back: {exc!r}"), answer[2]))
        send.close()

    def results(self) -> list:
        """What each call returned, in call order (waits for the workers)."""
        out: list = [None] * len(self.calls)
        for i, (proc, receive) in enumerate(self.procs):
            try:
                ok, value, trace = receive.recv()
            except EOFError:
                proc.join()
                raise BrokenProcessPool(f"a worker process died (exit code {proc.exitcode})") from None
            finally:
                receive.close()
            proc.join()
            if not ok:
                raise value from _RemoteTraceback(trace)
            out[i :: self.workers] = value
        return out

    def stop(self) -> None:
        """Stop the workers still running (SIGTERM: each unwinds, see :meth:`_work`) and wait for them."""
        for proc, receive in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            receive.close()

    def __exit__(self, *exc):
        self.stop()
        return False
