"""Video genre classification (the genre paper's Table I) from shared blocks.

Clips are `(time, rows, cols, 3)` frames (40 frames = 10 s at 4 fps in the
paper), optionally with the log-mel spectrogram of their sound `(frames,
mels)`. A **frame encoder** maps one frame to a feature vector:

- `inceptionv3`: `keras.applications.InceptionV3`, pooled (2048 features); the
  paper's. Weights from a local file (`weights=PATH`) or random (None):
  nothing is downloaded.
- `mobilenet-0.25`: `keras.applications.MobileNet` v1, alpha 0.25, pooled (256
  features), with its own preprocessing (frames in [0, 1] mapped to [-1, 1],
  what `keras.applications.mobilenet.preprocess_input` does to [0, 255]);
  `weights=PATH` loads the ImageNet file `mobilenet_2_5_224_tf_no_top.h5`
  (../shared/data/weights). A pretrained encoder that runs on a CPU.
- `mobilenetv3small`: `keras.applications.MobileNetV3Small`, pooled, random
  weights: a compact stand-in that trains on a CPU.
- `small-cnn`: four 3x3 convolutions with pooling (32-128 filters), pooled.

Models (`GENRE_MODELS`, the names of Table I):

| name | what |
|---|---|
| `ConvNet` | the encoder on the middle frame, softmax |
| `Time distributed CNN` | the encoder and softmax on every frame, probabilities averaged |
| `3D ConvNet` | 3D convolutions over the clip, softmax |
| `CNN-RNN` | encoder features per frame, SimpleRNN, softmax |
| `CNN-LSTM softmax` | a per-frame softmax over the genres (a frame classifier), LSTM on those scores, softmax |
| `CNN-LSTM pool` | encoder features per frame, a wide LSTM (2056 units in the paper), softmax |

`audio=True` adds the paper's proposal: a CNN on the spectrogram whose
features join the visual branch's before the final softmax.

**Two-stage training** (the paper's): `build_frame_classifier` (encoder +
softmax) is trained on single frames; `frame_features` then runs it once over
every frame and gives the encoder's pooled features (`pool`) and the
classifier's probabilities (`softmax`), which are cached; the recurrent
models of `FEATURE_MODELS` (`build_feature_model`) train on those cached
sequences `(time, features)`. `build_genre_model` builds the same models to
train end to end from pixels instead.
"""

from pathlib import Path

import keras
import numpy as np

from keras_crnn.layers import LSTM
from keras_crnn.models.backbone import conv_stack

ENCODERS = ("inceptionv3", "mobilenet-0.25", "mobilenetv3small", "small-cnn")
GENRE_MODELS = ("ConvNet", "Time distributed CNN", "3D ConvNet", "CNN-RNN", "CNN-LSTM softmax",
                "CNN-LSTM pool")
FEATURE_MODELS = ("CNN-RNN", "CNN-LSTM softmax", "CNN-LSTM pool")
# `keras_crnn.models.backbone.conv_stack` specs: the small frame CNN (3x3
# convolutions, each followed by 2x2 pooling) and the 3D ConvNet (the first
# pooling keeps the time axis).
SMALL_CNN = tuple(item for f in (32, 64, 96, 128) for item in ((f, 3, 1), "pool"))
CONV3D = ((32, 3, 1), ("pool", (1, 2, 2)), (64, 3, 1), ("pool", 2), (128, 3, 1), ("pool", 2))


def frame_encoder(name, frame_shape, weights=None, pooling="avg"):
    """One frame `(rows, cols, 3)` -> a feature vector (see the module docstring).

    Args:
        name: one of `ENCODERS`.
        frame_shape: `(rows, cols, 3)`; InceptionV3 needs at least 75x75,
            MobileNet and MobileNetV3Small 32x32.
        weights: a `.weights.h5` / `.h5` file of the application's weights, or
            None (random). Nothing is ever downloaded: "imagenet" is refused.
        pooling: `"avg"` averages the last feature map over space (the
            paper's pool features: 2048 for InceptionV3); `"flatten"` keeps
            where things are (rows x cols x channels of the last map).

    Returns:
        `keras.Model` named `frame_encoder`.
    """
    frame_shape = tuple(frame_shape)
    if pooling not in ("avg", "flatten"):
        raise ValueError(f"`pooling` must be 'avg' or 'flatten'. Received: {pooling!r}")
    if weights is not None and not Path(weights).is_file():
        raise FileNotFoundError(
            f"`weights` must be a local weights file of the {name!r} encoder, or None (random); "
            f"nothing is downloaded. Received: {weights!r}, not a file" +
            (" (the ImageNet MobileNet 0.25 file is mobilenet_2_5_224_tf_no_top.h5, in "
             "../shared/data/weights)" if name == "mobilenet-0.25" else ""))
    if name == "inceptionv3":
        base = keras.applications.InceptionV3(include_top=False, weights=weights,
                                              input_shape=frame_shape)
    elif name == "mobilenetv3small":
        base = keras.applications.MobileNetV3Small(include_top=False, weights=weights,
                                                   input_shape=frame_shape,
                                                   include_preprocessing=False)
    elif name == "mobilenet-0.25":
        inputs = keras.Input(frame_shape)
        x = keras.layers.Rescaling(2.0, offset=-1.0, name="mobilenet_preprocess")(inputs)
        net = keras.applications.MobileNet(alpha=0.25, include_top=False, weights=weights,
                                           input_shape=frame_shape)
        base = keras.Model(inputs, net(x), name="mobilenet_0_25")
    elif name == "small-cnn":
        inputs = keras.Input(frame_shape)
        base = keras.Model(inputs, conv_stack(inputs, SMALL_CNN, pool_padding="same"))
        if weights:
            base.load_weights(weights)
    else:
        raise ValueError(f"Unknown frame encoder. Expected one of {ENCODERS}. "
                         f"Received: {name!r}")
    inputs = keras.Input(frame_shape, name="frame")
    pool = keras.layers.GlobalAveragePooling2D(name="pool") if pooling == "avg" else \
        keras.layers.Flatten(name="pool")
    return keras.Model(inputs, pool(base(inputs)), name="frame_encoder")


