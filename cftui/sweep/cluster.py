"""Connecting a sweep to Ray: one started here, or a cluster (``--address``), with every
problem that stops it found before a job runs and said in one line (a ConfigError: exit 2)
within seconds, where Ray itself retries for 20-40 s, a line a second, then raises.

- ``auto`` and HOST:PORT are read as Ray reads them; Ray replaces 127.0.0.1 and localhost
  by this machine's other address, so the messages name the address Ray uses.
- Token authentication (Ray >= 2.52; on by default for clusters that ``ray start`` finds a
  token for): a token found here (RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH, ~/.ray/auth_token)
  is used, as ``ray start`` and ``--address auto`` do, unless RAY_AUTH_MODE says otherwise.
  Ray leaves it off for a driver given an explicit address, which then fails 20 s later.
- The head is reached with one TCP connection, which must answer as a gRPC server does, and
  one request to its GCS, before ray.init: whatever listens at the address, the sweep goes
  on or says why within 10 s (Ray's own client waits 30-40 s on a port that never answers).
- Every node must have cftui installed, in this version: a job's rows are keyed by the
  driver's version, so the code that trains them must be that version. One small task per
  node checks it. (Shipping the code in Ray's runtime environment would still need torch
  and numpy on each node, and would start every worker later: ``pip install 'cftui[ray]'``
  on a node brings all of it at once.)

Ray's own modules are imported only here and in backends.py, only when Ray is chosen.
"""

from __future__ import annotations

import contextlib
import os
import socket
import warnings
from collections.abc import Iterator

from cftui import __version__
from cftui.train.validation import ConfigError

QUIET = {"log_to_driver": False, "logging_level": "ERROR"}
REACH_S = 3.0  # how long the head's port may take to accept a connection,
ANSWER_S = 3.0  # then to answer as a gRPC server does (Ray's GCS and client server are),
GCS_S = 4.0  # then the GCS its first request (Ray's own wait: 30 s): 10 s at most in all
# the HTTP/2 client preface and an empty SETTINGS frame; a gRPC server's first frame is its own
HTTP2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
SETTINGS_FRAME = 4  # an HTTP/2 frame's type, its 4th byte
NODES_S = 90.0  # how long every node may take to answer the check (a worker starts on each)
FLAG = "--address"
CLIENT, CLIENT_PORT = "ray://", "10001"  # the Ray Client's scheme and default port
CLIENT_TRIES = 3  # connections a Ray Client gets when its server fails to start its own
NOT_AN_ADDRESS = "is not auto, HOST:PORT or ray://HOST:PORT"
CLIENT_HINT = (  # a Ray Client whose token is refused only times out
    " (is the head started with --ray-client-server-port, and is the token here its own?)"
)
TOKEN_HELP = "RAY_AUTH_TOKEN or ~/.ray/auth_token (on the head: ray get-auth-token)"


def one_line(err: BaseException) -> str:
    """An error's type and first line (Ray's errors run to many lines); a first line that
    ends in a colon introduces a traceback, whose last line says why."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    if not lines:
        return type(err).__name__
    said = f"{lines[0]} {lines[-1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]
    return f"{type(err).__name__}: {said}"


def connect(ray, address: str | None, workers: int) -> None:
    """ray.init on this machine (``address`` None) or on the cluster at ``address``."""
    if address is None:
        ray.init(num_cpus=workers, include_dashboard=False, **QUIET)
        return
    check_form(address)
    client = address.startswith(CLIENT)  # the Ray Client server: no GCS to ask beforehand
    target = address if client else _bootstrap(address)
    where = target if address in (target, "auto") else f"{target} (Ray's address for {address})"
    _reach(target, where)
    _use_a_token_found_here()
    if not client:
        _authenticate(target, where)
    _init(ray, target, where)
    try:
        _check_nodes(ray, where)
    except BaseException:
        ray.shutdown()
        raise


def check_form(address: str) -> None:
    """``address`` is auto, HOST:PORT or ray://HOST[:PORT], with a host and a port of
    1..65535, before Ray reads it (Ray logs an error and a traceback for ``:6379``, and
    takes ``''`` or ``local`` for "start one here")."""
    client = address.startswith(CLIENT)
    rest = address.removeprefix(CLIENT)
    host, colon, port = rest.rpartition(":") if ":" in rest else (rest, "", CLIENT_PORT)
    has_port = port.isascii() and port.isdigit() and 1 <= int(port) <= 65535
    named = bool(host.strip("[]").strip()) and (colon or client)
    if address != "auto" and not (named and has_port):
        raise ConfigError(FLAG, "", f"{address!r} {NOT_AN_ADDRESS}")


def _bootstrap(address: str) -> str:
    """HOST:PORT of the cluster's GCS, as ray.init would resolve ``address``."""
    from ray._private.services import canonicalize_bootstrap_address

    try:
        gcs = canonicalize_bootstrap_address(address)
    except ValueError:
        raise ConfigError(FLAG, "", f"{address!r} {NOT_AN_ADDRESS}") from None
    except ConnectionError:  # auto, and no `ray start` here
        gcs = None
    if gcs is None:
        raise ConfigError(FLAG, "", "auto found no Ray cluster started on this machine")
    return gcs


