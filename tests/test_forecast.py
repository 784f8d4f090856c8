"""Future-appearance experiments: data split, metrics, tables at a tiny scale."""

import numpy as np
import pytest

from keras_crnn.experiments import forecast, reproduce, to_markdown
from keras_crnn.experiments.results import ResultsTable


@pytest.fixture
def tiny(monkeypatch):
    """A scale small enough for a unit test: 20 training, 6 test series, 1 epoch."""
    monkeypatch.setitem(forecast.SCALES, "quick", {
        "train": 20, "test": 6, "epochs": 1, "batch_size": 8, "figure_train": 10,
        "figure_epochs": 2})


def test_forecast_data_splits_and_pairs_ages(tiny):
    data = forecast.forecast_data("quick", seed=3)
    (x, y), (xv, yv), (xt, yt) = data.train, data.validation, data.test
    np.testing.assert_array_equal(yv[:, :-1], xv[:, 1:])
    assert x.shape == (18, 4, 32, 16, 3) and xv.shape == (2, 4, 32, 16, 3)
    assert xt.shape == (6, 4, 32, 16, 3) and x.dtype == np.uint8
    # Targets are the inputs one age later: target t is input t + 1.
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    np.testing.assert_array_equal(yt[:, :-1], xt[:, 1:])
    # Fewer training series for the figures leave the test split unchanged.
    fewer = forecast.forecast_data("quick", seed=3, train=10)
    assert len(fewer.train[0]) + len(fewer.validation[0]) == 10
    np.testing.assert_array_equal(fewer.test[0], xt)
    assert "18 training, 2 validation, 6 test series" in data.source


def test_forecast_metrics_split_changed_and_static_pixels():
    last = np.zeros((1, 16, 16, 3))
    truth = last.copy()
    truth[0, 0, 0] = 100.0  # one pixel changes
    predicted = truth.copy()
    predicted[0, 0, 0] = 90.0  # 10 off on the changed pixel
    predicted[0, 5, 5] = 4.0  # 4 off on a static pixel
    m = forecast.forecast_metrics(last, truth, predicted)
    assert m["mae_changed"] == pytest.approx(10.0)
    assert m["mse_changed"] == pytest.approx(100.0)
    assert m["mae_static"] == pytest.approx(4.0 * 3 / (255 * 3))
    assert m["changed_share"] == pytest.approx(1 / 256)
    assert m["mae"] == pytest.approx((30 + 12) / (256 * 3))
    assert m["snr"] == pytest.approx(3 * 100**2 / (3 * 100 + 3 * 16))
    # Forecasts are clipped to the pixel range before scoring.
    assert forecast.forecast_metrics(last, last, last - 50)["mae"] == 0.0


def test_table3_rows_examples_and_report(tiny, tmp_path):
    table = reproduce("forecast-table3", "quick", out_dir=tmp_path, progress=False)
    models = list(dict.fromkeys(r["model"] for r in table.rows))
    assert models == ["copy-last-frame", "linear-extrapolation", "CRNN",
                      "ConvGRU2D-forecaster", "ConvLSTM2D-forecaster"]
    assert table.value("copy-last-frame", "mae_static") == 0.0  # copies the static sky
    assert table.value("CRNN", "mae") > 0 and table.value("CRNN", "min_val_loss") > 0
    assert [r["paper"] for r in table.rows if r["model"] == "CRNN" and r["metric"] == "mse"] \
        == [377.35]
    assert table.extras["parameters"]["CRNN"] == 17_773_440
    examples = table.extras["examples"]
    series = forecast.decode_images(examples["series"])
    assert series.shape == (6, 5, 32, 16, 3)
    np.testing.assert_array_equal(series[:, :4], forecast.forecast_data("quick").test[0])
    assert forecast.decode_images(examples["CRNN"]).shape == (6, 32, 16, 3)
    for suffix in (".json", ".md", ".png"):
        assert (tmp_path / f"forecast-table3{suffix}").stat().st_size > 0
    md = (tmp_path / "forecast-table3.md").read_text()
    assert "| paper: CRNN | 8.57 | 377.35 | 322.55 |" in md
    again = ResultsTable.from_json(tmp_path / "forecast-table3.json")
    assert to_markdown(again) + "\n" == md


def test_learning_curve_experiments_have_one_history_per_variant(tiny, tmp_path):
    table = reproduce("forecast-batch-sizes", "quick", out_dir=tmp_path, progress=False)
    assert list(table.extras["histories"]) == ["batch 8", "batch 16", "batch 32", "batch 64"]
    assert all(len(h["val_loss"]) == 2 for h in table.extras["histories"].values())
    assert table.value("batch 8", "min_val_loss") == min(
        table.extras["histories"]["batch 8"]["val_loss"])
    assert (tmp_path / "forecast-batch-sizes.png").exists()
    _, variants = forecast.FIGURE_VARIANTS["forecast-lstm-activations"]
    assert [v[0] for v in variants] == ["tanh/tanh", "tanh/hard_sigmoid", "selu/tanh",
                                        "selu/hard_sigmoid"]
