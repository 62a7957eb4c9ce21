"""TFRecord files and tf.train.Example messages without TensorFlow.

A TFRecord is a sequence of `uint64 length, uint32 masked crc32c(length), bytes, uint32 crc32c(bytes)`.
The Example message is declared here with protobuf's descriptor API (the same wire schema as
tensorflow/core/example/example.proto), so decoding runs in protobuf's C implementation.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...core.errors import InputError
from ..files import check_file, is_regular, os_error


def is_tfrecord(path: Path) -> bool:
    """True when the file starts with a plausible TFRecord frame header."""
    if not is_regular(path):
        return False
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    if len(head) < 12:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return 0 < length <= size - 16 and _masked_crc(head[:8]) == struct.unpack("<I", head[8:12])[0]


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _crc_table()
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


@functools.cache
def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


def _masked_crc(data: bytes) -> int:
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frames(path: Path) -> Iterator[tuple[int, int]]:
    """(payload offset, payload length) of each record, reading headers only; a frame that claims more
    bytes than the file has, or a corrupt header, raises InputError naming the file and the byte offset."""
    check_file(path, "TFRecord file")
    size = path.stat().st_size
    try:
        with path.open("rb") as fh:
            offset = 0
            while header := fh.read(12):
                if len(header) < 12:
                    raise InputError(path, f"truncated TFRecord header at byte {offset}")
                (length,) = struct.unpack("<Q", header[:8])
                if _masked_crc(header[:8]) != struct.unpack("<I", header[8:12])[0]:
                    raise InputError(path, f"corrupt TFRecord length checksum at byte {offset}")
                if offset + 16 + length > size:
                    raise InputError(path, f"truncated TFRecord payload at byte {offset} ({length} bytes claimed, "
                                           f"{size - offset - 16} left)")
                yield offset + 12, length
                offset += 16 + length
                fh.seek(offset)
    except OSError as exc:
        raise os_error(path, exc, "TFRecord file") from None


def read_payload(path: Path, offset: int, length: int) -> bytes:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            payload = fh.read(length)
    except OSError as exc:
        raise os_error(path, exc, "TFRecord file") from None
    if len(payload) < length:
        raise InputError(path, f"truncated TFRecord payload at byte {offset - 12}")
    return payload


def records(path: Path) -> Iterator[bytes]:
    """Raw record payloads; a short read raises InputError naming the file and the byte offset."""
    for offset, length in frames(path):
        yield read_payload(path, offset, length)


@functools.cache
def _example_class():
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    fdp = descriptor_pb2.FileDescriptorProto(name="dataclaw_tf_example.proto", package="dataclaw.tf",
                                             syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto

    def msg(name: str, fields: list[tuple[str, int, int, int, str | None]]):
        m = fdp.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            f = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                f.type_name = type_name
        return m

    rep, opt = T.LABEL_REPEATED, T.LABEL_OPTIONAL
    msg("BytesList", [("value", 1, T.TYPE_BYTES, rep, None)])
    fl = msg("FloatList", [("value", 1, T.TYPE_FLOAT, rep, None)])
    il = msg("Int64List", [("value", 1, T.TYPE_INT64, rep, None)])
    fl.field[0].options.packed = True
    il.field[0].options.packed = True
    feature = msg("Feature", [("bytes_list", 1, T.TYPE_MESSAGE, opt, ".dataclaw.tf.BytesList"),
                              ("float_list", 2, T.TYPE_MESSAGE, opt, ".dataclaw.tf.FloatList"),
                              ("int64_list", 3, T.TYPE_MESSAGE, opt, ".dataclaw.tf.Int64List")])
    feature.oneof_decl.add(name="kind")
    for f in feature.field:
        f.oneof_index = 0
    features = msg("Features", [("feature", 1, T.TYPE_MESSAGE, rep, ".dataclaw.tf.Features.FeatureEntry")])
    entry = features.nested_type.add(name="FeatureEntry")
    entry.field.add(name="key", number=1, type=T.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=T.TYPE_MESSAGE, label=opt, type_name=".dataclaw.tf.Feature")
    entry.options.map_entry = True
    msg("Example", [("features", 1, T.TYPE_MESSAGE, opt, ".dataclaw.tf.Features")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("dataclaw.tf.Example"))


def parse_example(payload: bytes, path: Path | str = "TFRecord") -> dict[str, np.ndarray | list[bytes]]:
    """feature name -> float32 / int64 array, or a list of bytes; a payload that is not an Example is an
    InputError naming `path`."""
    from google.protobuf.message import DecodeError

    try:
        example = _example_class().FromString(payload)
    except (DecodeError, RecursionError, ValueError) as exc:
        raise InputError(path, f"TFRecord record is not a tf.train.Example ({str(exc)[:120]})") from None
    out: dict[str, np.ndarray | list[bytes]] = {}
    for key, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        if kind == "float_list":
            out[key] = np.asarray(feature.float_list.value, dtype=np.float32)
        elif kind == "int64_list":
            out[key] = np.asarray(feature.int64_list.value, dtype=np.int64)
        elif kind == "bytes_list":
            out[key] = list(feature.bytes_list.value)
    return out