def _use_a_token_found_here() -> None:
    """Authenticate with a token if there is one here and RAY_AUTH_MODE is not set."""
    if "RAY_AUTH_MODE" not in os.environ and _token_here():
        from ray._raylet import Config

        os.environ["RAY_AUTH_MODE"] = "token"
        Config.initialize("")  # what Ray does when it turns token mode on itself


def _reach(target: str, where: str) -> None:
    """One TCP connection to ``target`` that a gRPC server answers within ANSWER_S: a port
    that accepts and says nothing would hold Ray's own client for 40 s."""
    rest = target.removeprefix(CLIENT)
    host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", CLIENT_PORT)
    try:  # the form was checked: the port is a number
        head = socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_S)
    except OSError as err:
        why = err.strerror or type(err).__name__
        raise ConfigError(FLAG, "", f"no Ray cluster answers at {where}: {why}") from None
    with head:
        frame = _first_frame(head)
    if frame is None or frame[3:4] != bytes([SETTINGS_FRAME]):
        why = (
            f"it took the connection and said nothing for {ANSWER_S:.0f} s"
            if frame is None
            else "what listens there does not answer as Ray does (gRPC)"
        )
        raise ConfigError(FLAG, "", f"no Ray cluster answers at {where}: {why}")


def _first_frame(head: socket.socket) -> bytes | None:
    """The first bytes the server sends after the HTTP/2 preface; None if it said nothing
    within ANSWER_S, b"" if it closed the connection."""
    try:
        head.settimeout(ANSWER_S)
        head.sendall(HTTP2_HELLO)
        return head.recv(9)
    except TimeoutError:
        return None
    except OSError:
        return b""


def _authenticate(gcs: str, where: str) -> None:
    """One request to the cluster's GCS: a wrong or missing token fails here, at once."""
    from ray._raylet import InnerGcsClient
    from ray.exceptions import AuthenticationError

    try:
        with _silent_stderr():  # Ray's C++ client logs each failed request itself
            InnerGcsClient.standalone(gcs, None, int(GCS_S * 1000))  # GcsClient, bounded
    except AuthenticationError:
        mode = os.environ.get("RAY_AUTH_MODE", "token")  # unset: no token was found here
        if mode != "token":
            why = f"asks for a token and RAY_AUTH_MODE is {mode!r} here: unset it, and give"
        elif _token_here():
            why = "refused the token found here: give it its own, in"
        else:
            why = "asks for a token: give it in"
        raise ConfigError(FLAG, "", f"the Ray cluster at {where} {why} {TOKEN_HELP}") from None
    except Exception as err:
        message = f"no Ray cluster answers at {where}: {one_line(err)}"
        raise ConfigError(FLAG, "", message) from None


def _token_here() -> bool:
    from ray._raylet import AuthenticationTokenLoader

    return AuthenticationTokenLoader.instance().has_token(ignore_auth_mode=True)


def _init(ray, address: str, where: str) -> None:
    """ray.init, tried again when a Ray Client server could not start the process that
    serves this driver (ConnectionAbortedError: it happens on a loaded head, and a new
    connection starts a new one); any other failure is said at once."""
    for attempt in range(1, CLIENT_TRIES + 1):
        try:
            with warnings.catch_warnings():  # the Ray Client warns, then raises: one line will do
                warnings.simplefilter("ignore")
                ray.init(address=address, **QUIET)
            return
        except Exception as err:
            if isinstance(err, ConnectionAbortedError) and attempt < CLIENT_TRIES:
                continue
            hint = CLIENT_HINT if address.startswith(CLIENT) else ""
            message = f"cannot connect to the Ray cluster at {where}: {one_line(err)}{hint}"
            raise ConfigError(FLAG, "", message) from None


def _check_nodes(ray, where: str) -> None:
    """Every live node imports cftui, in the driver's version, within NODES_S."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = {n["NodeID"]: n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]}
    probe = ray.remote(num_cpus=0, max_retries=0)(version)
    answers = {
        ip: probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, False)).remote()
        for node, ip in nodes.items()
    }
    ready, late = ray.wait(list(answers.values()), num_returns=len(answers), timeout=NODES_S)
    problems = {ip: f"no answer in {NODES_S:.0f} s" for ip, ref in answers.items() if ref in late}
    for ip, ref in answers.items():
        if ref in ready:
            try:
                found = ray.get(ref)
                if found != __version__:
                    problems[ip] = f"cftui {found} is installed, this is {__version__}"
            except Exception as err:
                problems[ip] = _cause(err)
    if problems:
        listed = "; ".join(f"{ip}: {why}" for ip, why in sorted(problems.items()))
        install = f"install cftui[ray]=={__version__} on every node"
        raise ConfigError(FLAG, "", f"{where}: nodes without this cftui ({listed}): {install}")


def version() -> str:
    """Runs on a node: the cftui it imports (importing this module there needs cftui)."""
    return __version__


def _cause(err: Exception) -> str:
    """The line of a Ray error that says what went wrong on the node."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    named = [line for line in lines if "Error:" in line or "Error(" in line]
    return (named or lines or [type(err).__name__])[-1]


@contextlib.contextmanager
def _silent_stderr() -> Iterator[None]:
    """Nothing written to file descriptor 2 (by C++ code too) gets out while inside."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
