#!/usr/bin/env bash
# How to start the multi-node scripts: once on every node, by torchrun or by SLURM's srun.
set -euo pipefail
# --8<-- [start:torchrun]
# On node 0, whose address (here 10.0.0.1) every node can reach:
torchrun --nnodes 2 --nproc-per-node 1 --node-rank 0 \
    --master-addr 10.0.0.1 --master-port 29500 multi_node_trainer.py
# On node 1, the same command with its own node rank:
torchrun --nnodes 2 --nproc-per-node 1 --node-rank 1 \
    --master-addr 10.0.0.1 --master-port 29500 multi_node_trainer.py
# --8<-- [end:torchrun]
