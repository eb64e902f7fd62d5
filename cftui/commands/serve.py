"""`cftui serve`: the same app in a browser, through textual-serve (the `cftui[web]` extra).

textual-serve runs a command per browser connection and carries its terminal over a
websocket; here that command is `python -m cftui` with the app's own flags passed through,
so a browser sees exactly what a terminal would. It binds to localhost unless told otherwise:
whoever opens the page drives the app, and with it this machine's CPU or GPU. Importing this
module loads neither textual-serve nor torch.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys

from cftui.train.config import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INSTALL_HINT = "pip install 'cftui[web]'"
APP_FLAGS = ("common", "method", "live")  # the parsers of the app's own flags, in cli's parents


def add_parser(commands, parents: dict[str, argparse.ArgumentParser]) -> None:
    """`serve` takes the app's flags (the APP_FLAGS parsers among ``parents``) and hands them on."""
    app_parsers = [parents[name] for name in APP_FLAGS if name in parents]
    serve = commands.add_parser(
        "serve",
        parents=app_parsers,
        help="serve the live app to a browser (needs the cftui[web] extra)",
        description="Serve the live app to a browser with textual-serve; each browser tab "
        "runs its own app. The app's flags (--preset, --method, ...) are passed on to it.",
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default {DEFAULT_HOST}: this machine only)",
    )
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers reach this server at, if not http://HOST:PORT "
        "(a proxy, or --host 0.0.0.0 opened from another machine)",
    )
    flags = tuple((a.dest, a.option_strings[-1]) for p in app_parsers for a in p._actions)
    serve.set_defaults(handler=main, app_flags=flags)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1..65535, got {text!r}")
    return int(text)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per connection: this Python, the app's flags."""
    argv = [sys.executable, "-m", "cftui"]
    for dest, option in args.app_flags:
        if hasattr(args, dest):  # the app's flags default to SUPPRESS: only the given ones
            argv += _flag_argv(option, getattr(args, dest))
    return shlex.join(argv)


def _flag_argv(option: str, value) -> list[str]:
    """A parsed flag back to the words that give it: a switch alone, a repeated flag once per
    value, a list of names comma-joined, `--pace full` (parsed to None) as written."""
    if value is True:
        return [option]
    if isinstance(value, list):
        return [word for item in value for word in (option, str(item))]
    if isinstance(value, tuple):
        return [option, ",".join(map(str, value))]
    return [option, "full" if value is None else str(value)]


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def banner(host: str, port: int, public_url: str | None = None) -> str:
    """What the user reads before anything else: where, and who can reach it."""
    if is_local(host):
        return (
            f"cftui serve: open http://{host}:{port} — bound to localhost only: "
            "only this machine can open it (--host 0.0.0.0 opens it to the network)"
        )
    warning = (
        f"cftui serve: WARNING: listening on {host}:{port} — whoever reaches this port "
        "controls the app and can run training on this machine (no password, no TLS)"
    )
    if public_url is None and host in ("0.0.0.0", "::"):  # the page would say ws://0.0.0.0
        warning += (
            f"\ncftui serve: browsers on other machines need --public-url "
            f"http://THIS-MACHINE:{port}: the page tells them where to connect"
        )
    return warning


def check_port_free(host: str, port: int) -> None:
    """Bind once, as aiohttp will, so a busy port or a bad host is one line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # aiohttp's setting too
        try:
            probe.bind((host, port))
        except OSError as err:
            reason = err.strerror or str(err)
            flag = "--host" if isinstance(err, socket.gaierror) else "--port"
            raise ConfigError(flag, "", f"cannot listen on {host}:{port}: {reason}") from None


def main(args: argparse.Namespace) -> int:
    from cftui import cli  # the preset and flags are checked once here, not per connection

    cli.load_config(args)
    try:
        from textual_serve.server import Server
    except ImportError:
        raise ConfigError("serve", "", f"needs textual-serve: {INSTALL_HINT}") from None
    check_port_free(args.host, args.port)
    print(banner(args.host, args.port, args.public_url), flush=True)
    command = app_command(args)
    Server(
        command, host=args.host, port=args.port, title="cftui", public_url=args.public_url
    ).serve()
    return 0
