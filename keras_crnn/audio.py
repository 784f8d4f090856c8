"""Audio features with Keras' own ops: log-mel spectrograms of sound tracks."""

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
import keras
import numpy as np


def log_mel_spectrogram(audio, sample_rate=16000, num_mel_bins=64, fft_length=1024,
                        hop_length=256, top_db=80.0):
    """Log-mel spectrogram (dB) of mono audio, computed by `keras.layers.MelSpectrogram`.

    Args:
        audio: float `(samples,)` in [-1, 1], or a batch `(n, samples)`.
        sample_rate: samples per second.
        num_mel_bins: mel bands (20 Hz to `sample_rate / 2`).
        fft_length: window and FFT length in samples (Hann window).
        hop_length: samples between frames.
        top_db: dynamic range kept below the loudest bin.

    Returns:
        float32 `(frames, num_mel_bins)` (or `(n, frames, num_mel_bins)`), with
        `frames = 1 + samples // hop_length` (the signal is padded at both ends).
    """
    audio = np.asarray(audio, np.float32)
    single = audio.ndim == 1
    if audio.ndim not in (1, 2) or audio.shape[-1] < 1:
        raise ValueError(f"Expected mono audio (samples,) or (n, samples). "
                         f"Received: shape={audio.shape}")
    layer = keras.layers.MelSpectrogram(
        fft_length=fft_length, sequence_stride=hop_length, sequence_length=fft_length,
        sampling_rate=sample_rate, num_mel_bins=num_mel_bins, power_to_db=True,
        top_db=top_db)
    spectrogram = np.asarray(layer(audio[None] if single else audio))  # (n, mels, frames)
    spectrogram = np.swapaxes(spectrogram, 1, 2)
    return spectrogram[0] if single else spectrogram


def mel_frequencies(num_mel_bins=64, sample_rate=16000, min_freq=20.0):
    """Centre frequencies (Hz) of the mel bands of `log_mel_spectrogram` (HTK mel scale)."""
    def to_mel(hz):
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    mels = np.linspace(to_mel(min_freq), to_mel(sample_rate / 2), num_mel_bins + 2)[1:-1]
    return 700.0 * (10 ** (mels / 2595.0) - 1.0)
