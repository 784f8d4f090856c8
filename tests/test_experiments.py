"""The experiment records, their findings, and every experiment at the tiny scale."""

import json

import numpy as np
import pytest

from keras_crnn.experiments import (
    EXPERIMENTS,
    SCALES,
    Experiment,
    Finding,
    ResultsTable,
    get_experiment,
    reproduce,
    to_markdown,
)
from keras_crnn.experiments.record import COMMON_SETTINGS
from keras_crnn.experiments.results import decode_images


def _table(rows):
    table = ResultsTable("t", "T", "tiny", "made here", 0, 1)
    for model, value in rows.items():
        table.add(model, "d", "accuracy", value)
    return table


def test_findings_compare_best_rows_either_way():
    table = _table({"CRNN": 95.0, "CRNN-2-S": 97.0, "CNN": 90.0, "CNN (40 epochs)": 94.0})
    beats = Finding("", "beats", "accuracy", ("CRNN",), ("CNN*",), 2.0)
    assert beats.evaluate(table) == (False, 1.0)  # against the best CNN row, the control
    assert Finding("", "beats", "accuracy", ("CRNN*",), ("CNN*",), 2.0).evaluate(table) == \
        (True, 3.0)
    lower = Finding("", "beats", "accuracy", ("CNN",), ("CRNN",), 2.0, higher_is_better=False)
    assert lower.evaluate(table) == (True, 5.0)
    assert Finding("", "close", "accuracy", ("CRNN",), ("CNN (40 epochs)",), 1.0).evaluate(
        table) == (True, 1.0)
    assert Finding("", "flat", "accuracy", ("CRNN*",), margin=1.5).evaluate(table) == (False, 2.0)
    tie = _table({"beam": 50.0, "greedy": 50.0})
    assert Finding("", "atleast", "accuracy", ("beam",), ("greedy",)).evaluate(tie)[0]
    assert not Finding("", "beats", "accuracy", ("beam",), ("greedy",)).evaluate(tie)[0]
    assert "**does not hold** (gap +1 accuracy)" in beats.verdict(table)
    assert "not measured" in Finding("", "beats", "mse", ("CRNN",), ("CNN",)).verdict(table)


def test_every_row_must_beat_for_all_beat_and_verdicts_weigh_the_seed_spread():
    table = _table({"a1": 0.9, "a2": 0.7, "b": 0.8})
    assert Finding("", "all_beat", "accuracy", ("a*",), ("b",)).evaluate(table) == \
        (False, pytest.approx(-0.1))
    assert Finding("", "beats", "accuracy", ("a*",), ("b",)).evaluate(table)[0]
    lower = Finding("", "all_beat", "accuracy", ("a*",), ("b",), higher_is_better=False)
    assert lower.evaluate(table) == (False, pytest.approx(-0.1))
    seeds = ResultsTable("t", "T", "tiny", "made here", 0, 1)
    seeds.add("A", "d", "mse", 1.0, std=0.1)
    seeds.add("B", "d", "mse", 1.5, std=0.2)
    seeds.add("C", "d", "mse", 1.2, std=0.3)
    beyond = Finding("", "beats", "mse", ("A",), ("B",), higher_is_better=False)
    assert beyond.seed_spread(seeds) == pytest.approx(0.3)
    assert "**holds** (gap +0.5 mse, beyond the seed spread 0.3)" in beyond.verdict(seeds)
    within = Finding("", "beats", "mse", ("A",), ("C",), higher_is_better=False)
    assert "within the seed spread 0.4" in within.verdict(seeds)
    assert Finding("", "beats", "accuracy", ("a1",), ("b",)).seed_spread(table) is None


