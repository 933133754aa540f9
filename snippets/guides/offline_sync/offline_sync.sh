#!/usr/bin/env bash
# Train where there is no internet, upload later. Each section is shown on the page.
set -euo pipefail
# --8<-- [start:mode]
WANDB_MODE=offline python offline_train.py  # offline for this one command
wandb offline        # or once: runs started here stay offline until `wandb online`
python offline_train.py
# --8<-- [end:mode]
# --8<-- [start:offline]
export WANDB_MODE=offline                 # record to disk, never connect
export WANDB_DIR=/scratch/$USER  # runs go to $WANDB_DIR/wandb/ (save_dir=None)
export WANDB_DATA_DIR=/scratch/$USER/wandb-data  # staged artifact files (checkpoints)
python offline_train.py
# --8<-- [end:offline]
# --8<-- [start:dry_run]
wandb sync --dry-run                      # which runs would be uploaded; uploads nothing
# --8<-- [end:dry_run]
# --8<-- [start:sync]
wandb login                               # once per machine
wandb sync wandb/offline-run-20261124_013245-qcwe0o1h  # one run
wandb sync --yes                          # every run under $WANDB_DIR not synced yet
wandb sync --include-synced --yes         # again, including runs already uploaded
wandb sync -e my-team -p lightning-offline wandb/latest-run  # another entity/project
# --8<-- [end:sync]
# --8<-- [start:logs]
less "$WANDB_DIR/wandb/debug-cli.$USER.log"  # what `wandb sync` did, errors included
ls ~/.cache/wandb/logs/                    # core-debug-*.log: the uploader's own log
# --8<-- [end:logs]
# --8<-- [start:clean]
wandb clean --min-hours 0                 # delete the folders of runs already synced
# --8<-- [end:clean]
