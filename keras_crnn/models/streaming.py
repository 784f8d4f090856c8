"""Online segmentation: one frame in, that frame's mask out.

    segmenter = StreamingSegmenter(model, mode="stateful")
    for frame in video:                # (rows, cols, channels), uint8
        mask = segmenter.step(frame)   # (out_rows, out_cols) probabilities

Two modes, for any model of `keras_crnn.models.segmentation`:

- `window` (the paper): the model runs on the last `window` frames, its
  recurrent state starting from zero in every window. Before `window` frames
  have arrived, the first frame is repeated to fill the window.
- `stateful`: the recurrent state is carried from frame to frame, so each new
  frame goes through the encoder once and the recurrence one step. Its masks
  equal the model's with `return_sequences=True` run on the whole video.
  Fully convolutional models have no state: both modes run them on the new
  frame alone.
"""

import collections

import keras
import numpy as np
from keras import ops

from keras_crnn.layers import ConvGRU2D

MODES = ("window", "stateful")


def _unwrap(layer):
    return getattr(layer, "layer", layer)


def _compiled(fn):
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, reduce_retracing=True)
    return fn


class StreamingSegmenter:
    """Segments a video one frame at a time (see the module docstring).

    Args:
        model: a segmentation model (`build_segmenter`, or one loaded from a
            `.keras` file) taking `(batch, window, rows, cols, channels)`.
        mode: `window` or `stateful`.
        scale: multiplies the frames before the model (1/255 for uint8 frames
            the model was trained on at [0, 1]).
    """

    def __init__(self, model, mode="window", scale=1 / 255):
        if mode not in MODES:
            raise ValueError(f"`mode` must be one of {MODES}. Received: mode={mode!r}")
        self.model, self.mode, self.scale = model, mode, scale
        self.window = model.input_shape[1]
        if self.window is None:
            raise ValueError("The model's window (input time axis) must be known. "
                             f"Received: input_shape={model.input_shape}")
        self.frame_shape = tuple(model.input_shape[2:])
        names = {layer.name for layer in model.layers}
        self.recurrent = "temporal" in names
        self._has_encoder = "encoder" in names
        self._frames = collections.deque(maxlen=self.window)
        self._state = None
        self._window_fn = _compiled(lambda x: model(x, training=False))
        self._step_fn = _compiled(self._stateful_step) if self.recurrent else None
        self._last_frame_fn = None if self.recurrent else _compiled(self._fcn_step)

    def reset(self):
        """Forgets the frames and the state: the next frame starts a new video."""
        self._frames.clear()
        self._state = None

    def _check(self, frame):
        frame = received = np.asarray(frame)
        if frame.ndim == len(self.frame_shape) - 1 and self.frame_shape[-1] == 1:
            frame = frame[..., None]  # a grey frame without its channel axis
        if tuple(frame.shape) != self.frame_shape:
            raise ValueError(f"Expected one frame of shape {self.frame_shape}. "
                             f"Received: shape={received.shape}")
        if not np.issubdtype(frame.dtype, np.number) or frame.dtype == np.bool_:
            raise ValueError(f"Expected a numeric frame. Received: dtype={frame.dtype}")
        if self.scale != 1 and not np.issubdtype(frame.dtype, np.integer):
            raise ValueError(f"With scale={self.scale:g} frames are uint8 (0-255); pass "
                             f"scale=1 for frames already scaled. Received: dtype={frame.dtype}")
        if not np.isfinite(frame).all():
            raise ValueError("The frame holds NaN or infinite values")
        return frame.astype(np.float32) * np.float32(self.scale)

    def step(self, frame):
        """The mask `(out_rows, out_cols)` of `frame`, probabilities in [0, 1]."""
        frame = self._check(frame)
        if not self.recurrent:
            return np.asarray(self._last_frame_fn(frame[None]))[0, ..., 0]
        if self.mode == "window":
            if not self._frames:
                self._frames.extend([frame] * (self.window - 1))
            self._frames.append(frame)
            x = np.stack(self._frames)[None]
            return np.asarray(self._window_fn(x))[0, ..., 0]
        if self._state is None:
            self._state = self._initial_state()
        mask, self._state = self._step_fn(frame[None], self._state)
        return np.asarray(mask)[0, ..., 0]

    def segment(self, frames):
        """Masks of a whole video `(T, rows, cols, channels)`, frame by frame,
        from a fresh start: `(T, out_rows, out_cols)`."""
        self.reset()
        return np.stack([self.step(frame) for frame in frames])

    # The parts of the model one frame goes through.
    def _layer(self, name):
        return _unwrap(self.model.get_layer(name))

    def _dense_logits(self, frame):
        x = self._layer("encoder")(frame, training=False)
        return self._layer("upsample")(self._layer("score")(x))

    def _fcn_step(self, frame):
        return ops.sigmoid(self._dense_logits(frame))

    def _initial_state(self):
        temporal = self._layer("temporal")
        if isinstance(temporal, ConvGRU2D):
            coarse = self._layer("encoder").output.shape[1:3]
            return [ops.zeros((1,) + tuple(coarse) + (temporal.filters,))]
        count = 2 if isinstance(temporal, keras.layers.LSTM) else 1
        return [ops.zeros((1, temporal.units)) for _ in range(count)]

    def _stateful_step(self, frame, state):
        temporal = self._layer("temporal")
        if isinstance(temporal, ConvGRU2D):  # RFC-12s / RFC-VGG: one cell step, no loop
            coarse = self._layer("encoder")(frame, training=False)
            cell = temporal.cell
            projected = cell.project_inputs(coarse[:, None])[:, 0]
            cell.begin_sequence(1)
            try:
                h, new_state = cell(projected, state)
            finally:
                cell.end_sequence()
            x = self._layer("score")(coarse + h)  # the refine skip
            return ops.sigmoid(self._layer("upsample")(x)), list(new_state)
        if self._has_encoder:  # RFC-Lenet: a GRU on the flattened dense logits
            logits = self._dense_logits(frame)
            h, new_state = temporal.cell(ops.reshape(logits, (1, -1)), state, training=False)
            x = ops.concatenate([ops.reshape(h, logits.shape), logits], axis=-1)
        else:  # LSTM / GRU on the flattened frame
            h, new_state = temporal.cell(ops.reshape(frame, (1, -1)), state, training=False)
            x = ops.reshape(h, (1,) + self.frame_shape[:2] + (1,))
        return self._layer("mask")(x), list(new_state)
