"""The steps page: where each value lands on W&B's x-axis, trainer/global_step, with gradient
accumulation, log_every_n_steps, val_check_interval and two optimizers. The expected steps are
worked out here batch by batch from the rules the page states, not read from Lightning."""

from pathlib import Path

from tested_docs import RecordedRun

HERE = Path(__file__).parent
# 1,500 training digits in batches of 64
BATCHES = 24


def trainer_steps(
    epochs: int, accumulate: int, log_every: int, val_every: int
) -> tuple[list[int], list[int], int]:
    """The page's rules, batch by batch: where the Trainer records step values and
    validation, and the optimizer steps it takes in all (trainer.global_step)."""
    taken = 0
    train, val = [], []
    for _ in range(epochs):
        for batch in range(1, BATCHES + 1):
            # an optimizer step every `accumulate` batches and on the epoch's last
            steps_now = batch % accumulate == 0 or batch == BATCHES
            # step values: only on batches that step, when the step they complete is a
            # multiple of log_every; recorded at the steps taken before the batch
            if steps_now and (taken + 1) % log_every == 0:
                train.append(taken)
            # validation counts batches; recorded at the steps taken before the batch
            if batch % val_every == 0:
                val.append(taken)
            taken += steps_now
    return train, val, taken


def check_w_and_b_step(run: RecordedRun) -> None:
    """W&B's own _step counts rows; the x-axis is trainer/global_step, defined by the logger."""
    assert run.column("_step") == list(range(len(run.history)))
    assert run.metrics["*"].step_metric == "trainer/global_step"


def test_accumulation(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "steps_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-steps"
    train, val, total = trainer_steps(epochs=2, accumulate=4, log_every=2, val_every=12)
    assert (train, val, total) == ([1, 3, 5, 7, 9, 11], [2, 5, 8, 11], 12)
    assert run.steps("train_loss") == train
    assert run.steps("val_accuracy") == val
    trainer = namespace["trainer"]
    assert trainer.global_step == total == 2 * BATCHES // 4
    check_w_and_b_step(run)
    assert trainer.strategy.root_device.type == torch_device


def test_accumulation_rule_without_accumulation():
    """The same rule with accumulate=1 gives what the metrics page records (log every 10)."""
    train, val, total = trainer_steps(
        epochs=2, accumulate=1, log_every=10, val_every=24
    )
    assert (train, val, total) == ([9, 19, 29, 39], [23, 47], 48)


def test_manual_optimization(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "steps_manual_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    # trainer/global_step counts batches; each batch steps both optimizers
    train, val, batches = trainer_steps(
        epochs=2, accumulate=1, log_every=4, val_every=24
    )
    assert run.steps("train_loss") == train == list(range(3, 48, 4))
    assert run.steps("val_accuracy") == val == [23, 47]
    # trainer.global_step counts the steps of both optimizers: twice the x-axis
    rows = run.rows_with("optimizer_steps")
    assert [row["optimizer_steps"] for row in rows] == [2 * s for s in train]
    assert namespace["trainer"].global_step == 2 * batches == 96
    check_w_and_b_step(run)
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "steps_fabric.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    # the step passed to log_dict: optimizer steps taken, this one included
    steps_per_epoch = -(-BATCHES // 4)
    assert run.steps("train_loss") == [2, 4, 6, 8, 10, 12]
    assert (
        run.steps("val_accuracy") == [steps_per_epoch, 2 * steps_per_epoch] == [6, 12]
    )
    assert namespace["step"] == 12
    check_w_and_b_step(run)
    assert run.column("val_accuracy")[-1] > 0.8
    assert namespace["fabric"].device.type == torch_device
