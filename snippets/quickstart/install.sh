#!/usr/bin/env bash
# Set up a fresh environment for the Quickstart scripts.
set -euo pipefail
# --8<-- [start:install]
pip install lightning wandb torchmetrics scikit-learn
# --8<-- [end:install]
