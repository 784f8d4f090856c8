"""Pixel-wise segmentation metrics: precision, recall, F-measure (RFCN paper eq. 8-9)
and the other CDnet 2014 measures, with pixels that do not count left out.

CDnet 2014 ground truth labels every pixel 0 (static), 50 (hard shadow, counted
as static), 85 (outside the region of interest), 170 (unknown motion) or 255
(motion). Pixels labelled 85 or 170 are not evaluated. CDnet accumulates the
confusion counts over all frames of a video, computes the measures per video,
then averages them per category and over categories; `SegmentationCounts`
holds one video's counts and `average_measures` does the averaging.
"""

from dataclasses import dataclass

import numpy as np

CDNET_STATIC, CDNET_SHADOW, CDNET_OUTSIDE_ROI, CDNET_UNKNOWN, CDNET_MOTION = 0, 50, 85, 170, 255
CDNET_IGNORED = (CDNET_OUTSIDE_ROI, CDNET_UNKNOWN)


def cdnet_targets(groundtruth):
    """Splits CDnet labels into a binary motion target and the pixels that count.

    Args:
        groundtruth: uint8 array of CDnet labels, any shape.

    Returns:
        `(target, valid)`: booleans of the same shape; `target` is motion (255),
        `valid` excludes outside-ROI (85) and unknown (170) pixels.
    """
    gt = np.asarray(groundtruth)
    unexpected = np.setdiff1d(np.unique(gt), [0, 50, 85, 170, 255])
    if unexpected.size:
        raise ValueError(
            "CDnet ground truth holds only the labels 0, 50, 85, 170 and 255. "
            f"Received other values: {unexpected[:10].tolist()}"
        )
    return gt == CDNET_MOTION, ~np.isin(gt, CDNET_IGNORED)


@dataclass
class SegmentationCounts:
    """Pixel confusion counts of one video (or any set of frames)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, y_true, y_pred, valid=None, threshold=0.5):
        """Adds the counts of binary targets `y_true` and scores or masks `y_pred`.

        Args:
            y_true: booleans or {0, 1}, any shape.
            y_pred: probabilities or {0, 1} of the same shape; `> threshold` is
                foreground.
            valid: optional booleans of the same shape; False pixels are skipped.
            threshold: decision threshold on `y_pred`.

        Returns:
            self, for chaining.
        """
        t = np.asarray(y_true).astype(bool)
        p = np.asarray(y_pred) > threshold
        if t.shape != p.shape:
            raise ValueError(
                "`y_true` and `y_pred` must have the same shape. "
                f"Received: y_true.shape={t.shape}, y_pred.shape={p.shape}"
            )
        if valid is not None:
            valid = np.asarray(valid, dtype=bool)
            if valid.shape != t.shape:
                raise ValueError(
                    f"`valid` must have the shape of `y_true` {t.shape}. "
                    f"Received: valid.shape={valid.shape}"
                )
            t, p = t[valid], p[valid]
        self.tp += int(np.sum(t & p))
        self.fp += int(np.sum(~t & p))
        self.fn += int(np.sum(t & ~p))
        self.tn += int(np.sum(~t & ~p))
        return self

    def measures(self):
        """Precision, recall, F-measure, specificity, FPR, FNR and PBC (percent).

        A ratio whose denominator is zero is reported as 0.0.
        """

        def ratio(a, b):
            return a / b if b else 0.0

        precision = ratio(self.tp, self.tp + self.fp)
        recall = ratio(self.tp, self.tp + self.fn)
        total = self.tp + self.fp + self.fn + self.tn
        return {
            "precision": precision,
            "recall": recall,
            "f_measure": ratio(2 * precision * recall, precision + recall),
            "specificity": ratio(self.tn, self.tn + self.fp),
            "fpr": ratio(self.fp, self.fp + self.tn),
            "fnr": ratio(self.fn, self.tp + self.fn),
            "pbc": 100.0 * ratio(self.fn + self.fp, total),
        }


def precision_recall_f(y_true, y_pred, valid=None, threshold=0.5):
    """Eq. 8-9 of the RFCN paper over all given pixels.

    Returns:
        dict with `precision`, `recall`, `f_measure` (and the other CDnet measures).
    """
    return SegmentationCounts().add(y_true, y_pred, valid, threshold).measures()


def average_measures(per_video):
    """CDnet averaging: the mean of each measure over videos (or categories).

    Args:
        per_video: iterable of `SegmentationCounts` or of dicts from `measures()`.
    """
    rows = [c.measures() if isinstance(c, SegmentationCounts) else c for c in per_video]
    if not rows:
        raise ValueError("Expected at least one video's counts. Received an empty list.")
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
