#!/usr/bin/env bash
# Where W&B puts its files, set from the shell. Each section is shown on the page.
set -euo pipefail
# --8<-- [start:env]
export WANDB_DIR=/scratch/$USER/wandb             # run folders, where save_dir=None
export WANDB_DATA_DIR=/scratch/$USER/wandb-data   # artifact files staged for upload
export WANDB_CACHE_DIR=/scratch/$USER/wandb-cache # downloaded artifact files, logs
export WANDB_ARTIFACT_DIR=/scratch/$USER/artifacts # artifact.download() without root=
python where_trainer.py
# --8<-- [end:env]
# --8<-- [start:inspect]
du -sh "$WANDB_DATA_DIR/artifacts/staging" "$WANDB_CACHE_DIR/artifacts"
# --8<-- [end:inspect]
# --8<-- [start:cleanup]
wandb artifact cache cleanup 10GB                # shrink the download cache to 10 GB
wandb artifact cache cleanup --remove-temp 10GB  # and delete its temporary files
wandb clean --min-hours 24                       # delete run folders already synced
# --8<-- [end:cleanup]
