#!/usr/bin/env bash
# Upload the folders that the sessions of one resumed offline run wrote.
set -euo pipefail
# --8<-- [start:folders]
WANDB_MODE=offline python resume_trainer.py
run_id="$(cat checkpoints/trainer-wandb-run-id.txt)"
ls -d wandb/offline-run-*-"$run_id"*  # one folder per session, the same run id in each
# --8<-- [end:folders]
# --8<-- [start:dry_run]
wandb sync --dry-run wandb/offline-run-*-"$run_id"*
# --8<-- [end:dry_run]
# --8<-- [start:sync]
wandb login
wandb sync wandb/offline-run-*-"$run_id"*  # all sessions in one command
# --8<-- [end:sync]
