"""What tests must do that wandb offers no public way to do: here, and nowhere else.

Each workaround names the wandb version that needs it (`CHECKED_WITH`). tests/test_workarounds.py
fails when wandb moves what one relies on, when one is no longer needed, or when wandb is no
longer the version checked, so that each is looked at again; and when a test or a script reaches
into wandb's private modules (`wandb.sdk...`) anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

CHECKED_WITH = "0.31.0"
"""The wandb version these workarounds were checked against."""


def first_watch_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Number the next watched model 0, as in a new `python` process.

    wandb 0.31.0 numbers watched models per process (`wandb.sdk.wandb_watch._global_watch_idx`)
    and never resets the count, not at `wandb.finish()` nor at `wandb.teardown()`: a script run
    in-process after another watched a model would log `graph_1` where a reader sees `graph_0`.
    """
    from wandb.sdk import wandb_watch

    monkeypatch.setattr(wandb_watch, "_global_watch_idx", 0)


def as_a_sweep_trial(
    folder: Path,
    values: Mapping[str, Any],
    *,
    sweep_id: str | None = None,
    run_id: str | None = None,
) -> dict[str, str]:
    """The environment `wandb agent` gives the process of one trial, with `values` in its file.

    Sweeps need a W&B server: offline, nothing public starts a trial. wandb 0.31.0's agent
    (`wandb/wandb_agent.py`) writes the trial's values with its own `save_config_file_from_dict`
    into a YAML file, names it in `WANDB_SWEEP_PARAM_PATH`, and sets `WANDB_SWEEP_ID` and
    `WANDB_RUN_ID`; `wandb.init` in the trial reads them. Set the returned variables (for
    example with `monkeypatch.setenv`) before running the script.
    """
    import wandb.env
    from wandb.sdk.lib import config_util

    path = Path(folder) / f"config-{run_id or 'trial'}.yaml"
    config_util.save_config_file_from_dict(str(path), {k: {"value": v} for k, v in values.items()})
    env = {wandb.env.SWEEP_PARAM_PATH: str(path)}
    if sweep_id is not None:
        env[wandb.env.SWEEP_ID] = sweep_id
    if run_id is not None:
        env[wandb.env.RUN_ID] = run_id
    return env


PARAM_FILE_LEFT_OPEN = pytest.mark.filterwarnings(
    "ignore:unclosed file <_io.TextIOWrapper name='.*config-trial.*.yaml':ResourceWarning"
)
"""For a test whose run reads a sweep trial's values (`as_a_sweep_trial`).

wandb 0.31.0 reads the file with `open()` and never closes it (`dict_from_config_file` in
`wandb/sdk/lib/config_util.py`): the ResourceWarning is wandb's, not the script's.
"""
