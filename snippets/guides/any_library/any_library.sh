#!/usr/bin/env bash
# Shell commands on the "Add W&B to any library" page.
set -euo pipefail
# --8<-- [start:install]
# in the folder that holds tinytrain.py and its pyproject.toml
pip install .               # trains, no W&B
pip install ".[wandb]"      # trains, and can log to W&B
# --8<-- [end:install]
# --8<-- [start:login]
# once per machine, prompts for the API key
wandb login
# or, in CI, on clusters, in containers:
export WANDB_API_KEY="<your API key>"
# --8<-- [end:login]
# --8<-- [start:modes]
# live, after wandb login
python tinytrain.py
# on disk only: wandb/offline-run-*, uploaded later by wandb sync
WANDB_MODE=offline python tinytrain.py
# wandb calls do nothing, nothing written
WANDB_MODE=disabled python tinytrain.py
# --8<-- [end:modes]
