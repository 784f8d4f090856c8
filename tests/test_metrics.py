"""Metrics against hand-computed cases and scikit-learn."""

import keras
import numpy as np
import pytest
from sklearn import metrics as skm

from keras_crnn import metrics as M


def test_mae_mse_conventions_by_hand():
    y = np.zeros((2, 1, 2, 2, 1))
    p = np.zeros_like(y)
    p[0, 0, 0, 0, 0] = 2.0  # one pixel off by 2 in frame 0
    p[1, 0, :, :, 0] = 1.0  # every pixel off by 1 in frame 1
    assert M.mae(y, p) == pytest.approx((2 + 4) / 8)
    assert M.mse(y, p) == pytest.approx((4 + 4) / 8)
    # OpenSTL: sum over a frame, mean over frames.
    assert M.mae(y, p, reduction="frame_sum") == pytest.approx((2 + 4) / 2)
    assert M.mse(y, p, reduction="frame_sum") == pytest.approx((4 + 4) / 2)
    assert M.mse(y, p, pixel_scale=255) == pytest.approx(255**2)


def test_mae_mse_match_sklearn():
    rng = np.random.default_rng(0)
    y, p = rng.random((3, 4, 5, 6, 3)), rng.random((3, 4, 5, 6, 3))
    assert M.mse(y, p) == pytest.approx(skm.mean_squared_error(y.ravel(), p.ravel()))
    assert M.mae(y, p) == pytest.approx(skm.mean_absolute_error(y.ravel(), p.ravel()))


def test_snr_and_psnr_by_hand():
    y = np.full((1, 2, 2, 1), 3.0)
    p = y + np.array([1.0, -1.0, 1.0, -1.0]).reshape(y.shape)
    assert M.snr(y, p) == pytest.approx(9.0)  # signal power 9, noise power 1
    assert M.snr_db(y, p) == pytest.approx(10 * np.log10(9.0))
    assert M.psnr(y, p, max_value=255.0) == pytest.approx(10 * np.log10(255.0**2))
    # per-frame PSNR averaged over frames, not PSNR of the mean MSE
    y2 = np.zeros((2, 1, 1, 1))
    p2 = np.array([1.0, 10.0]).reshape(2, 1, 1, 1)
    expected = np.mean([10 * np.log10(100 / 1.0), 10 * np.log10(100 / 100.0)])
    assert M.psnr(y2, p2, max_value=10.0) == pytest.approx(expected)
    assert M.snr(y, y) == float("inf")


def test_ssim_of_constant_images_has_closed_form():
    # Constant images: variances are 0, so SSIM = (2 mx my + C1) / (mx² + my² + C1).
    # Small means, so the constant C1 moves the answer (0.8026 with it, 0.8 without).
    mx, my, c1 = 10.0, 20.0, (0.01 * 255) ** 2
    x = np.full((2, 16, 16, 1), mx)
    y = np.full((2, 16, 16, 1), my)
    assert M.ssim(x, y) == pytest.approx((2 * mx * my + c1) / (mx**2 + my**2 + c1), rel=1e-3)
    noisy = x + np.random.default_rng(1).normal(0, 20, x.shape)
    assert M.ssim(x, x) == pytest.approx(1.0)
    assert M.ssim(noisy, x) < 0.9
    with pytest.raises(ValueError, match="at least 11x11"):
        M.ssim(np.zeros((1, 8, 8, 1)), np.zeros((1, 8, 8, 1)))


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true.shape=\(2, 3\), y_pred.shape=\(3, 2\)"):
        M.mse(np.zeros((2, 3)), np.zeros((3, 2)))


def test_precision_recall_f_match_sklearn():
    rng = np.random.default_rng(2)
    y = rng.random((4, 8, 8)) > 0.7
    scores = np.clip(y * 0.6 + rng.random(y.shape) * 0.5, 0, 1)
    got = M.precision_recall_f(y, scores)
    pred = scores > 0.5
    assert got["precision"] == pytest.approx(skm.precision_score(y.ravel(), pred.ravel()))
    assert got["recall"] == pytest.approx(skm.recall_score(y.ravel(), pred.ravel()))
    assert got["f_measure"] == pytest.approx(skm.f1_score(y.ravel(), pred.ravel()))


