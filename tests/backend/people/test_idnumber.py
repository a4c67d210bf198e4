"""GB 11643 resident ID numbers: check digit, region, birth date, 15→18 conversion, masking."""

from __future__ import annotations

import pytest

from backend.core.errors import Invalid
from backend.people import idnumber


def test_valid_numbers_normalise_to_upper_case_x():
    assert idnumber.normalise(" 11010519491231002x ") == "11010519491231002X"
    assert idnumber.birth_date("11010519491231002X").isoformat() == "1949-12-31"


def test_fifteen_digit_numbers_convert_to_eighteen():
    # 15-digit form of 11010519491231002X is 110105491231002
    assert idnumber.normalise("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1101051949123100", "id_number_format"),
        ("11010519491231002A", "id_number_format"),
        ("99010519491231002X", "id_number_region"),
        ("110105194902301234", "id_number_birth_date"),
        ("110105194912310021", "id_number_checksum"),
    ],
)
def test_invalid_numbers_say_why(raw, code):
    with pytest.raises(Invalid) as err:
        idnumber.normalise(raw)
    assert err.value.code == code


def test_every_single_digit_change_is_caught():
    good = "11010519491231002X"
    for pos in range(14, 17):
        digit = str((int(good[pos]) + 1) % 10)
        with pytest.raises(Invalid):
            idnumber.normalise(good[:pos] + digit + good[pos + 1 :])


def test_mask_keeps_first_and_last_four():
    assert idnumber.mask("32010219850612123X") == "3201**********123X"
