#!/usr/bin/env bash
# A SLURM batch script for two nodes: `sbatch slurm_job.sh`.
# --8<-- [start:sbatch]
#SBATCH --job-name=lightning-multi-node
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --requeue
# One task per node (per GPU, on GPU nodes), each started by srun; Lightning reads
# its rank, the node's rank and the job's size from the variables SLURM sets.
srun python multi_node_fabric.py
# --8<-- [end:sbatch]
