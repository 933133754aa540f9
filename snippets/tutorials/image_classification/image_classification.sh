#!/usr/bin/env bash
# Shell commands on the image classification tutorial page.
set -euo pipefail
# --8<-- [start:install]
pip install lightning wandb torchmetrics scikit-learn
# --8<-- [end:install]
# --8<-- [start:install_cifar10]
pip install torchvision   # only for the CIFAR-10 variant; pick the build matching your torch
# --8<-- [end:install_cifar10]
# --8<-- [start:run]
# After `wandb login`, drop WANDB_MODE=offline to log live.
WANDB_MODE=offline python image_classification_trainer.py
WANDB_MODE=offline python image_classification_fabric.py
# --8<-- [end:run]
# --8<-- [start:inspect]
python -m wandb leet inspect --summary wandb/latest-run
ls wandb/latest-run/files/media/images | head
# --8<-- [end:inspect]
# --8<-- [start:sync]
wandb login
wandb sync wandb/offline-run-*
# --8<-- [end:sync]
