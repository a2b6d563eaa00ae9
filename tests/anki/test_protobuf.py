"""Just enough protobuf (quizapp.anki.protobuf)."""

import pytest

from quizapp.anki.protobuf import pb_fields, pb_get, pb_str

# field 1 varint 150, field 2 bytes "hi", field 1 again (the last one wins), field 5 fixed32.
MESSAGE = b"\x08\x96\x01" + b"\x12\x02hi" + b"\x08\x07" + b"\x2d\x01\x02\x03\x04"


def test_fields_by_number():
    assert list(pb_fields(MESSAGE)) == [(1, 150), (2, b"hi"), (1, 7), (5, b"\x01\x02\x03\x04")]
    assert pb_get(MESSAGE, 1) == 7
    assert pb_get(MESSAGE, 9, "absent") == "absent"
    assert pb_str(MESSAGE, 2) == "hi"
    assert pb_str(None, 2) == ""


@pytest.mark.parametrize("damaged", [b"\x08", b"\x12\x05hi", b"\x0b"])
def test_damaged_messages_raise_value_error(damaged):
    with pytest.raises(ValueError):
        list(pb_fields(damaged))
