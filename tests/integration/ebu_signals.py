"""The EBU loudness test signals, generated here (nothing downloaded), written as WAV files.

EBU Tech 3341 (loudness metering, "EBU mode") and EBU Tech 3342 (loudness range) define their
minimum-requirement signals as 1 kHz sines (and, for true peak, sines at fractions of the sample
rate) at stated levels and durations. Every duration here is a whole number of periods, so a
signal is one period's bytes repeated: fast in pure Python, and phase-continuous across steps.
"""

import math
import struct

SAMPLE_RATE = 48000
FORMAT_PCM, FORMAT_FLOAT = 1, 3


def period(amplitude, samples_per_period, phase=0.0):
    """One period of a sine of peak `amplitude`, as floats."""
    return [amplitude * math.sin(2 * math.pi * n / samples_per_period + phase)
            for n in range(samples_per_period)]


def db(value):
    return 10 ** (value / 20)


def pack(frames, fmt):
    """Interleaved float frames [[ch0, ch1, ...], ...] as s16le (FORMAT_PCM) or f32le bytes."""
    flat = [s for frame in frames for s in frame]
    if fmt == FORMAT_FLOAT:
        return struct.pack(f"<{len(flat)}f", *flat)
    return struct.pack(f"<{len(flat)}h", *(max(-32768, min(32767, round(s * 32768))) for s in flat))


def tone(levels_dbfs, seconds, fmt=FORMAT_PCM, samples_per_period=48, phase=0.0):
    """`seconds` of a sine (1 kHz by default) with one level per channel (dBFS, peak)."""
    periods = [period(db(level), samples_per_period, phase) for level in levels_dbfs]
    frames = [[p[n] for p in periods] for n in range(samples_per_period)]
    count = round(seconds * SAMPLE_RATE / samples_per_period)
    assert abs(count * samples_per_period - seconds * SAMPLE_RATE) < 1e-6, "not whole periods"
    return pack(frames, fmt) * count


def stereo_steps(steps, fmt=FORMAT_PCM):
    """A stereo 1 kHz sine through [(dBFS, seconds), ...]."""
    return b"".join(tone([level, level], seconds, fmt) for level, seconds in steps)


def wav_bytes(data, channels, fmt=FORMAT_PCM, data_size=None, rate=SAMPLE_RATE):
    """A RIFF/WAVE file around `data`; `data_size` overrides the data chunk's size field."""
    bits = 32 if fmt == FORMAT_FLOAT else 16
    block = channels * bits // 8
    size = len(data) if data_size is None else data_size
    riff = min(0xFFFFFFFF, 4 + 24 + 8 + size)
    header = b"RIFF" + struct.pack("<I", riff) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, fmt, channels, rate, rate * block, block, bits)
    return header + b"data" + struct.pack("<I", size) + data


def write_wav(path, data, channels, fmt=FORMAT_PCM, data_size=None):
    with open(path, "wb") as f:
        f.write(wav_bytes(data, channels, fmt, data_size))
    return path


# EBU Tech 3341, table 1 (cases 1-6, 9, 12): name -> (channels, data, what to check).
# Checks: ("end", field, value): the last snapshot; ("from", seconds, field, value): every
# snapshot whose window ends at or after `seconds`; ("max", field, value): the largest value over
# all snapshots. Loudness tolerance +-0.1 LU.
def tech3341_loudness_cases():
    five = tone([-28, -28, -24, -30, -30], 20)  # L, R, C, Ls, Rs
    case9 = stereo_steps([(-20, 1.34), (-30, 1.66)] * 5)
    case12 = stereo_steps([(-20, 0.18), (-30, 0.22)] * 25)
    return {
        "t3341c1": (2, stereo_steps([(-23, 20)]),
                    [("end", "momentary", -23), ("end", "short_term", -23), ("end", "integrated", -23)]),
        "t3341c2": (2, stereo_steps([(-33, 20)]),
                    [("end", "momentary", -33), ("end", "short_term", -33), ("end", "integrated", -33)]),
        "t3341c3": (2, stereo_steps([(-36, 10), (-23, 60), (-36, 10)]), [("end", "integrated", -23)]),
        "t3341c4": (2, stereo_steps([(-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)]),
                    [("end", "integrated", -23)]),
        "t3341c5": (2, stereo_steps([(-26, 20), (-20, 20.1), (-26, 20)]),
                    [("end", "integrated", -23), ("end", "max_momentary", -20),
                     ("end", "max_short_term", -20)]),
        "t3341c6": (5, five, [("end", "integrated", -23), ("end", "short_term", -23)]),
        "t3341c9": (2, case9, [("from", 3.0, "short_term", -23)]),
        "t3341c12": (2, case12, [("from", 1.0, "momentary", -23)]),
    }


# EBU Tech 3341, table 2 (true peak at 48 kHz, cases 15-19): float WAV, so +3 dBTP fits.
# Tolerance +0.2 / -0.4 dB.
def tech3341_true_peak_cases():
    quarter, sixth, eighth = 4, 6, 8  # samples per period: fs/4, fs/6, fs/8
    cases = {"t3341c15": (-6.0, quarter, 0.0, -6.0), "t3341c16": (-6.0, quarter, 45.0, -6.0),
             "t3341c17": (-6.0, sixth, 60.0, -6.0), "t3341c18": (-6.0, eighth, 67.5, -6.0),
             "t3341c19": (3.0, quarter, 45.0, 3.0)}
    return {name: (1, tone([level], 1.0, FORMAT_FLOAT, n, math.radians(phase)), expected)
            for name, (level, n, phase, expected) in cases.items()}


# EBU Tech 3342 (loudness range), cases 1-4: stereo 1 kHz tones of 20 s. Tolerance +-1 LU.
def tech3342_cases():
    return {
        "t3342c1": (2, stereo_steps([(-20, 20), (-30, 20)]), 10),
        "t3342c2": (2, stereo_steps([(-20, 20), (-15, 20)]), 5),
        "t3342c3": (2, stereo_steps([(-40, 20), (-20, 20)]), 20),
        "t3342c4": (2, stereo_steps([(-50, 20), (-35, 20), (-20, 20), (-35, 20), (-50, 20)]), 15),
    }
