"""Video genre classification (the genre paper's Table I) from shared blocks.

Clips are `(time, rows, cols, 3)` frames (40 frames = 10 s at 4 fps in the
paper), optionally with the log-mel spectrogram of their sound `(frames,
mels)`. A **frame encoder** maps one frame to a feature vector:

- `inceptionv3`: `keras.applications.InceptionV3`, pooled (2048 features); the
  paper's. Weights from a local file (`weights=PATH`) or random (None):
  nothing is downloaded.
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
"""

import keras

ENCODERS = ("inceptionv3", "mobilenetv3small", "small-cnn")
GENRE_MODELS = ("ConvNet", "Time distributed CNN", "3D ConvNet", "CNN-RNN", "CNN-LSTM softmax",
                "CNN-LSTM pool")


def frame_encoder(name, frame_shape, weights=None):
    """One frame `(rows, cols, 3)` -> a feature vector (see the module docstring).

    Args:
        name: one of `ENCODERS`.
        frame_shape: `(rows, cols, 3)`; InceptionV3 needs at least 75x75,
            MobileNetV3Small 32x32.
        weights: a `.weights.h5` / `.h5` file of the application's weights, or
            None (random).

    Returns:
        `keras.Model` named `frame_encoder`.
    """
    frame_shape = tuple(frame_shape)
    if name == "inceptionv3":
        base = keras.applications.InceptionV3(include_top=False, weights=weights,
                                              input_shape=frame_shape, pooling="avg")
    elif name == "mobilenetv3small":
        base = keras.applications.MobileNetV3Small(include_top=False, weights=weights,
                                                   input_shape=frame_shape, pooling="avg",
                                                   include_preprocessing=False)
    elif name == "small-cnn":
        inputs = keras.Input(frame_shape)
        x = inputs
        for i, filters in enumerate((32, 64, 96, 128), start=1):
            x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu",
                                    name=f"conv{i}")(x)
            x = keras.layers.MaxPooling2D(2, padding="same", name=f"pool{i}")(x)
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
        base = keras.Model(inputs, x)
        if weights:
            base.load_weights(weights)
    else:
        raise ValueError(f"Unknown frame encoder. Expected one of {ENCODERS}. "
                         f"Received: {name!r}")
    inputs = keras.Input(frame_shape, name="frame")
    return keras.Model(inputs, base(inputs), name="frame_encoder")


def audio_branch(spectrogram_shape, filters=(16, 32, 64)):
    """A CNN on a log-mel spectrogram `(frames, mels)` -> a feature vector."""
    inputs = keras.Input(tuple(spectrogram_shape), name="spectrogram")
    x = keras.layers.Reshape(tuple(spectrogram_shape) + (1,))(inputs)
    x = keras.layers.BatchNormalization(name="audio_norm")(x)
    for i, f in enumerate(filters, start=1):
        x = keras.layers.Conv2D(f, 3, padding="same", activation="relu", name=f"audio_conv{i}")(x)
        x = keras.layers.MaxPooling2D(2, padding="same", name=f"audio_pool{i}")(x)
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
        x = clip
        for i, filters in enumerate((32, 64, 128), start=1):
            x = keras.layers.Conv3D(filters, 3, padding="same", activation="relu",
                                    name=f"conv3d_{i}")(x)
            x = keras.layers.MaxPooling3D((1 if i == 1 else 2, 2, 2), padding="same",
                                          name=f"pool3d_{i}")(x)
        x = keras.layers.GlobalAveragePooling3D(name="pool")(x)
    elif name == "CNN-RNN":
        x = keras.layers.SimpleRNN(units, name="temporal")(encoded())
    elif name == "CNN-LSTM softmax":
        x = td(keras.layers.Dense(classes, activation="softmax"), name="frame_scores")(encoded())
        x = keras.layers.LSTM(units, name="temporal")(x)
    else:  # CNN-LSTM pool
        x = keras.layers.LSTM(units, name="temporal")(encoded())
    if audio:
        sound = keras.Input(tuple(spectrogram_shape), name="spectrogram")
        inputs.append(sound)
        x = keras.layers.Concatenate(name="fusion")([x, audio_branch(spectrogram_shape)(sound)])
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    model_name = name.lower().replace(" ", "_").replace("-", "_") + ("_audio" if audio else "")
    return keras.Model(inputs if audio else clip, outputs, name=model_name)
