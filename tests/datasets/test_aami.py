from biosig.datasets import AAMI_CLASSES, AAMI_EC57, aami_class


def test_aami_ec57_table():
    expected = {
        "N": "NLReBj", "S": "AaJSn", "V": "VEr", "F": "F", "Q": "/fQ?",
    }
    for cls, symbols in expected.items():
        for s in symbols:
            assert AAMI_EC57[s] == cls, s
    assert set(AAMI_EC57.values()) == set(AAMI_CLASSES)
    assert sum(len(v) for v in expected.values()) == len(AAMI_EC57)


def test_non_beats_map_to_none():
    assert aami_class(["N", "+", "~", "|", "x", "!", "V"]).tolist() == ["N", None, None, None, None, None, "V"]
