"""What a submission can reach: no network, nothing of the host, nothing to write."""

import socket

from dockertools import make_job

from grader.backends.docker import SUBMISSION

HIDDEN_MARKER = "GEHEIM-7f3a9c-hidden-case"
HIDDEN_CASES = f'''
from harness.api import case

@case("f/first", timeout=120, visibility="hidden")
def first(m, ctx):
    # {HIDDEN_MARKER}
    return {{"y": m.f(1)}}

@case("f/second", timeout=3)
def second(m, ctx):
    return {{"y": m.f(2)}}
'''


def test_only_the_images_packages_can_be_imported(grade):
    first = grade("packages").cases["f/first"]
    assert first.status == "ok", first.message
    assert first.value["y"] == {"numpy": True, "matplotlib.pyplot": True, "PIL": True, "dateutil": True,
                                "pytest": False, "dask": False, "docker": False, "jinja2": False,
                                "torch": False, "grader": False}


def test_no_network_to_the_host_or_outside(grade):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0)
    try:
        port = listener.getsockname()[1]
        result = grade("network", files={"port.txt": str(port)})
        try:
            conn, _ = listener.accept()
            conn.close()
            reached = True
        except BlockingIOError:
            reached = False
    finally:
        listener.close()
    first = result.cases["f/first"]
    assert first.status == "ok", first.message
    value = first.value["y"]
    assert not reached
    assert value["host_listener"]["outcome"] == "ConnectionRefusedError"
    # No route at all: it fails at once instead of waiting for a timeout.
    assert value["outside"]["outcome"] == "OSError"
    assert value["outside"]["seconds"] < 1
    assert value["interfaces"] == ["lo"]
    assert result.cases["f/second"].value == {"y": 4}


def test_host_environment_files_and_hidden_cases_stay_out(grade, tmp_path, monkeypatch):
    monkeypatch.setenv("GNN_HOST_SECRET", "s3cr3t")
    secret = tmp_path / "host-secret.txt"
    secret.write_text("expected values")
    result = grade(
        "snoop",
        cases=HIDDEN_CASES,
        files={"secret_path.txt": str(secret), "marker.txt": HIDDEN_MARKER},
    )
    first = result.cases["f/first"]
    assert first.status == "ok", first.message
    value = first.value["y"]
    assert "GNN_HOST_SECRET" not in value["environment"]
    assert set(value["environment"]) <= {
        "PATH", "LANG", "HOME", "TMPDIR", "MPLBACKEND", "MPLCONFIGDIR", "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "HOSTNAME",
    }
    assert value["host_file"] == value["sentinel"] == "FileNotFoundError"
    # The marker file itself is in the submission; nowhere else has it.
    assert value["hidden"] == [f"{SUBMISSION}/marker.txt"]


def test_nothing_writable_but_scratch(grade):
    result = grade("write_everywhere")
    first, second = result.cases.values()
    assert first.status == "ok", first.message
    writable = first.value["y"]["writable"]
    assert all(path.startswith(("/tmp", "/dev/shm", "/dev/mqueue")) for path in writable), writable
    assert "/tmp" in writable  # the walk did reach the scratch space: the check can fail
    assert first.value["y"]["submission"] in ("PermissionError", "OSError")
    # The next case starts with empty scratch and shared-memory folders.
    assert second.status == "ok"
    assert [n for n in second.value["y"]["leftovers"] if not n.startswith("case-")] == []


def test_forged_frames_on_inherited_descriptors_reach_nobody(grade):
    result = grade("forge_frames")
    first, second = result.cases.values()
    assert first.value != {"y": 999}
    assert (second.status, second.value) == ("ok", {"y": 4})
    assert result.restarts == 0


def test_the_harness_parent_is_out_of_reach(grade):
    result = grade("reach_the_harness")
    first, second = result.cases.values()
    assert first.status == "ok", first.message
    assert first.value["y"] == {"stdout": "PermissionError", "memory": "PermissionError", "ptrace": "PermissionError"}
    assert (second.status, second.value) == ("ok", {"y": 4})
    assert result.restarts == 0


def test_container_is_configured_as_promised(backend, client, tmp_path):
    job = make_job(tmp_path, "good", memory=300 << 20, pids=40, cpus=0.5, nofile=100, fsize=1 << 20)
    channel, header = backend.open(job, list(job.timeouts))
    try:
        config = client.api.inspect_container(channel.container.id)
    finally:
        channel.close()
    host = config["HostConfig"]
    assert (host["Memory"], host["MemorySwap"]) == (300 << 20, 300 << 20)
    assert (host["PidsLimit"], host["NanoCpus"]) == (40, 500_000_000)
    assert host["ReadonlyRootfs"] and host["NetworkMode"] == "none"
    assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"] == ["no-new-privileges"]
    assert host["LogConfig"]["Type"] == "none"
    assert {u["Name"]: u["Hard"] for u in host["Ulimits"]} == {"nofile": 100, "fsize": 1 << 20, "core": 0}
    assert [m["Destination"] for m in config["Mounts"]] == [SUBMISSION]
    assert not config["Mounts"][0]["RW"]
    assert config["Config"]["User"] == "10001:10001"
    assert header["submission"] == SUBMISSION
