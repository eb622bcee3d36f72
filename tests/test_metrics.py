from src.metrics import binary_metrics


def test_binary_metrics():
    m = binary_metrics([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])
    assert m["confusion_matrix"] == [[1, 1], [1, 2]]
    assert m["acc"] == 0.6 and m["num_reviews"] == 5
    assert abs(m["precision"] - 2 / 3) < 1e-12 and abs(m["recall"] - 2 / 3) < 1e-12
    assert abs(m["f1"] - 2 / 3) < 1e-12


def test_no_positive_predictions():
    m = binary_metrics([0, 0], [1, 0])
    assert m["precision"] == 0.0 and m["f1"] == 0.0 and m["acc"] == 0.5