def audio_branch(spectrogram_shape, filters=(16, 32, 64)):
    """A CNN on a log-mel spectrogram `(frames, mels)` -> a feature vector."""
    inputs = keras.Input(tuple(spectrogram_shape), name="spectrogram")
    x = keras.layers.Reshape(tuple(spectrogram_shape) + (1,))(inputs)
    x = keras.layers.BatchNormalization(name="audio_norm")(x)
    x = conv_stack(x, [item for f in filters for item in ((f, 3, 1), "pool")],
                   pool_padding="same", conv_name="audio_conv{}", pool_name="audio_pool{}")
    x = keras.layers.GlobalAveragePooling2D(name="audio_features")(x)
    return keras.Model(inputs, x, name="audio_branch")


def build_genre_model(name, clip_shape, classes=6, encoder="small-cnn", weights=None,
                      units=256, audio=False, spectrogram_shape=None, dropout=0.5):
    """Builds model `name` of Table I (see the module docstring).

    Args:
        name: one of `GENRE_MODELS`.
        clip_shape: `(time, rows, cols, 3)`.
        classes: genres.
        encoder, weights: the frame encoder (`frame_encoder`); unused by
            `3D ConvNet`.
        units: units of the recurrent layer (the paper's CNN-LSTM: 2056).
        audio: add the spectrogram branch (needs `spectrogram_shape`).
        spectrogram_shape: `(frames, mels)` of a clip's sound.
        dropout: before the final softmax.

    Returns:
        `keras.Model` from a clip (and its spectrogram, with `audio`) to genre
        probabilities `(batch, classes)`.
    """
    if name not in GENRE_MODELS:
        raise ValueError(f"Unknown genre model. Expected one of {GENRE_MODELS}. "
                         f"Received: {name!r}")
    clip_shape = tuple(clip_shape)
    if len(clip_shape) != 4 or any(d is None for d in clip_shape[1:]):
        raise ValueError("`clip_shape` must be (time, rows, cols, channels) with known frames. "
                         f"Received: clip_shape={clip_shape}")
    if audio and spectrogram_shape is None:
        raise ValueError("`audio=True` needs `spectrogram_shape` (frames, mels)")
    td = keras.layers.TimeDistributed
    clip = keras.Input(clip_shape, name="frames")
    inputs = [clip]

    def encoded():
        return td(frame_encoder(encoder, clip_shape[1:], weights), name="encoder")(clip)

    if name == "ConvNet":
        middle = keras.layers.Cropping3D(((clip_shape[0] // 2, clip_shape[0] - clip_shape[0] // 2
                                           - 1), (0, 0), (0, 0)), name="middle_frame")(clip)
        x = keras.layers.Reshape(clip_shape[1:])(middle)
        x = frame_encoder(encoder, clip_shape[1:], weights)(x)
    elif name == "Time distributed CNN":
        x = td(keras.layers.Dense(classes, activation="softmax"), name="frame_scores")(encoded())
        x = keras.layers.GlobalAveragePooling1D(name="average")(x)
        if not audio:  # already probabilities
            return keras.Model(clip, x, name="time_distributed_cnn")
    elif name == "3D ConvNet":
        x = conv_stack(clip, CONV3D, conv=keras.layers.Conv3D, pool=keras.layers.MaxPooling3D,
                       pool_padding="same", conv_name="conv3d_{}", pool_name="pool3d_{}")
        x = keras.layers.GlobalAveragePooling3D(name="pool")(x)
    elif name == "CNN-LSTM softmax":
        x = td(keras.layers.Dense(classes, activation="softmax"), name="frame_scores")(encoded())
        x = _temporal(name, units)(x)
    else:  # CNN-RNN, CNN-LSTM pool
        x = _temporal(name, units)(encoded())
    return _classify(name, x, inputs, classes, audio, spectrogram_shape, dropout)


