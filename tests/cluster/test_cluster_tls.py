"""TLS between client, scheduler and workers with certificates made by the instructor."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("distributed")

import dask
from clustertools import ROOT, make_certificates, verdicts, wait_for_workers
from distributed.security import Security

from grader.cluster import client as cluster
from grader.engine.batch import run

EXAMPLES = ROOT / "examples" / "submissions" / "aufgabe1"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl fehlt")


def _client_config(ca, certificate, key) -> dict:
    """What the instructor writes into ~/.config/dask/distributed.yaml."""
    return {
        "distributed.comm.require-encryption": True,
        "distributed.comm.tls.ca-file": str(ca),
        "distributed.comm.tls.client.cert": str(certificate),
        "distributed.comm.tls.client.key": str(key),
    }


def test_grading_over_tls_and_a_stranger_is_refused(processes, tmp_path):
    made = make_certificates(tmp_path / "certs")
    ca = made["ca"][0]
    address = processes.scheduler(
        "--tls-ca-file", str(ca), "--tls-cert", str(made["scheduler"][0]), "--tls-key", str(made["scheduler"][1]),
        protocol="tls",
    )
    worker_cert, worker_key = made["worker"]
    processes.worker(address, "--tls-ca-file", str(ca), "--tls-cert", str(worker_cert), "--tls-key", str(worker_key))
    security = Security(tls_ca_file=str(ca), tls_client_cert=str(made["client"][0]), tls_client_key=str(made["client"][1]), require_encryption=True)
    wait_for_workers(address, 1, security=security)

    with dask.config.set(_client_config(ca, *made["client"])):
        outcome = run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "tls", sandbox="process", cluster=address, log=lambda m: None)
    local = run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "local", sandbox="process", jobs=2, log=lambda m: None)
    assert verdicts(outcome) == verdicts(local)

    # A certificate of another authority is not let in, nor is a client without one.
    stranger = make_certificates(tmp_path / "stranger", names=("client",), authority="other")
    for config in (_client_config(ca, *stranger["client"]), {"distributed.comm.require-encryption": False}):
        with dask.config.set(config), pytest.raises(cluster.ClusterUnavailable, match="nicht erreichbar"):
            run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "refused", sandbox="process", cluster=address, log=lambda m: None)
