"""Future-appearance data splits, forecast metrics and the stored Fig. 7 examples."""

import numpy as np
import pytest

from keras_crnn.datasets.forecasting import pine_splits
from keras_crnn.experiments.forecast import FIGURE_VARIANTS
from keras_crnn.experiments.results import decode_images
from keras_crnn.metrics import forecast_metrics


def test_forecast_data_splits_and_pairs_ages():
    data = pine_splits(20, 6, seed=3)
    (x, y), (xv, yv), (xt, yt) = data.train, data.validation, data.test
    np.testing.assert_array_equal(yv[:, :-1], xv[:, 1:])
    assert x.shape == (18, 4, 32, 16, 3) and xv.shape == (2, 4, 32, 16, 3)
    assert xt.shape == (6, 4, 32, 16, 3) and x.dtype == np.uint8
    # Targets are the inputs one age later: target t is input t + 1.
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    np.testing.assert_array_equal(yt[:, :-1], xt[:, 1:])
    # Fewer training series for the figures leave the test split unchanged.
    fewer = pine_splits(20, 6, seed=3, used=10)
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
    m = forecast_metrics(last, truth, predicted)
    assert m["mae_changed"] == pytest.approx(10.0)
    assert m["mse_changed"] == pytest.approx(100.0)
    assert m["mae_static"] == pytest.approx(4.0 * 3 / (255 * 3))
    assert m["changed_share"] == pytest.approx(1 / 256)
    assert m["mae"] == pytest.approx((30 + 12) / (256 * 3))
    assert m["snr"] == pytest.approx(3 * 100**2 / (3 * 100 + 3 * 16))
    # Forecasts are clipped to the pixel range before scoring.
    assert forecast_metrics(last, last, last - 50)["mae"] == 0.0


@pytest.mark.slow
def test_table3_stores_the_test_series_and_forecasts(tiny_results):
    _, table = tiny_results("forecast-table3")
    series = decode_images(table.extras["examples"]["series"])
    tiny = pine_splits(40, 8, seed=table.seed)
    assert series.shape == (6, 5, 32, 16, 3)
    np.testing.assert_array_equal(series[:, :4], tiny.test[0][:6])
    assert decode_images(table.extras["examples"]["CRNN"]).shape == (6, 32, 16, 3)
    assert [r["paper"] for r in table.rows if r["model"] == "CRNN" and r["metric"] == "mse"] \
        == [377.35]


def test_lstm_activation_variants_are_the_papers():
    _, variants = FIGURE_VARIANTS["forecast-lstm-activations"]
    assert [v[0] for v in variants] == ["tanh/tanh", "tanh/hard_sigmoid", "selu/tanh",
                                        "selu/hard_sigmoid"]


def test_figures_share_the_baseline_fit_per_seed(tmp_path, monkeypatch):
    import keras_crnn.models
    from keras_crnn.experiments import get_experiment
    from keras_crnn.experiments.forecast import _variant_fit, forecast_data
    from keras_crnn.experiments.record import Run

    fig3 = Run(get_experiment("forecast-activations"), "tiny", "pines", progress=False,
               cache_dir=str(tmp_path))
    data = forecast_data(fig3)
    tanh = _variant_fit(fig3, data, "tanh", {"conv_activation": "tanh"}, "adam", None, 0)
    assert len(tanh["fit"]["history"]["val_loss"]) == 1 and tanh["mse"] > 0

    def refuse(*args, **kwargs):
        raise AssertionError("the baseline was trained again")

    monkeypatch.setattr(keras_crnn.models, "build_model", refuse)
    fig6 = Run(get_experiment("forecast-batch-sizes"), "tiny", "pines", progress=False,
               cache_dir=str(tmp_path))
    assert _variant_fit(fig6, data, "batch 16", {}, "adam", 16, 0) == tanh
    with pytest.raises(AssertionError, match="trained again"):  # another seed is a new fit
        _variant_fit(fig6, data, "batch 16", {}, "adam", 16, 1)


@pytest.mark.slow
def test_figure_rows_are_means_over_seeds(tiny_results):
    _, table = tiny_results("forecast-batch-sizes")
    seeds = table.extras["seeds"]
    assert seeds == [0, 1]
    for label in table.extras["variants"]:
        row = next(r for r in table.rows if r["model"] == label and r["metric"] == "mse")
        assert row["seeds"] == seeds and len(row["values"]) == 2
        assert row["value"] == pytest.approx(np.mean(row["values"]))
        assert row["std"] == pytest.approx(np.std(row["values"], ddof=1))
        for seed in seeds:
            assert f"{label} (seed {seed})" in table.extras["histories"]
    assert table.value("copy-last-frame", "mse") > 0
