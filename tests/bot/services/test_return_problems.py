"""The kind of problem a customer names when asking to return goods, in the ways shoppers write it."""

from __future__ import annotations

import pytest

from bot.services.return_problems import ReturnProblem, problem_of


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("piringnya pecah 3 pas dibuka", ReturnProblem.damaged),
        ("blender nya gak nyala sama sekali", ReturnProblem.damaged),
        ("layarnya retak, kardusnya penyok", ReturnProblem.damaged),
        ("kemejanya salah ukuran, sy order M dikirim XL", ReturnProblem.wrong_item),
        ("barang yang saya terima tidak sesuai dengan pesanan", ReturnProblem.wrong_item),
        ("warnanya beda sama yg di foto", ReturnProblem.wrong_item),
        ("ini bukan yg sy pesen min", ReturnProblem.wrong_item),
        ("sepatunya kekecilan, mau tukar", ReturnProblem.wrong_item),
        ("kaosnya merah padahal sy pesan hitam", ReturnProblem.wrong_item),
        ("sy pesen baju size L yg dateng size S", ReturnProblem.wrong_item),
        ("susunya udah kadaluarsa pas nyampe", ReturnProblem.expired),
        ("tanggal expirednya udah lewat", ReturnProblem.expired),
        ("isinya kurang 2 pcs", ReturnProblem.missing),
        ("pesen 12 yg dateng cuma 10", ReturnProblem.missing),
        ("aksesorisnya tidak lengkap", ReturnProblem.missing),
        ("charger nya ga ada di dus", ReturnProblem.missing),
    ],
)
def test_the_kind_is_read_from_the_customers_words(text, kind):
    assert problem_of([text]) is kind


def test_the_cause_comes_first_when_two_kinds_are_named():
    assert problem_of(["karungnya sobek, jadi beratnya kurang"]) is ReturnProblem.damaged


def test_a_negated_kind_is_not_taken():
    assert problem_of(["barangnya ga rusak kok, cuma salah warna"]) is ReturnProblem.wrong_item
    assert problem_of(["tidak pecah, aman"]) is None


@pytest.mark.parametrize(
    "text",
    [
        "mau retur",
        "gimana cara retur barang?",
        "kurang lebih seminggu lalu saya pesan",
        "saya kurang paham caranya",
        "seller lepas tangan, ga mau tanggung jawab",
    ],
)
def test_a_message_that_names_no_problem_has_no_kind(text):
    assert problem_of([text]) is None


def test_the_first_message_that_names_a_kind_decides():
    assert problem_of(["halo kak", "mau retur", "isinya kurang 1", "eh sama ada yang pecah"]) is (
        ReturnProblem.missing
    )
    assert problem_of([]) is None
