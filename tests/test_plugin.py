"""The pytest plugin, exercised through pytester on small generated test files."""

import torch


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
    pytester.makepyfile(
        """
        import time, pytest

        def test_default(request):
            assert request.node.get_closest_marker("timeout").args == (240,)

        @pytest.mark.timeout(1)
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
