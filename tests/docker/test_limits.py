"""Submissions that exhaust a resource end with their own verdict; the next case runs."""

import time

from harness.api import latest_end, wall_limit

SECOND_OK = ("ok", {"y": 4})


def second(result):
    case = result.cases["f/second"]
    return case.status, case.value


def test_endless_loop_times_out(grade):
    started = time.monotonic()
    result = grade("endless_loop")
    first = result.cases["f/first"]
    assert (first.status, first.limit) == ("timeout", "cpu") and 3 <= first.cpu_seconds < 3.5
    assert second(result) == SECOND_OK
    # Its 3 s of CPU time take longer on a busy machine (up to the backstop's latest end),
    # which also runs it twice to confirm it.
    assert time.monotonic() - started < (latest_end(wall_limit(3)) + 10) * (1 + len(result.rerun))


def test_sleep_times_out(grade):
    result = grade("sleep")
    first = result.cases["f/first"]
    # It uses no CPU time: the wall-clock backstop of its 3 s limit ends it.
    assert (first.status, first.limit, round(first.seconds)) == ("timeout", "wall", round(wall_limit(3)))
    assert second(result) == SECOND_OK


def test_fork_bomb_hits_the_pids_limit(grade):
    result = grade("fork_bomb", pids=32)
    assert result.cases["f/first"].status == "pids"
    assert second(result) == SECOND_OK


def test_memory_bomb_is_oom_killed(grade):
    result = grade("memory_bomb", memory=256 << 20)
    assert result.cases["f/first"].status == "oom"
    assert second(result) == SECOND_OK


def test_200_mb_of_stdout_are_read_and_only_an_excerpt_comes_back(grade):
    result = grade("stdout_flood")
    first = result.cases["f/first"]
    assert (first.status, first.value) == ("ok", {"y": 2})  # printing is no fault
    assert len(first.stdout) <= 21 * 1024
    # Every byte was counted: all but the 20 KiB kept are said to be left out.
    assert f"\n… {(200 << 20) - 20 * 1024} Bytes Ausgabe ausgelassen …\n" in first.stdout
    assert second(result) == SECOND_OK


def test_disk_fill_stops_at_the_caps_and_is_freed(grade):
    result = grade("disk_fill", scratch=64 << 20, fsize=16 << 20)
    first = result.cases["f/first"]
    assert first.status == "ok"
    value = first.value["y"]
    assert (value["big_error"], value["big"]) == ("EFBIG", 16 << 20)
    assert value["error"] == "ENOSPC"
    assert value["total"] <= 64 << 20
    assert value["root"] == "EROFS"
    assert second(result) == ("ok", {"y": {"written": 8 << 20}})
