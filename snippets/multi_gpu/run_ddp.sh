#!/usr/bin/env bash
# How to start the DDP scripts: each one is started once; it starts its second process itself.
set -euo pipefail
# --8<-- [start:run]
# two GPUs, or two processes on the CPU of a machine without GPUs
python ddp_trainer.py
python ddp_fabric.py
# --8<-- [end:run]
# --8<-- [start:offline]
# the same, without a W&B account: `wandb sync` uploads the runs later
WANDB_MODE=offline python ddp_trainer.py
WANDB_MODE=offline python ddp_fabric.py
# --8<-- [end:offline]
# --8<-- [start:cpu]
PL_TRAINER_ACCELERATOR=cpu python ddp_trainer.py
LT_ACCELERATOR=cpu python ddp_fabric.py
# --8<-- [end:cpu]
# --8<-- [start:inspect]
ls wandb/  # one run folder per job, not one per process
ls wandb/latest-run/files/  # rank-0.txt and rank-1.txt, next to requirements.txt
python -m wandb leet inspect --summary wandb/latest-run
# --8<-- [end:inspect]