def _temporal(name, units):
    layer = keras.layers.SimpleRNN if name == "CNN-RNN" else LSTM
    return layer(units, name="temporal")


def _classify(name, x, inputs, classes, audio, spectrogram_shape, dropout):
    """The shared tail: optional audio fusion, dropout, softmax."""
    if audio:
        sound = keras.Input(tuple(spectrogram_shape), name="spectrogram")
        inputs = inputs + [sound]
        x = keras.layers.Concatenate(name="fusion")([x, audio_branch(spectrogram_shape)(sound)])
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    model_name = name.lower().replace(" ", "_").replace("-", "_") + ("_audio" if audio else "")
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], outputs, name=model_name)


def build_frame_classifier(frame_shape, classes=6, encoder="small-cnn", weights=None,
                           dropout=0.5, train_encoder=True):
    """Stage 1 of two-stage training: one frame `(rows, cols, 3)` -> genre
    probabilities `(batch, classes)`, trained on single frames labelled with
    their video's genre (the paper retrains InceptionV3's top this way:
    `train_encoder=False` freezes a pretrained encoder).

    The encoder is the layer `frame_encoder`, the softmax `frame_scores`;
    `frame_features` reads both.
    """
    frame = keras.Input(tuple(frame_shape), name="frame")
    features = frame_encoder(encoder, frame_shape, weights)
    features.trainable = train_encoder
    x = features(frame)
    if dropout:
        x = keras.layers.Dropout(dropout, name="frame_dropout")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="frame_scores")(x)
    return keras.Model(frame, outputs, name="frame_classifier")


def frame_features(classifier, clips, batch_size=256, scale=1 / 255, spatial=False):
    """Runs a trained frame classifier once over every frame of `clips`.

    Args:
        classifier: from `build_frame_classifier`.
        clips: `(n, time, rows, cols, 3)` frames (uint8, multiplied by
            `scale`).
        batch_size: frames per forward pass.
        spatial: also return the encoder's last feature map before pooling,
            flattened (`map`): it keeps where things are in the frame.

    Returns:
        dict of float32 arrays: `pool` `(n, time, features)` (the encoder's
        pooled output), `softmax` `(n, time, classes)` and, with `spatial`,
        `map` `(n, time, rows * cols * channels)`.
    """
    clips = np.asarray(clips)
    if clips.ndim != 5:
        raise ValueError("Expected clips (n, time, rows, cols, channels). Received: "
                         f"shape={clips.shape}")
    encoder = classifier.get_layer("frame_encoder")
    frame = keras.Input(clips.shape[2:])
    feature_map = encoder.layers[1](frame)  # the backbone, before its pooling
    pool = encoder.get_layer("pool")(feature_map)
    softmax = classifier.get_layer("frame_scores")(pool)  # dropout is off at inference
    outputs = {"pool": pool, "softmax": softmax}
    if spatial:
        outputs["map"] = keras.layers.Flatten()(feature_map)
    extractor = keras.Model(frame, list(outputs.values()))
    frames = clips.reshape((-1,) + clips.shape[2:])
    parts = {key: [] for key in outputs}
    for start in range(0, len(frames), batch_size):
        batch = frames[start:start + batch_size].astype(np.float32) * scale
        for key, value in zip(outputs, extractor(batch, training=False), strict=True):
            parts[key].append(np.asarray(value, np.float32))
    return {key: np.concatenate(value).reshape(clips.shape[:2] + (-1,))
            for key, value in parts.items()}


def build_feature_model(name, feature_shape, classes=6, units=256, audio=False,
                        spectrogram_shape=None, dropout=0.5):
    """Stage 2 of two-stage training: a recurrent model on cached per-frame
    features.

    Args:
        name: one of `FEATURE_MODELS` (`CNN-RNN`: SimpleRNN; the CNN-LSTMs:
            LSTM). Which features it reads (`pool` or `softmax`) is the
            caller's choice: the paper's CNN-LSTM softmax reads `softmax`.
        feature_shape: `(time, features)`.
        classes, units, audio, spectrogram_shape, dropout: as in
            `build_genre_model`.

    Returns:
        `keras.Model` from features `(batch, time, features)` (and the
        spectrogram, with `audio`) to genre probabilities `(batch, classes)`.
    """
    if name not in FEATURE_MODELS:
        raise ValueError(f"Unknown feature model. Expected one of {FEATURE_MODELS}. "
                         f"Received: {name!r}")
    if len(tuple(feature_shape)) != 2:
        raise ValueError(f"`feature_shape` must be (time, features). Received: {feature_shape}")
    if audio and spectrogram_shape is None:
        raise ValueError("`audio=True` needs `spectrogram_shape` (frames, mels)")
    features = keras.Input(tuple(feature_shape), name="features")
    x = keras.layers.LayerNormalization(name="feature_norm")(features)
    return _classify(name, _temporal(name, units)(x), [features], classes, audio,
                     spectrogram_shape, dropout)
