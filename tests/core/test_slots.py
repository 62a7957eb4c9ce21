import asyncio
import threading
import time

import pytest

from dataclaw_tailor.core.slots import Slots, default_size, release_memory


def test_at_most_size_jobs_run_at_once_each_in_a_worker_thread():
    running, peak, threads = 0, 0, set()
    lock = threading.Lock()

    def job(i: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        threads.add(threading.get_ident())
        time.sleep(0.05)
        with lock:
            running -= 1
        return i * i

    async def burst() -> list[int]:
        slots = Slots(2)
        return await asyncio.gather(*(slots.run(job, i) for i in range(8)))

    assert asyncio.run(burst()) == [i * i for i in range(8)]
    assert peak == 2 and threading.main_thread().ident not in threads


def test_a_failing_job_frees_its_slot():
    def boom() -> None:
        raise ValueError("bad frame")

    async def run() -> int:
        slots = Slots(1)
        with pytest.raises(ValueError, match="bad frame"):
            await slots.run(boom)
        return await asyncio.wait_for(slots.run(lambda: 7), timeout=5)

    assert asyncio.run(run()) == 7


def test_sizes():
    assert Slots().size == default_size() >= 1
    with pytest.raises(ValueError, match="at least 1"):
        Slots(0)
    release_memory()  # a no-op or glibc's malloc_trim; never raises
