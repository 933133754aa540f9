#!/usr/bin/env bash
# Run the sweep from the command line (needs a W&B server and `wandb login`).
set -euo pipefail
# --8<-- [start:offline]
# No server: one offline run per grid point
WANDB_MODE=offline python sweep_train.py
# --8<-- [end:offline]
# --8<-- [start:cli]
wandb login
wandb sweep --project lightning-sweeps sweep.yaml
# It prints the sweep's ID, e.g. my-team/lightning-sweeps/abc123xy. Then, on each
# machine that should train (run several agents to train in parallel):
wandb agent --count 4 my-team/lightning-sweeps/abc123xy
# --8<-- [end:cli]
