"""`cftui serve`: the flags it binds and hands on, its refusals, and the app in a real browser.

The browser test drives Debian's headless Chromium over the DevTools protocol (with aiohttp,
which textual-serve brings) and reads the terminal's text out of xterm.js's buffer: the app
draws on a canvas, so the text is not in the DOM, and a screenshot alone proves nothing.
Without chromium that test skips, unless CFTUI_REQUIRE_BROWSER=1 (CI) makes it fail.
"""

import asyncio
import base64
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, suppress

import pytest

from cftui import cli
from cftui.commands import serve

CHROMIUM = shutil.which("chromium")
HAS_WEB_EXTRA = importlib.util.find_spec("textual_serve") is not None
CHROMIUM_FLAGS = [  # what headless Chromium needs on a closed network
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# textual.js keeps its xterm.js Terminal in a closure, as `this.terminal`: catch the assignment.
CATCH_TERMINAL = """Object.defineProperty(Object.prototype, "terminal", {configurable: true,
  set(value) { Object.defineProperty(this, "terminal", {value, writable: true});
               window.cftuiTerminal = value; }});"""
READ_TERMINAL = """(() => { const term = window.cftuiTerminal; if (!term) return null;
  const buffer = term.buffer.active, rows = [];
  for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i).translateToString(true));
  return rows.join("\\n"); })()"""


def needs(present: bool, missing: str) -> None:
    """Skip where a piece is missing, unless CI (CFTUI_REQUIRE_BROWSER=1) says it must be there."""
    if present:
        return
    if os.environ.get("CFTUI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CFTUI_REQUIRE_BROWSER=1 but {missing}")
    pytest.skip(missing)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout} s")


@contextmanager
def process_group(argv: list[str], **popen):
    """A process in its own group, ended with all its children (the served apps) whatever
    happens; the test fails if any of them outlives SIGTERM and SIGKILL."""
    process = subprocess.Popen(argv, start_new_session=True, **popen)
    try:
        yield process
    finally:
        ended = False
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not ended:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                ended = group_ends(process, within=10)
        assert ended, f"{argv[0]} or a child of it outlived SIGKILL"


def group_ends(leader: subprocess.Popen, within: float) -> bool:
    """Whether the leader (reaped) and every process of its group are gone in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        leader.poll()
        try:
            os.killpg(leader.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def http_get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except OSError:
        return None


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`cftui serve` on a free port, short tasks so the status line reads `epoch n/5`."""
    needs(HAS_WEB_EXTRA, "textual-serve is not installed (pip install 'cftui[web]')")
    port, log = free_port(), tmp_path_factory.mktemp("serve") / "serve.log"
    argv = [sys.executable, "-m", "cftui", "serve", "--port", str(port)]
    argv += ["--epochs", "5", "--device", "cpu"]
    with open(log, "w") as out, process_group(argv, stdout=out, stderr=subprocess.STDOUT):
        url = f"http://127.0.0.1:{port}"
        page = wait_for(lambda: http_get(url + "/"), 30, f"answer at {url}")
        yield url, page, log


def test_default_host_is_localhost_and_says_so():
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert "bound to localhost only" in serve.banner(args.host, args.port)
    assert "WARNING" not in serve.banner(args.host, args.port)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_any_other_host_is_warned_about(host):
    words = serve.banner(host, 8000)
    assert words.startswith("cftui serve: WARNING: listening on")
    assert "controls the app and can run training on this machine" in words
    assert not serve.is_local(host)
    says_where = "--public-url http://THIS-MACHINE:8000" in words
    assert says_where == (host in ("0.0.0.0", "::"))  # the page would send browsers there
    assert "--public-url" not in serve.banner(host, 8000, "http://lab:8000")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_count_as_local(host):
    assert serve.is_local(host)


@pytest.mark.parametrize("pace", ["full", "2.5"])
def test_the_app_flags_reach_the_served_app_as_given(pace):
    flags = "--preset rbf --seed 3 --epochs 7 --lr 0.005 --device cpu --method ewc --paused"
    flags += f" --set ewc.lambda=10 --set ewc.online=true --pace {pace} --compare naive,ewc"
    args = cli.build_parser().parse_args(["serve", "--port", "9001", *flags.split()])
    command = shlex.split(serve.app_command(args))
    assert command[:3] == [sys.executable, "-m", "cftui"]
    served = vars(cli.build_parser().parse_args(command[3:]))
    passed = {dest for dest, _ in args.app_flags if hasattr(args, dest)}
    assert passed == {"preset", "seed", "epochs", "lr", "device", "method", "paused"} | {
        "settings",
        "pace",
        "compare",
    }
    assert {dest: served[dest] for dest in passed} == {dest: vars(args)[dest] for dest in passed}
    assert "--port" not in command and "--host" not in command


