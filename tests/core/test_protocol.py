import io

import pytest

from harness import protocol


def reader(data: bytes):
    return protocol.stream_reader(io.BytesIO(data))


def test_round_trip_with_blobs():
    frame = protocol.encode({"type": "case", "x": [1, 2]}, [b"abc", b""])
    header, blobs = protocol.read(reader(frame))
    assert header["type"] == "case" and header["x"] == [1, 2]
    assert blobs == [b"abc", b""]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"XXXX\x00\x00\x00\x02{}", "unexpected bytes"),
        (protocol.MAGIC + (10**9).to_bytes(4, "big"), "over the cap"),
        (protocol.MAGIC + (2).to_bytes(4, "big") + b"[]", "not a JSON object"),
        (protocol.MAGIC + (3).to_bytes(4, "big") + b"{x}", "not JSON"),
        (protocol.MAGIC + (14).to_bytes(4, "big") + b'{"blobs":[-1]}', "non-negative"),
        # Accepted, it could never be written on (json.dumps(allow_nan=False)).
        (protocol.MAGIC + (9).to_bytes(4, "big") + b'{"y":NaN}', "NaN is not JSON"),
        (protocol.MAGIC + (15).to_bytes(4, "big") + b'{"y":-Infinity}', "Infinity is not JSON"),
    ],
)
def test_malformed_frames_are_refused(data, words):
    with pytest.raises(protocol.ProtocolError, match=words):
        protocol.read(reader(data))


def test_deeply_nested_header_is_refused_not_a_crash():
    text = b"[" * 100_000 + b"]" * 100_000
    data = protocol.MAGIC + len(text).to_bytes(4, "big") + text
    with pytest.raises(protocol.ProtocolError):
        protocol.read(reader(data))


def test_blob_total_over_cap_is_refused_before_reading():
    frame = protocol.encode({}, [b"x" * 100])
    with pytest.raises(protocol.ProtocolError, match="attachments"):
        protocol.read(reader(frame), max_blobs=10)


def test_truncated_stream_raises_eof():
    frame = protocol.encode({"a": 1}, [b"abcdef"])
    with pytest.raises(EOFError):
        protocol.read(reader(frame[:-2]))
