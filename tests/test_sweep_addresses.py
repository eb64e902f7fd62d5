"""`cftui sweep --address`: every form a user can type is taken or refused in one line
(exit 2) before Ray reads it, whatever listens at the address it is answered or refused
within 10 s, and a refused sweep leaves no database behind (issue 31's examples, each seen
failing before). Listeners are plain sockets on 127.0.0.2: no Ray cluster is started."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from test_sweep import main, write_spec

from cftui.sweep import cluster, driver
from cftui.train.validation import ConfigError

ray = pytest.importorskip("ray")
HOST = "127.0.0.2"
BOUND_S = 10.0  # the bound on an answer, whatever listens


@pytest.mark.parametrize(
    "address", ["", " ", ":6379", "local", "head", "ray://", "ray://:1", "h:0", "h:65536", "h:x"]
)
def test_a_malformed_address_is_refused_before_ray_reads_it(address):
    with pytest.raises(ConfigError) as caught:
        cluster.check_form(address)
    assert str(caught.value) == f"--address: {address!r} is not auto, HOST:PORT or ray://HOST:PORT"


@pytest.mark.parametrize(
    "address", ["auto", "head:6379", "10.0.0.1:1", "[::1]:6379", "ray://head", "ray://h:10001"]
)
def test_every_form_ray_takes_passes(address):
    cluster.check_form(address)


@pytest.fixture
def no_ray_started(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("ray.init was called")

    monkeypatch.setattr(ray, "init", refuse)


def refused(tmp_path, monkeypatch, capfd, address: str) -> str:
    """`cftui sweep SPEC --address ADDRESS`: exit 2, one line on stderr (Ray's C++ and its
    loggers included), no database; the line, without its prefix."""
    path = write_spec(tmp_path, "[grid.naive]\n")
    assert main(monkeypatch, "sweep", path, "--address", address) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cftui: error: --address: "), err
    assert not driver.default_db(path).exists()
    return err.removeprefix("cftui: error: --address: ").rstrip("\n")


@pytest.mark.parametrize("address", ["", ":6379"])
def test_an_empty_or_hostless_address_starts_nothing(
    tmp_path, monkeypatch, capfd, no_ray_started, address
):
    line = refused(tmp_path, monkeypatch, capfd, address)
    assert line == f"{address!r} is not auto, HOST:PORT or ray://HOST:PORT"


def test_auto_with_no_cluster_here_is_one_line(tmp_path, monkeypatch, capfd, no_ray_started):
    from ray._private import services

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(services, "find_gcs_addresses", lambda: [])  # other tests' clusters
    monkeypatch.setattr(services, "find_bootstrap_address", lambda temp_dir: None)
    line = refused(tmp_path, monkeypatch, capfd, "auto")
    assert line == "auto found no Ray cluster started on this machine"


@pytest.fixture
def listener() -> Iterator:
    """Start a TCP listener on HOST that answers each connection with ``first`` (None:
    nothing, ever); its port. Every socket is closed at the end."""
    opened: list[socket.socket] = []

    def start(first: bytes | None) -> int:
        server = socket.create_server((HOST, 0))
        opened.append(server)

        def serve():
            while True:
                try:
                    connection, _ = server.accept()
                except OSError:  # closed at the end
                    return
                opened.append(connection)
                if first is not None:
                    connection.sendall(first)

        threading.Thread(target=serve, daemon=True).start()
        return server.getsockname()[1]

    yield start
    for opened_socket in opened:
        opened_socket.close()


SETTINGS = bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  # an empty HTTP/2 SETTINGS frame, as gRPC sends


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("first", "why"),
    [
        (None, "it took the connection and said nothing for 3 s"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "what listens there does not answer as Ray does"),
        (SETTINGS, "RpcError"),  # gRPC, but no GCS behind it
    ],
    ids=["silent", "http", "grpc-silent"],
)
def test_whatever_listens_is_answered_within_ten_seconds(
    tmp_path, monkeypatch, capfd, no_ray_started, listener, first, why
):
    import ray._raylet  # noqa: F401  (loaded before the clock starts, as a user's driver has)

    address = f"{HOST}:{listener(first)}"
    clock = time.monotonic()
    line = refused(tmp_path, monkeypatch, capfd, address)
    assert time.monotonic() - clock <= BOUND_S, "the issue's bound on an answer"
    assert line.startswith(f"no Ray cluster answers at {address}: {why}"), line


def test_a_refused_address_leaves_no_database(tmp_path, monkeypatch, capfd, no_ray_started):
    with socket.create_server((HOST, 0)) as taken:
        port = taken.getsockname()[1]  # closed below: nothing listens there any more
    line = refused(tmp_path, monkeypatch, capfd, f"{HOST}:{port}")
    assert line == f"no Ray cluster answers at {HOST}:{port}: Connection refused"
