"""The shared job queue: order, position, leaving, a full server, the cross-session cache."""

import threading
import time

import pytest

from core.jobs import CANCELLED, DONE, FAILED, RUNNING, WAITING, JobQueue, QueueFull


def wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Gate:
    """Work that runs until the test opens its gate, recording the order it ran in."""

    def __init__(self, order: list, name: str):
        self.order, self.name, self.open = order, name, threading.Event()

    def __call__(self, job):
        self.order.append(self.name)
        while not self.open.wait(0.01):
            job.check()  # raises Cancelled once the student stops it
        return self.name.upper()


def test_jobs_run_first_come_first_served_one_at_a_time():
    queue, order = JobQueue(workers=1, capacity=10), []
    gates = [Gate(order, n) for n in "abc"]
    jobs = [queue.submit("dream", g) for g in gates]
    wait_until(lambda: jobs[0].state == RUNNING)
    assert [j.state for j in jobs] == [RUNNING, WAITING, WAITING]
    for gate, job in zip(gates, jobs, strict=True):
        gate.open.set()
        wait_until(lambda job=job: job.finished)
    assert order == ["a", "b", "c"]
    assert [j.result for j in jobs] == ["A", "B", "C"]
    assert all(j.state == DONE for j in jobs)


def test_position_and_estimated_wait_follow_the_line():
    queue, order = JobQueue(workers=1, capacity=10, typical_s={"dream": 10.0}), []
    gates = [Gate(order, n) for n in "abc"]
    jobs = [queue.submit("dream", g) for g in gates]
    wait_until(lambda: jobs[0].state == RUNNING)
    assert [j.position() for j in jobs] == [0, 1, 2]
    first, second = jobs[1].estimated_wait_s(), jobs[2].estimated_wait_s()
    assert 0 < first <= 10 and second == pytest.approx(first + 10, abs=0.5)
    gates[0].open.set()
    wait_until(lambda: jobs[1].state == RUNNING)
    assert [j.position() for j in jobs] == [0, 0, 1]
    for g in gates:
        g.open.set()


def test_leaving_the_line_moves_everyone_behind_up_and_the_job_never_runs():
    queue, order = JobQueue(workers=1, capacity=10), []
    gates = [Gate(order, n) for n in "abc"]
    jobs = [queue.submit("training", g) for g in gates]
    wait_until(lambda: jobs[0].state == RUNNING)
    jobs[1].cancel()
    assert jobs[1].state == CANCELLED and jobs[2].position() == 1
    jobs[0].cancel()  # a running job is asked to stop and ends as cancelled
    wait_until(lambda: jobs[0].finished)
    assert jobs[0].state == CANCELLED
    gates[2].open.set()
    wait_until(lambda: jobs[2].finished)
    assert order == ["a", "c"]


def test_a_full_line_says_so_instead_of_hanging():
    queue, order = JobQueue(workers=1, capacity=2, typical_s={"dream": 60.0}), []
    gates = [Gate(order, n) for n in "abc"]
    running = queue.submit("dream", gates[0])
    wait_until(lambda: running.state == RUNNING)
    queue.submit("dream", gates[1])
    queue.submit("dream", gates[2])
    start = time.monotonic()
    with pytest.raises(QueueFull, match=r"server is full: 2 students are already waiting"):
        queue.submit("dream", Gate(order, "d"))
    assert time.monotonic() - start < 0.5
    assert queue.waiting() == 2
    for g in gates:
        g.open.set()


def test_failures_are_kept_on_the_job_and_the_worker_goes_on():
    queue = JobQueue(workers=1, capacity=5)

    def broken(job):
        raise ValueError("bad settings")

    failed = queue.submit("training", broken)
    fine = queue.submit("training", lambda job: 42)
    wait_until(lambda: fine.finished)
    assert failed.state == FAILED and isinstance(failed.error, ValueError)
    assert fine.result == 42


def test_identical_jobs_share_one_run_and_its_cached_result():
    queue, order = JobQueue(workers=1, capacity=5, cache_size=2), []
    gate = Gate(order, "same")
    first = queue.submit("dream", gate, key="photo+settings")
    again = queue.submit("dream", Gate(order, "other"), key="photo+settings")  # another student
    assert again is first
    gate.open.set()
    wait_until(lambda: first.finished)
    later = queue.submit("dream", Gate(order, "later"), key="photo+settings")
    assert later is first and later.result == "SAME" and queue.cached("photo+settings") is first
    assert order == ["same"]  # the work ran once for everybody
    for name in ("x", "y"):  # the cache keeps only the newest `cache_size` results
        job = queue.submit("dream", lambda job, name=name: name, key=name)
        wait_until(lambda job=job: job.finished)
    assert queue.cached("photo+settings") is None


def test_a_shared_job_runs_on_until_its_last_student_leaves():
    queue, order = JobQueue(workers=1, capacity=5), []
    gate = Gate(order, "shared")
    mine = queue.submit("dream", gate, key="k")
    theirs = queue.submit("dream", Gate(order, "unused"), key="k")
    wait_until(lambda: mine.state == RUNNING)
    mine.cancel()  # I leave; another student still waits for the same dream
    assert not theirs.cancelled
    theirs.cancel()
    wait_until(lambda: mine.finished)
    assert mine.state == CANCELLED and queue.cached("k") is None


def test_a_cancelled_shared_job_is_not_cached():
    queue, order = JobQueue(workers=1, capacity=5), []
    blocker = Gate(order, "blocker")
    queue.submit("dream", blocker)
    job = queue.submit("dream", Gate(order, "keyed"), key="k")
    job.cancel()
    blocker.open.set()
    assert queue.cached("k") is None
    fresh = queue.submit("dream", lambda job: "fresh", key="k")
    assert fresh is not job
    wait_until(lambda: fresh.finished)
    assert fresh.result == "fresh"
