#!/usr/bin/env bash
# Shell commands on the "Add W&B to any library" page.
set -euo pipefail
# --8<-- [start:install]
pip install tinytrain            # trains, no W&B
pip install "tinytrain[wandb]"   # trains, and can log to W&B
# --8<-- [end:install]
# --8<-- [start:login]
wandb login                      # once per machine, prompts for the API key
export WANDB_API_KEY="<your API key>"   # or: in CI, on clusters, in containers
# --8<-- [end:login]
# --8<-- [start:modes]
python tinytrain.py                          # offline by default: wandb/offline-run-*
WANDB_MODE=online python tinytrain.py        # live, after wandb login
WANDB_MODE=disabled python tinytrain.py      # wandb calls do nothing, nothing written
# --8<-- [end:modes]
