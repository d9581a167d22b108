"""Functions the executor tests run in worker processes (local pools and Dask workers).

A spawned worker imports the module of the function it runs: a test module imports the whole
package, pandas and SQLAlchemy (about 2 s a process), this one only the standard library, so the
tests that start, kill and restart workers many times wait less for them.
"""

import os
import time


def exit_on_two(task):
    if task == 2:
        time.sleep(1.0)  # tasks 0 and 1 have long finished when this worker dies
        os._exit(3)
    return task * 10


def exit_once_on_two(task):
    """Task 2 (or those listed third) kills its worker the first time only (out of memory, say); the
    others take a little time, so that a death is seen before the next one's task starts."""
    number, marker = task[:2]
    if number in (task[2] if len(task) > 2 else (2,)) and not os.path.exists(f"{marker}{number}"):
        open(f"{marker}{number}", "w").close()
        os._exit(3)
    time.sleep(0.05)
    return number * 10


def logged_square(task):
    """Squares `task[0]`, noting each time it runs in `task[1]`'s folder; a number in `task[2]` kills
    its worker the first time, and the fourth of each batch of four hangs when `task[3]` says so."""
    number, folder, dies, hangs = task
    if number in dies and not os.path.exists(f"{folder}/died-{number}"):
        open(f"{folder}/died-{number}", "w").close()
        os._exit(3)
    with open(f"{folder}/ran-{number}", "a") as file:
        file.write("x")
    time.sleep(60.0 if hangs and number % 4 == 3 else 0.05)
    return number * number


def square(number):
    return number * number


def sleep_then_square(task):
    time.sleep(0.2)
    return task * task


def square_noting(task):
    """Squares `task[0]`, noting in `task[1]`'s folder that it started; the last of each batch of
    four hangs for a minute, and the number `task[2]` waits for 7 to start and then kills its worker."""
    number, folder, dies = task
    open(os.path.join(folder, f"ran-{number}"), "w").close()
    if number == dies:
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(folder, "ran-7")) and time.monotonic() < deadline:
            time.sleep(0.05)
        os._exit(3)
    time.sleep(60.0 if number % 4 == 3 else 0.05)
    return number * number


def dies_on_two(task):
    if task == 2:
        os._exit(3)
    time.sleep(0.05)
    return task * 10


def exit_worker(task):
    os._exit(1)


def sigterm_handler(_):
    import signal

    return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
