"""The workarounds in `tested_docs.workarounds`: still needed, still where they reach, and alone.

When one of these fails after a wandb upgrade, look at the workaround again: drop it if wandb now
offers a public way (or no longer needs it), or move it to where wandb moved what it uses.
"""

from __future__ import annotations

import gc
import inspect
import re
from importlib import metadata
from pathlib import Path

import pytest
import wandb
import yaml
from torch import nn

from tested_docs import workarounds

ROOT = Path(__file__).resolve().parents[1]


def test_wandb_is_the_version_the_workarounds_were_checked_with():
    assert metadata.version("wandb") == workarounds.CHECKED_WITH, (
        "wandb moved: check each workaround in tested_docs.workarounds again, then update "
        "CHECKED_WITH"
    )


def test_watch_numbering_still_runs_across_runs_in_one_process(wandb_offline, monkeypatch):
    """Needed while a second run in the same process numbers its first watched model 1."""
    from wandb.sdk import wandb_watch

    workarounds.first_watch_in_this_process(monkeypatch)
    assert wandb_watch._global_watch_idx == 0
    for _ in range(2):
        with wandb.init(project="watch-count") as run:
            run.watch(nn.Linear(2, 2), log="parameters", log_freq=1)
        wandb.teardown()
    assert wandb_watch._global_watch_idx == 2, "wandb now numbers per run: drop the workaround"
    workarounds.first_watch_in_this_process(monkeypatch)
    assert wandb_watch._global_watch_idx == 0


@workarounds.PARAM_FILE_LEFT_OPEN
def test_a_sweep_trial_gets_what_wandb_agent_gives_it(wandb_offline, monkeypatch):
    import wandb.wandb_agent

    agent = inspect.getsource(wandb.wandb_agent)
    for line in (
        "os.environ[wandb.env.RUN_ID] = run_id",
        "os.environ[wandb.env.SWEEP_PARAM_PATH] = sweep_param_path",
        'config_util.save_config_file_from_dict(sweep_param_path, command["args"])',
    ):
        assert line in agent, f"wandb agent no longer does `{line}`: check as_a_sweep_trial"
    env = workarounds.as_a_sweep_trial(
        wandb_offline.root, {"lr": 0.5}, sweep_id="s1", run_id="trial7"
    )
    assert env == {
        "WANDB_SWEEP_PARAM_PATH": str(wandb_offline.root / "config-trial7.yaml"),
        "WANDB_SWEEP_ID": "s1",
        "WANDB_RUN_ID": "trial7",
    }
    written = yaml.safe_load(Path(env["WANDB_SWEEP_PARAM_PATH"]).read_text())
    assert written == {"wandb_version": 1, "lr": {"value": 0.5}}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # PARAM_FILE_LEFT_OPEN is needed while wandb leaves the file open.
    with pytest.warns(ResourceWarning, match=r"unclosed file .*config-trial7\.yaml"):
        run = wandb.init(project="sweep-trial")
        gc.collect()
    with run:
        assert dict(run.config) == {"lr": 0.5} and run.id == "trial7"


PRIVATE = re.compile(r"\bwandb\.sdk\b|\b_global_watch_idx\b|\bconfig_util\b|WANDB_SWEEP_PARAM_PATH")


@pytest.mark.parametrize("folder", ["snippets", "tests", "src"])
def test_no_test_or_script_reaches_into_wandb_internals_elsewhere(folder):
    allowed = {ROOT / "src/tested_docs/workarounds.py", Path(__file__)}
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in allowed
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert not found, "use tested_docs.workarounds (or a public API):\n" + "\n".join(found)
