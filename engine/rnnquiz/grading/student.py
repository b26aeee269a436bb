"""The student's notebook, loaded in a sandboxed process, answering calls.

Every failure of student code (missing, raising, hanging, crashing, garbage)
becomes a ``StudentError`` that a grader reports; never a crash of grading.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.pool import Connection, Pool, WorkerLost
from rnnquiz.sandboxed import wire
from rnnquiz.sandboxed.wire import Op


class StudentError(Exception):
    """Calling into the student's code did not give a value.

    kind: missing | not_implemented | raised | timeout | crashed | garbage | deadline
    """

    def __init__(self, kind: str, name: str = "", detail: dict | None = None):
        super().__init__(f"{kind}: {name}")
        self.kind, self.name, self.detail = kind, name, detail or {}



@dataclass
class CellOutcome:
    index: int           # position among the notebook's cells
    grade_id: str | None
    error: dict | None = None  # {"type", "message", "trace"} or a lost-worker kind


@dataclass
class StudentRunner:
    """The student's notebook, loaded in a worker, answering calls.

    Cells that kill or hang the worker are skipped when it is replaced, so one
    bad cell or function costs only what depends on it.
    """
    pool: Pool
    cells: list  # [(index, grade_id, source)]
    limits: Limits = field(default_factory=Limits)
    worker: Connection | None = None
    outcomes: list = field(default_factory=list)
    broken: dict = field(default_factory=dict)   # function name -> StudentError
    bad_cells: set = field(default_factory=set)
    started: float = 0.0
    # a worker where only some packages exist (a question restricted to them): a
    # function its own cell could not define there is that cell's error, not "missing"
    restricted: bool = False

    def _deadline_left(self) -> float:
        return self.limits.submission_timeout - (time.monotonic() - self.started)

    def _ensure_worker(self):
        """A live worker with every good cell executed, replaying after a loss.

        The cells go in one request and come back one reply each, every cell
        within its own time limit: a cell that hangs or ends the process is
        known, and skipped from then on."""
        if self.worker is not None and self.worker.alive:
            return
        if not self.started:
            self.started = time.monotonic()
        while True:
            self.worker = self.pool.spawn()
            todo = [cell for cell in self.cells if cell[0] not in self.bad_cells]
            if not todo or self._deadline_left() <= 0:
                return
            lost = None
            try:
                self.worker.send({"op": Op.RUN, "cells": [[index, source] for index, _g, source in todo]},
                                 self._time_for_one())
            except WorkerLost as exc:
                lost = exc  # the process ended before its first cell: that cell is blamed
            for index, grade_id, _source in todo:
                if lost is None and self._deadline_left() <= 0:
                    self.worker.kill()  # the submission's time is up: its other cells never run
                    return
                try:
                    if lost is not None:
                        raise lost
                    reply = self.worker.reply(self._time_for_one())
                    if reply.get("index") != index:
                        self.worker.kill()
                        raise WorkerLost("garbage", "a reply for another cell")
                except WorkerLost as exc:
                    # this cell hangs or ends the process: skip it from now on
                    self.bad_cells.add(index)
                    self._record(index, grade_id, {"type": exc.kind, "message": "", "trace": ""})
                    break
                error = reply.get("error")
                self._record(index, grade_id, _clean_error(error) if type(error) is dict else None)
            else:
                return

    def _time_for_one(self) -> float:
        """One cell's or call's time limit, within what is left of the submission's."""
        return min(self.limits.call_timeout, max(self._deadline_left(), 0.1))

    def _record(self, index, grade_id, error):
        if all(o.index != index for o in self.outcomes):
            self.outcomes.append(CellOutcome(index, grade_id, error))

    def start(self):
        self._ensure_worker()
        return self

    def call(self, name: str, *args, return_modules: bool = False, **kwargs):
        """Call the student's function; returns decoded data or raises StudentError."""
        reply = self._call(name, call_message(name, args, kwargs, return_modules))
        try:
            return interpret_call(name, reply, return_modules)
        except StudentError as exc:
            failed = next((o.error for o in self.outcomes if o.grade_id == name and o.error), None)
            if exc.kind == "missing" and self.restricted and failed:
                raise StudentError("raised", name, failed) from None
            raise

    def _call(self, name: str, message: dict) -> dict:
        if name in self.broken:
            raise self.broken[name]
        if self._deadline_left() <= 0:
            raise StudentError("deadline", name, {"seconds": self.limits.submission_timeout})
        self._ensure_worker()
        return self._request(name, message)

    def get(self, name: str):
        """The value of a top-level variable (quiz answers)."""
        if self._deadline_left() <= 0 and self.started:
            raise StudentError("deadline", name, {"seconds": self.limits.submission_timeout})
        self._ensure_worker()
        return interpret_call(name, self._request(name, {"op": Op.GET, "name": name}))

    def _request(self, name: str, message: dict) -> dict:
        timeout = self._time_for_one()
        try:
            try:
                return self.worker.request(message, timeout)
            except WorkerLost as lost:
                if lost.kind != "stale":
                    raise
                # leftovers of an earlier call (forked processes): a clean process, once more
                self._ensure_worker()
                return self.worker.request(message, timeout)
        except WorkerLost as lost:
            error = StudentError(lost.kind, name, {"seconds": timeout, "message": str(lost)})
            self.broken[name] = error  # do not pay the timeout again for this function
            raise error from None

    def close(self):
        if self.worker is not None:
            try:
                if self.worker.alive:
                    wire.send(self.worker.sock, {"op": Op.BYE})
            except OSError:
                pass
            self.worker.kill()
            self.worker = None


def interpret_call(name: str, reply: dict, return_modules: bool = False):
    """A worker's reply to a call as data, or the StudentError it amounts to."""
    if reply.get("missing"):
        raise StudentError("missing", name)
    if "error" in reply:
        error = reply["error"] if type(reply["error"]) is dict else {}
        kind = "not_implemented" if error.get("type") == "NotImplementedError" else "raised"
        raise StudentError(kind, name, _clean_error(error))
    try:
        value = wire.decode(reply.get("value"))
        modules = [wire.decode(m) for m in reply.get("modules", [])] if return_modules else None
    except (wire.WireError, ValueError, TypeError, RecursionError) as exc:
        raise StudentError("garbage", name, {"message": str(exc)[:200]}) from None
    return (value, modules) if return_modules else value


def call_message(name: str, args, kwargs, return_modules: bool) -> dict:
    return {"op": Op.CALL, "name": name, "args": wire.encode(list(args)),
            "kwargs": wire.encode(dict(kwargs)), "return_modules": return_modules}


def _clean_error(error: dict) -> dict:
    return {k: str(error.get(k, ""))[:1500] for k in ("type", "message", "trace")}