def test_records_refuse_inconsistent_settings_and_findings():
    settings = {scale: {"epochs": 1, "batch_size": 2, "patience": None} for scale in SCALES}
    with pytest.raises(ValueError, match="every scale"):
        Experiment("x", "p", "T1", "t", "d", print, {"tiny": settings["tiny"]}, ("a",))
    uneven = {**settings, "cpu": {**settings["cpu"], "extra": 1}}
    with pytest.raises(ValueError, match="same settings"):
        Experiment("x", "p", "T1", "t", "d", print, uneven, ("a",))
    with pytest.raises(ValueError, match="kind must be one of"):
        Finding("", "wins", "accuracy", ("a",), ("b",))
    with pytest.raises(ValueError, match="takes only `a`"):
        Finding("", "flat", "accuracy", ("a",), ("b",))
    with pytest.raises(ValueError, match="scale.*Received: scale='huge'"):
        get_experiment("occlusion-table1").settings("huge")
    with pytest.raises(ValueError, match="Unknown experiment.*Received: 'table9'"):
        reproduce("table9")
    with pytest.raises(ValueError, match="dataset.*Received: dataset='pines'"):
        reproduce("occlusion-table1", "tiny", dataset="pines", out_dir=None)
    with pytest.raises(ValueError, match=r"occlusion-table1 takes no encoder weights.*"
                                         r"\['genre-table1'\]. Received: weights='w.h5'"):
        reproduce("occlusion-table1", "tiny", weights="w.h5", out_dir=None)
    assert get_experiment("genre-table1").command(weights="W.h5") == \
        "keras-crnn reproduce genre-table1 --scale cpu --weights W.h5"


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_record_is_complete(name):
    experiment = EXPERIMENTS[name]
    for scale in SCALES:
        assert set(COMMON_SETTINGS) <= set(experiment.settings(scale))
    assert experiment.command() == f"keras-crnn reproduce {name} --scale cpu"
    other = experiment.datasets[-1]
    if other != experiment.datasets[0]:
        assert experiment.command(other, "D") == \
            f"keras-crnn reproduce {name} --scale cpu --dataset {other} --data-dir D"
    assert experiment.findings and experiment.description and experiment.datasets


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_experiment_runs_at_tiny_scale(tiny_results, name):
    folder, table = tiny_results(name)
    assert table.scale == "tiny" and table.rows
    for finding in EXPERIMENTS[name].findings:  # every finding names rows the run makes
        holds, measured = finding.evaluate(table)
        assert np.isfinite(measured)
    trained = table.extras["train_epochs"]
    assert trained and all(1 <= t["epochs"] <= t["max_epochs"] for t in trained.values())
    assert set(trained) <= set(table.extras["histories"])
    saved = json.loads((folder / f"{name}.json").read_text())
    assert saved["rows"] == table.rows and saved["scale"] == "tiny"
    md = (folder / f"{name}.md").read_text()
    assert md.startswith(to_markdown(ResultsTable.from_json(folder / f"{name}.json")))
    assert "Paper's findings" in md
    assert (folder / f"{name}.png").exists() == (EXPERIMENTS[name].figure is not None)


@pytest.mark.slow
def test_reuse_reads_the_results_instead_of_training(tiny_results):
    folder, made = tiny_results("lrcn-captioning")
    again = reproduce("lrcn-captioning", "tiny", out_dir=folder, reuse=True, progress=False)
    assert again.rows == made.rows and again.created == made.created
    assert again.extras["precision"] == "float32"


@pytest.mark.slow
def test_segmentation_table1_rows_controls_and_dropped_frames(tiny_results):
    """Every condition has the paper's rows and the FC-Lenet control given all
    three stages' epochs; the occluded rows split F by what happened to the
    last frame, with the frame counts of the test sequences' events."""
    from keras_crnn.experiments.record import Run
    from keras_crnn.experiments.segmentation import WINDOW, table1_data

    table = tiny_results("segmentation-table1")[1]
    s = get_experiment("segmentation-table1").settings("tiny")
    control = f"FC-Lenet ({sum(s['epochs'])} epochs)"
    for condition in s["conditions"]:
        rows = [r["model"] for r in table.rows if r["metric"] == "f_measure"
                and r["dataset"] == f"moving digits ({condition})"]
        assert rows == ["LSTM", "GRU", "FC-Lenet", "GRU pretrained", "RFC-Lenet", control]
        assert table.extras["train_epochs"][f"{control} ({condition})"]["max_epochs"] == \
            sum(s["epochs"])
    data = table1_data("occluded", Run(get_experiment("segmentation-table1"), "tiny", "digits"))
    events = data.test_events[:, WINDOW - 1:]
    dropped = [r for r in table.rows if r["metric"] == "f_measure_dropped"]
    assert len(dropped) == 6 and {r["frames"] for r in dropped} == {int((events == 2).sum())}


