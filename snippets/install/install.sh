#!/usr/bin/env bash
# Install W&B, log in, and pick the mode a script runs in.
set -euo pipefail
# --8<-- [start:pip]
pip install lightning wandb torchmetrics scikit-learn
# --8<-- [end:pip]
# --8<-- [start:login]
wandb login
# --8<-- [end:login]
# --8<-- [start:api_key]
export WANDB_API_KEY="paste-the-key-from-wandb.ai/authorize"
python check_setup.py
# --8<-- [end:api_key]
# --8<-- [start:online]
WANDB_MODE=online python check_setup.py
# --8<-- [end:online]
# --8<-- [start:offline]
WANDB_MODE=offline python check_setup.py
ls wandb/latest-run/
# --8<-- [end:offline]
# --8<-- [start:sync]
wandb sync wandb/latest-run
# --8<-- [end:sync]
# --8<-- [start:disabled]
WANDB_MODE=disabled python check_setup.py
# --8<-- [end:disabled]
