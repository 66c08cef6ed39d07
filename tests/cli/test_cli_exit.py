"""The console script's exit (issue 21 item 5): at once, without freeing what the command built,
but with everything a normal exit writes written and its status kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vllm-single-zone.yaml"

PROBE = """
import atexit, os, sys
class Witness:
    def __del__(self, write=os.write):  # runs when the interpreter finalises, not at os._exit
        write(2, b"finalised\\n")
sys.witness = Witness()
atexit.register(print, "atexit ran")  # buffered: written only if the exit flushes
SETUP
sys.argv = ["cellguard", *sys.argv[1:]]
from cellguard.cli.main import run
run()
"""


def probe(tmp_path: Path, *args: str, setup: str = "") -> subprocess.CompletedProcess[str]:
    """Run the console script's entry in a fresh process (no coverage measurement)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")}
    return subprocess.run(
        [sys.executable, "-c", PROBE.replace("SETUP", setup), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_a_failing_command_leaves_at_once_with_its_status_and_messages(tmp_path: Path) -> None:
    done = probe(tmp_path, "assess", str(tmp_path / "missing.yaml"))
    assert done.returncode == 2
    assert done.stdout == "atexit ran\n"
    assert "missing.yaml:1:1: error[io] (document): no such file or directory" in done.stderr
    assert "finalised" not in done.stderr


def test_a_report_is_written_whole_before_the_handlers_output(tmp_path: Path) -> None:
    done = probe(tmp_path, "assess", str(EXAMPLE), "--format", "json", "--today", "2026-11-21")
    report, _, rest = done.stdout.rpartition("}\n")
    assert rest == "atexit ran\n"
    assert json.loads(report + "}")["findings"]
    assert done.returncode in (0, 1)  # the example's findings decide; the status is kept below
    assert "finalised" not in done.stderr


def test_the_status_is_the_same_as_a_normal_exits(tmp_path: Path) -> None:
    args = ("assess", str(EXAMPLE), "--format", "json", "--today", "2026-11-21")
    fast = probe(tmp_path, *args)
    traced = probe(tmp_path, *args, setup="sys.settrace(lambda *a: None)")
    assert "finalised" in traced.stderr  # a tracer may write its results at finalisation
    assert (fast.returncode, fast.stdout) == (traced.returncode, traced.stdout)


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    setup = (  # the thread still runs when the exit is decided (half a second after)
        "import threading, time\n"
        "import cellguard.cli.main as main\n"
        "entered, leave = threading.Event(), main.leave_now\n"
        "main.leave_now = lambda code: (entered.set(), leave(code))\n"
        "def work():\n"
        "    entered.wait()\n"
        "    time.sleep(0.5)\n"
        "    print('thread done')\n"
        "threading.Thread(target=work).start()"
    )
    done = probe(tmp_path, "assess", str(tmp_path / "missing.yaml"), setup=setup)
    assert done.returncode == 2
    assert "thread done\n" in done.stdout
    assert "finalised" in done.stderr


def test_a_message_status_is_left_to_the_interpreter(tmp_path: Path) -> None:
    setup = (
        "import cellguard.cli.main as main\n"
        "main.leave_now('stopped')\n"
        "main.leave_now(256)\n"
        "print('still running', flush=True)"
    )
    done = probe(tmp_path, "--help", setup=setup)
    assert done.stdout.startswith("still running\n")
    assert done.returncode == 0