@pytest.mark.slow
def test_tables_hold_their_rows(tiny_results):
    tables = {name: tiny_results(name)[1] for name in (
        "occlusion-table1", "forecast-table3", "forecast-batch-sizes", "segmentation-table2",
        "genre-table1", "lrcn-captioning", "lrcn-activity")}
    assert list(dict.fromkeys(r["model"] for r in tables["occlusion-table1"].rows)) == \
        ["CNN-2-S", "CNN-4-S", "CNN", "CRNN-2-S", "CRNN-4-S", "CRNN"]
    assert list(dict.fromkeys(r["model"] for r in tables["forecast-table3"].rows)) == \
        ["copy-last-frame", "linear-extrapolation", "CRNN", "ConvGRU2D-forecaster",
         "ConvLSTM2D-forecaster"]
    assert tables["forecast-table3"].extras["parameters"]["CRNN"] == 17_773_440
    assert tables["forecast-table3"].value("copy-last-frame", "mae_static") == 0.0
    assert list(tables["forecast-batch-sizes"].extras["histories"]) == \
        [f"batch {b} (seed {s})" for b in (8, 16, 32, 64) for s in (0, 1)]
    assert [r["model"] for r in tables["segmentation-table2"].rows if
            r["metric"] == "f_measure"] == ["FC-Lenet", "FC-VGG", "GRU pretrained", "RFC-VGG",
                                           "FC-VGG (3 epochs)"]
    rfc = [r for r in tables["segmentation-table2"].rows if r["model"] == "RFC-VGG"
           and r["metric"] == "f_measure"][0]  # tiny trains two seeds: their mean and std
    assert rfc["seeds"] == [0, 1] and rfc["value"] == pytest.approx(np.mean(rfc["values"]))
    assert rfc["std"] == pytest.approx(np.std(rfc["values"], ddof=1))
    assert "RFC-VGG (seed 1)" in tables["segmentation-table2"].extras["train_epochs"]
    genre = tables["genre-table1"]
    assert list(dict.fromkeys(r["model"] for r in genre.rows)) == [
        "ConvNet", "Time distributed CNN", "3D ConvNet", "CNN-RNN", "CNN-LSTM softmax",
        "CNN-LSTM pool", "CNN-LSTM softmax + audio", "CNN-LSTM pool + audio",
        "CNN-LSTM feature map", "CNN-LSTM feature map + audio",
        "CNN-LSTM pool, fine-tuned end to end"]
    assert "| paper: CNN-LSTM pool | 90.30 |" in to_markdown(genre)
    activity = tables["lrcn-activity"]  # tiny: two seeds
    assert [r["model"] for r in activity.rows] == ["single frame CNN", "frame-averaged CNN",
                                                   "LRCN (CNN-LSTM)", "LRCN ConvGRU"]
    assert all(r["seeds"] == [0, 1] and len(r["values"]) == 2 for r in activity.rows)
    assert set(activity.extras["train_epochs"]) == {
        f"{preset} (seed {seed})" for preset in ("LRCN single frame", "LRCN", "LRCN-ConvGRU")
        for seed in (0, 1)}
    test_clips = get_experiment("lrcn-activity").settings("tiny")["test"]
    for row in activity.extras["per_action"]:  # counts over both seeds' test clips
        assert len(activity.extras["per_action"][row]) == 8
        assert np.sum(activity.extras["confusion"][row]) == 2 * test_clips
    assert decode_images(activity.extras["examples"]).shape == (8, 5, 16, 16)
    captions = tables["lrcn-captioning"]
    assert {r["metric"] for r in captions.rows} == {"bleu_1", "bleu_2", "bleu_3", "bleu_4",
                                                    "exact_match"}
    assert all(0 <= r["value"] <= 100 for r in captions.rows)


@pytest.mark.slow
def test_an_interrupted_occlusion_table_trains_only_the_models_it_lacks(tmp_path, monkeypatch):
    """Each finished model is kept in `out/.cache`: after losing the T=10 fit,
    the run trains that one model again and gives the same table."""
    import keras_crnn.training

    first = reproduce("occlusion-table3", "tiny", out_dir=tmp_path, progress=False)
    stored = {p: json.loads(p.read_text())["key"] for p in (tmp_path / ".cache").glob("*.json")}
    assert sorted((k["model"], k["data"]["factor"]) for k in stored.values()) == \
        [("CRNN", 1), ("CRNN", 2)]
    next(p for p, k in stored.items() if k["data"]["factor"] == 2).unlink()
    fits = []
    fit_classifier = keras_crnn.training.fit_classifier
    monkeypatch.setattr(keras_crnn.training, "fit_classifier",
                        lambda *args, **kwargs: fits.append(
                            (kwargs["description"], type(args[1]).__name__, args[4])) or
                        fit_classifier(*args, **kwargs))
    again = reproduce("occlusion-table3", "tiny", out_dir=tmp_path, progress=False)
    # T=10 trains on a fresh draw every epoch, in batches of half as many sequences.
    assert fits == [("CRNN T=10", "EpochSequences", 16)]
    assert [first.extras["sequences"][t]["batch_size"] for t in ("T=5", "T=10")] == [32, 16]
    assert again.rows == first.rows
    assert again.extras["train_epochs"] == first.extras["train_epochs"]
