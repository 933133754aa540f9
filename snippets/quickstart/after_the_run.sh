#!/usr/bin/env bash
# What to do with a run the Quickstart recorded offline.
set -euo pipefail
# --8<-- [start:run]
WANDB_MODE=offline python quickstart_trainer.py
# --8<-- [end:run]
# --8<-- [start:inspect]
python -m wandb leet inspect --summary wandb/latest-run
# --8<-- [end:inspect]
# --8<-- [start:sync]
wandb login
wandb sync wandb/latest-run
python quickstart_trainer.py  # logged in: later runs log live
# --8<-- [end:sync]
