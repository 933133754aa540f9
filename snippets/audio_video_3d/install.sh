#!/usr/bin/env bash
# What audio and video from numpy arrays need, besides lightning and wandb.
set -euo pipefail
# --8<-- [start:pip]
pip install soundfile moviepy imageio
# --8<-- [end:pip]
