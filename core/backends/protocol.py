"""What travels between the app and a backend worker: one JSON object per line.

NumPy arrays travel as their raw bytes (base64) with a dtype from a short allow-list and a
shape, so that nothing read from a pipe is ever unpickled or evaluated.
"""

from __future__ import annotations

import base64
import json

import numpy as np

DTYPES = ("float32", "float64", "int32", "int64", "uint8", "bool")
ARRAY = "__array__"


def encode(message: dict) -> str:
    """One line of JSON; arrays (and NumPy scalars) inside dicts and lists are packed."""
    return json.dumps(_pack(message), allow_nan=True) + "\n"


def decode(line: str) -> dict:
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("a message is a JSON object")
    return _unpack(message)


def _pack(value):
    if isinstance(value, dict):
        return {str(key): _pack(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_pack(item) for item in value]
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        if array.dtype.name not in DTYPES:
            array = array.astype("float64" if array.dtype.kind == "f" else "int64")
        return {ARRAY: array.dtype.name, "shape": list(array.shape),
                "data": base64.b64encode(array.tobytes()).decode("ascii")}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _unpack(value):
    if isinstance(value, list):
        return [_unpack(item) for item in value]
    if not isinstance(value, dict):
        return value
    if ARRAY not in value:
        return {key: _unpack(item) for key, item in value.items()}
    dtype, shape = value[ARRAY], value["shape"]
    if dtype not in DTYPES:
        raise ValueError(f"refused array dtype {dtype!r}")
    if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise ValueError("an array's shape is a list of sizes")
    array = np.frombuffer(base64.b64decode(value["data"], validate=True), dtype=dtype)
    return array.reshape(shape).copy()  # reshape checks the size; copy makes it writable
