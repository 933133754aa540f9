#!/usr/bin/env bash
# How to start the DDP scripts: each one is started once; it starts its second process itself.
set -euo pipefail
# --8<-- [start:gpu]
python ddp_trainer.py  # two GPUs: --accelerator gpu is the default
python ddp_fabric.py
# --8<-- [end:gpu]
# --8<-- [start:cpu]
python ddp_trainer.py --accelerator cpu  # two processes on the CPU, on any machine
python ddp_fabric.py --accelerator cpu
# --8<-- [end:cpu]
# --8<-- [start:inspect]
ls wandb/  # one run folder per job, not one per process
ls wandb/latest-run/files/  # rank-0.txt and rank-1.txt, next to requirements.txt
python -m wandb leet inspect --summary wandb/latest-run
# --8<-- [end:inspect]