def test_without_textual_serve_one_line_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails
    assert cli.main(["serve", "--port", str(free_port())]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["cftui: error: serve: needs textual-serve: pip install 'cftui[web]'"]


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_out_of_range_is_one_line(port, capsys):
    with pytest.raises(SystemExit) as end:
        cli.build_parser().parse_args(["serve", "--port", port])
    assert end.value.code == 2
    assert f"a port is 1..65535, got '{port}'" in capsys.readouterr().err


def test_an_unknown_host_is_one_line(capsys):
    assert cli.main(["serve", "--host", "no-such-host.invalid", "--port", "8000"]) == 2
    err = capsys.readouterr().err.splitlines()  # the resolver's reason varies by machine
    assert len(err) == 1
    assert err[0].startswith("cftui: error: --host: cannot listen on no-such-host.invalid:8000: ")


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = [sys.executable, "-m", "cftui", "serve", "--port", str(port)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    expected = f"cftui: error: --port: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert done.stderr.splitlines() == [expected]
    assert done.stdout == ""  # nothing served, nothing announced


def test_it_serves_textual_serves_page_for_cftui(served):
    url, page, log = served
    assert "<div>cftui</div>" in page  # the page's title is our app
    assert f'data-session-websocket-url="ws://127.0.0.1:{url.rsplit(":", 1)[1]}/ws"' in page
    assert http_get(url + "/static/js/textual.js").startswith("(()=>")
    said = " ".join(log.read_text().split())  # rich wraps textual-serve's lines at 80
    assert f"cftui serve: open {url} — bound to localhost only" in said
    assert "-m cftui --epochs 5 --device cpu'" in said  # textual-serve names the command it runs


def test_a_browser_shows_the_apps_status_line(served, tmp_path):
    needs(CHROMIUM is not None, "chromium is not installed (apt-get install chromium)")
    url, _, _ = served
    debug_port, profile = free_port(), tempfile.mkdtemp(dir=tmp_path)
    argv = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,800"]
    argv += [f"--remote-debugging-port={debug_port}", "about:blank"]
    with process_group(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        targets = wait_for(
            lambda: http_get(f"http://127.0.0.1:{debug_port}/json/list"), 20, "chromium"
        )
        page = next(t for t in json.loads(targets) if t["type"] == "page")
        text, png = asyncio.run(screen_of(page["webSocketDebuggerUrl"], url))
    assert "task 1/2 · epoch" in text, f"the page's terminal showed only {text[:300]!r}"
    rows = [row.strip() for row in text.splitlines()]
    assert re.fullmatch(
        r"● running · polynomial · naive · task 1/2 · epoch \d/5 · step \d+ .*", rows[0]
    )
    assert rows[1].startswith("training task 1")
    assert any(row.startswith("╭─ fit") for row in rows)
    shot = tmp_path / "serve-polynomial.png"
    shot.write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20]) == 1280
    assert len(png) > 20_000  # a blank page is a few KB; the app's panels are more


async def screen_of(devtools_url: str, url: str) -> tuple[str, bytes]:
    """Open ``url``, wait until the terminal shows the status line and a drawn chart (its
    axis: the panels follow a change of state by a frame), then its text and a PNG."""
    import aiohttp  # comes with textual-serve

    async with aiohttp.ClientSession() as session, session.ws_connect(devtools_url) as devtools:
        calls = 0

        async def call(method: str, **params) -> dict:
            nonlocal calls
            calls += 1
            await devtools.send_json({"id": calls, "method": method, "params": params})
            async for message in devtools:  # events come too: wait for this call's answer
                answer = json.loads(message.data)
                if answer.get("id") == calls:
                    return answer["result"]
            raise ConnectionError("chromium closed the DevTools connection")

        await call("Page.enable")
        await call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        await call("Page.navigate", url=url)
        deadline, text = time.monotonic() + 40, ""
        while not ("task 1/2 · epoch" in text and "┤" in text) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            shown = await call("Runtime.evaluate", expression=READ_TERMINAL, returnByValue=True)
            text = shown["result"].get("value") or ""
        shot = await call("Page.captureScreenshot", format="png")
        return text, base64.b64decode(shot["data"])