def test_cdnet_labels_and_ignored_pixels():
    gt = np.array([[0, 50, 85, 170], [255, 255, 0, 255]], np.uint8)
    pred = np.array([[1, 1, 1, 1], [1, 0, 0, 1]])
    target, valid = M.cdnet_targets(gt)
    counts = M.SegmentationCounts().add(target, pred, valid)
    # 85 and 170 skipped; the shadow (50) counts as static.
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (2, 2, 1, 1)
    m = counts.measures()
    assert m["precision"] == pytest.approx(0.5)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f_measure"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert m["pbc"] == pytest.approx(100 * 3 / 6)
    with pytest.raises(ValueError, match="Received other values: \\[7\\]"):
        M.cdnet_targets(np.array([0, 7]))


def test_cdnet_averages_per_video_not_per_pixel():
    big = M.SegmentationCounts(tp=90, fp=10, fn=0, tn=900)  # precision .9
    small = M.SegmentationCounts(tp=1, fp=9, fn=0, tn=10)  # precision .1
    assert M.average_measures([big, small])["precision"] == pytest.approx(0.5)
    pooled = M.SegmentationCounts(tp=91, fp=19, fn=0, tn=910).measures()["precision"]
    assert pooled != pytest.approx(0.5)


def test_frame_and_sequence_accuracy():
    y = np.array([[0, 1, 2], [3, 4, 5]])
    scores = np.eye(6)[[[0, 1, 2], [3, 4, 0]]]
    assert M.frame_accuracy(y, scores) == pytest.approx(5 / 6)
    assert M.frame_accuracy(y, scores) == pytest.approx(
        skm.accuracy_score(y.ravel(), scores.argmax(-1).ravel())
    )
    assert M.sequence_accuracy(y, scores) == pytest.approx(0.5)
    assert M.accuracy_standard_error(0.9, 100) == pytest.approx(0.03)


def test_keras_metrics_accumulate_like_numpy():
    rng = np.random.default_rng(3)
    y = (rng.random((6, 5, 5, 1)) > 0.5).astype("float32")
    p = rng.random((6, 5, 5, 1)).astype("float32")
    valid = (rng.random((6, 5, 5, 1)) > 0.2).astype("float32")
    f = M.FMeasure()
    f.update_state(y[:3], p[:3], sample_weight=valid[:3])
    f.update_state(y[3:], p[3:], sample_weight=valid[3:])
    expected = M.precision_recall_f(y, p, valid=valid.astype(bool))
    assert float(f.result()) == pytest.approx(expected["f_measure"], rel=1e-6)
    assert float(f.precision()) == pytest.approx(expected["precision"], rel=1e-6)

    labels = rng.integers(0, 4, (8, 3))
    scores = rng.random((8, 3, 4)).astype("float32")
    scores[:4] += 2 * np.eye(4)[labels[:4]]  # first half right everywhere
    s = M.SequenceAccuracy()
    s.update_state(labels, scores)
    assert float(s.result()) == pytest.approx(M.sequence_accuracy(labels, scores))

    psnr = M.PSNR(max_value=1.0)
    psnr.update_state(y, p)
    assert float(psnr.result()) == pytest.approx(M.psnr(y, p, max_value=1.0), rel=1e-5)


def test_keras_metrics_serialize():
    for metric in [M.FMeasure(threshold=0.3), M.SequenceAccuracy(), M.PSNR(max_value=255.0)]:
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
        assert type(clone) is type(metric) and clone.get_config() == metric.get_config()


def test_fmeasure_takes_integer_labels():
    f = M.FMeasure()
    f.update_state(np.array([[1, 0, 1]]), np.array([[0.9, 0.8, 0.2]]))
    assert float(f.result()) == pytest.approx(0.5)
