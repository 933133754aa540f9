"""The contributing guide's example snippet, and the page fragment it shows."""

# --8<-- [start:imports]
from pathlib import Path

import yaml

# --8<-- [end:imports]
from tested_docs.pages import INCLUDE
from tested_docs.snippets import sections

# --8<-- [start:check]
HERE = Path(__file__).parent


def test_new_topic(wandb_offline, accelerator, torch_device):
    # Runs the file as `python new_topic.py` would, in this process;
    # returns its globals.
    namespace = wandb_offline.run_script(HERE / "new_topic.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "new-topic"
    assert run.config == {"hidden": 64, "lr": 0.01}
    # 1,500 training digits in batches of 64: 24 steps; log_every_n_steps=5
    assert run.steps("train_loss") == [4, 9, 14, 19]
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    assert len(run.column("val_accuracy")) == 1
    assert run.summary["val_accuracy"] > 0.5  # chance is 0.1
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device


# --8<-- [end:check]


def test_page_example_includes_exist():
    """The page fragment shown in the guide includes every section of the example."""
    text = (HERE / "page_example.md").read_text(encoding="utf-8")
    includes = [
        INCLUDE.match(line.replace(";--8<--", "--8<--")) for line in text.splitlines()
    ]
    found = [(m["file"], m["section"]) for m in includes if m]
    script = "snippets/contributing/new_topic.py"
    assert found == [(script, name) for name in ("imports", "data", "model", "train")]
    assert list(sections(HERE / "new_topic.py")) == [name for _, name in found]


def test_what_the_page_says_about_tab_labels_is_the_glossaries_rule():
    """Product names stay English in every language; the Chinese examples are the glossary's."""
    page = (HERE.parents[1] / "docs" / "contributing.md").read_text()
    paragraph = page.split("{#include}", 1)[1].split("\n\n")[1]
    assert "never translated" in paragraph
    glossaries = {
        lang: yaml.safe_load((HERE.parents[1] / "glossary" / f"{lang}.yml").read_text())
        for lang in ("ja", "zh", "ko")
    }
    for words in glossaries.values():
        assert not {"PyTorch Lightning", "Fabric"} & set(
            words["tabs"]
        )  # never translated
    zh = glossaries["zh"]["tabs"]
    examples = ("Command line", "Notebook", "Online")
    assert all(zh[label] != label for label in examples)  # translated, as the page says
    expected = f"become {zh[examples[0]]}, {zh[examples[1]]} and {zh[examples[2]]}"
    assert expected in " ".join(paragraph.split())
