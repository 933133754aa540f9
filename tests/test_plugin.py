"""The pytest plugin, exercised through pytester on small generated test files."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import torch

from tested_docs import warning_gate
from tested_docs.stamp import STAMP_ENV

ROOT = Path(__file__).resolve().parents[1]

CHILD_REACHES_OUT = """
import subprocess, sys

CHILD = (
    "import socket\\n"
    "try:\\n"
    "    socket.create_connection(('192.0.2.1', 80), timeout=1)\\n"
    "except OSError as error:\\n"
    "    print('swallowed:', error)\\n"
)

def test_spawns():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
    assert done.returncode == 0 and "is blocked" in done.stdout, done.stdout + done.stderr
"""


@pytest.fixture(autouse=True)
def _opt_in(pytester, monkeypatch, tmp_path):
    """Each generated project loads the plugin the way this project does: from its conftest,
    and writes its stamp where this project's stamp is not."""
    pytester.makeconftest('pytest_plugins = ["tested_docs.pytest_plugin"]\n')
    monkeypatch.setenv(STAMP_ENV, str(tmp_path / "stamp" / "tested-with.json"))


def test_the_plugin_loads_only_where_asked(pytester):
    (pytester.path / "conftest.py").unlink()
    pytester.makepyfile(
        """
        def test_no_plugin_here(request):
            assert "wandb_offline" not in request.fixturenames
            assert request.config.pluginmanager.get_plugin("tested_docs.pytest_plugin") is None
        """
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "pytest11" not in pyproject["project"].get("entry-points", {})


def test_a_child_process_reaching_the_network_fails_the_test(pytester):
    pytester.makepyfile(CHILD_REACHES_OUT)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*tried to reach the network: ('192.0.2.1', 80) (from a child*"])


def test_wandb_is_pointed_at_a_closed_loopback_port(pytester):
    pytester.makepyfile(
        """
        import os, socket
        from urllib.parse import urlsplit

        def test_base_url():
            url = urlsplit(os.environ["WANDB_BASE_URL"])
            assert url.hostname == "127.0.0.1"
            with socket.socket() as probe:
                assert probe.connect_ex((url.hostname, url.port)) != 0  # nothing listens
        """
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_gpu_case_skips_with_a_reason_without_cuda(pytester):
    pytester.makepyfile("def test_device(accelerator):\n    assert accelerator in ('cpu', 'gpu')\n")
    result = pytester.runpytest("-rs")
    if torch.cuda.is_available():
        result.assert_outcomes(passed=2)
    else:
        result.assert_outcomes(passed=1, skipped=1)
        result.stdout.fnmatch_lines(["*SKIPPED*CUDA is not available here*"])


def test_gpu_cases_can_be_selected_alone(pytester):
    pytester.makepyfile("def test_device(accelerator):\n    pass\n")
    result = pytester.runpytest("-m", "gpu", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_device?gpu?*", "*1/2 tests collected*"])


def test_network_access_fails_the_test_even_when_swallowed(pytester):
    pytester.makepyfile(
        """
        import socket

        def test_reaches_out():
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=1)
            except OSError:
                pass  # the code under test hides the failure; the guard must not
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*tried to reach the network: ('192.0.2.1', 80)*"])


def test_loopback_is_allowed(pytester):
    pytester.makepyfile(
        """
        import socket

        def test_local_server():
            server = socket.create_server(("127.0.0.1", 0))
            with socket.create_connection(server.getsockname(), timeout=1):
                pass
            server.close()
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_every_test_gets_a_timeout(pytester):
    # This project sets pytest-timeout's own `timeout` option; a generated project sets 1 s.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["pytest"]["ini_options"]["timeout"] == 240
    pytester.makeini("[pytest]\ntimeout = 1\n")
    pytester.makepyfile(
        """
        import time

        def test_quick():
            pass

        def test_too_slow():
            time.sleep(5)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Timeout*"])


def test_each_test_gets_its_own_offline_world(pytester):
    pytester.makepyfile(
        """
        import os
        import wandb

        def test_first(wandb_offline):
            assert os.environ["WANDB_MODE"] == "offline"
            assert "WANDB_API_KEY" not in os.environ
            assert os.getcwd() == str(wandb_offline.root)
            wandb.init(project="one").log({"x": 1})
            wandb.finish()
            assert wandb_offline.run().project == "one"

        def test_second_leaves_its_run_open(wandb_offline):
            wandb.init(project="two")  # left open on purpose: the fixture must finish it

        def test_third(wandb_offline):
            assert wandb_offline.runs() == []
            wandb.init(project="three").finish()
            assert [r.project for r in wandb_offline.runs()] == ["three"]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_a_failing_process_reports_its_first_traceback_and_its_end(pytester):
    pytester.makepyfile(
        script="""
        import sys
        try:
            raise ValueError("rank 1 broke first")
        except ValueError:
            import traceback; traceback.print_exc()
        sys.stderr.write("noise\\n" * 3000)
        sys.exit(3)
        """,
        test_it="""
        def test_run(wandb_offline, pytestconfig):
            wandb_offline.run_process(pytestconfig.rootpath / "script.py", timeout=60)
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*exited with 3*", "*ValueError: rank 1 broke first*", "*[...]*"])


@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), ("", "skipped")])
def test_a_test_that_cannot_run_fails_in_ci_and_skips_elsewhere(pytester, monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(
        """
        from tested_docs.pytest_plugin import skip_unless_ci

        def test_browser():
            skip_unless_ci("no Chromium at /usr/bin/chromium")
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(**{outcome: 1})
    result.stdout.fnmatch_lines(["*no Chromium at /usr/bin/chromium*"])


# --- the network guard: UDP, name lookups, and children --------------------------------------------

UDP = "with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:\n        udp."
REACHES_OUT = {
    "udp": UDP + "sendto(b'x', ('192.0.2.1', 53))",
    "udp-flags": UDP + "sendto(b'x', 0, ('192.0.2.1', 9))",
    "sendmsg": UDP + "sendmsg([b'x'], [], 0, ('192.0.2.1', 9))",
    "dns": "socket.getaddrinfo('example.com', 443)",
    "gethostbyname": "socket.gethostbyname('example.com')",
}


@pytest.mark.parametrize("where", ["in-process", "child"])
@pytest.mark.parametrize("call", sorted(REACHES_OUT))
def test_udp_and_name_lookups_fail_the_test_even_when_swallowed(pytester, call, where):
    code = f"import socket\ntry:\n    {REACHES_OUT[call]}\nexcept OSError as error:\n    print(error)\n"
    run = "exec(CODE)" if where == "in-process" else "subprocess.run([sys.executable, '-c', CODE])"
    pytester.makepyfile(f"import subprocess, sys\nCODE = {code!r}\n\ndef test_it():\n    {run}\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    needle = "'192.0.2.1'" if "192" in REACHES_OUT[call] else "name lookup 'example.com'"
    child = " (from a child process)" if where == "child" else ""
    result.stdout.fnmatch_lines([f"*tried to reach the network: *{needle}*{child}"])


def test_loopback_datagrams_and_lookups_are_allowed(pytester):
    pytester.makepyfile(
        """
        import socket

        def test_local():
            server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            server.bind(("127.0.0.1", 0))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
                client.sendto(b"x", server.getsockname())
            assert server.recv(1) == b"x"
            server.close()
            assert socket.getaddrinfo("localhost", 80)
            assert socket.getaddrinfo(None, 80) and socket.getaddrinfo("::1", 80)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_environments_own_sitecustomize_still_runs_in_children(pytester, monkeypatch):
    """The child guard is a `sitecustomize` first on the path: it runs the one it hides."""
    theirs = pytester.mkdir("theirs")
    (theirs / "sitecustomize.py").write_text("import os\nos.environ['THEIRS_RAN'] = 'yes'\n")
    monkeypatch.setenv("PYTHONPATH", str(theirs))
    pytester.makepyfile(
        """
        import subprocess, sys

        CHILD = (
            "import os, socket, sitecustomize\\n"
            "print(os.environ.get('THEIRS_RAN'), sitecustomize.__file__)\\n"
            "print(socket.socket.connect.__qualname__)\\n"
        )

        def test_child():
            out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
            assert out.returncode == 0, out.stderr
            ran, guard = out.stdout.splitlines()
            assert ran.startswith("yes ") and ran.endswith("theirs/sitecustomize.py")
            assert guard.startswith("guarded.")
        """
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)


# --- warnings are errors in every process of a test ------------------------------------------------

CHILD_WARNS = """
import subprocess, sys

import pytest

CHILD = (
    "import sys, warnings, mywarnings\\n"
    "warnings.warn('accepted, the project names it', mywarnings.LibraryWarning)\\n"
    "warnings.warn('accepted by this test alone', UserWarning)\\n"
    "print('no warning raised')\\n"
    "warnings.warn(sys.argv[1], mywarnings.LibraryWarning)\\n"
)

def child(message):
    return subprocess.run(
        [sys.executable, "-c", CHILD, message], capture_output=True, text=True
    )

@pytest.mark.filterwarnings("ignore:accepted by this test alone:UserWarning")
def test_a_planted_warning_in_a_child_fails_it():
    done = child("planted in a child")
    assert done.stdout == "no warning raised\\n", done.stderr
    assert done.returncode == 1
    assert "mywarnings.LibraryWarning: planted in a child" in done.stderr

def test_without_the_mark_the_child_fails_earlier():
    done = child("never reached")
    assert done.returncode == 1 and "UserWarning: accepted by this test alone" in done.stderr
"""


def test_a_warning_in_a_child_process_is_an_error_with_the_same_exceptions(pytester, monkeypatch):
    pytester.makeini(
        "[pytest]\nfilterwarnings =\n    error\n"
        "    ignore:accepted, the project names it:mywarnings.LibraryWarning\n"
    )
    pytester.makepyfile(mywarnings="class LibraryWarning(UserWarning):\n    pass\n")
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    pytester.makepyfile(test_child=CHILD_WARNS)
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)


def test_the_project_rules_reach_children_exactly(pytestconfig):
    """The one list in pyproject.toml is what children get, in pytest's order."""
    rules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert pytestconfig.getini("filterwarnings") == rules["filterwarnings"]
    assert rules["filterwarnings"][0] == "error"
    assert (
        json.loads(os.environ[warning_gate.ENV])[: len(rules["filterwarnings"])]
        == (rules["filterwarnings"])
    )
    code = (
        "import warnings\n"
        "warnings.warn('The \\'train_dataloader\\' does not have many workers which may be a "
        "bottleneck. x', type('PossibleUserWarning', (UserWarning,), "
        "{'__module__': 'lightning.fabric.utilities.warnings'}))\n"
        "warnings.warn('not accepted', FutureWarning)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "FutureWarning: not accepted", done.stderr


def test_a_warning_in_a_notebook_kernel_fails_its_cell(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    cells = ["import warnings", "warnings.warn('planted in a kernel', UserWarning)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(notebook, timeout=60, kernel_name="python3")
    with pytest.raises(CellExecutionError, match="planted in a kernel"):
        client.execute(cwd=str(tmp_path))


# --- state: a script run in-process leaves the process as it found it ----------------------------


def test_the_environment_after_a_script_is_the_one_before(pytester):
    pytester.makepyfile(
        script="""
        import os
        from lightning.fabric.utilities.seed import seed_everything

        seed_everything(7, workers=True)  # sets PL_GLOBAL_SEED and PL_SEED_WORKERS
        os.environ["PLANTED"] = "by the script"
        os.environ.pop("REMOVED_BY_SCRIPT")
        os.environ["CHANGED_BY_SCRIPT"] = "new"
        """,
        test_it="""
        import os

        def test_run(wandb_offline, pytestconfig, monkeypatch):
            monkeypatch.setenv("REMOVED_BY_SCRIPT", "kept")
            monkeypatch.setenv("CHANGED_BY_SCRIPT", "old")
            before = dict(os.environ)
            names = wandb_offline.run_script(pytestconfig.rootpath / "script.py")
            assert names["seed_everything"]  # the script ran
            assert dict(os.environ) == before
        """,
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
