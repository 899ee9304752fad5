"""Our fingerprint score separates the labelled degradation set, and our gate refuses noise NFIQ 2 may pass."""

import importlib.util

import numpy as np
import pytest

from native.finger_eval import (
    MOSIP_FINGER_THRESHOLD,
    Evaluation,
    auc,
    build_set,
    evaluate,
    format_table,
    ranks,
    spearman,
)
from station.config import Thresholds

needs_nbis = pytest.mark.skipif(importlib.util.find_spec("nbis") is None,
                                reason="nbis-py (NFIQ 2) is pinned for x86_64 only")


@pytest.fixture(scope="module")
def result() -> Evaluation:
    """NFIQ 2 is ~0.25 s an image: the cache (tests/conftest.py points it at one folder for the whole run, shared
    by the test processes) scores the set once per ./test.sh, here or in `sinopsis quality --eval-fingerprints`."""
    return evaluate(threshold=Thresholds().finger)


def test_set_is_fixed_and_labelled():
    first, second = build_set(), build_set()
    assert [i.name for i in first] == [i.name for i in second]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(first, second, strict=True))
    assert len({i.name for i in first}) == len(first)
    assert {i.kind for i in first if i.usable} == {"original", "mild blur", "moderate noise", "reduced contrast",
                                                   "small smudge"}
    assert {i.kind for i in first if not i.usable} == {"heavy blur", "near-zero contrast", "blank platen",
                                                       "pure noise", "non-finger"}
    assert all(i.image.dtype == np.uint8 and i.image.shape == (560, 416) for i in first)


def test_threshold_is_the_configured_one():
    assert Thresholds().finger == MOSIP_FINGER_THRESHOLD


@needs_nbis
def test_auc_and_ordering(result):
    assert result.auc_ours >= 0.95
    usable = [r.ours for r in result.rows if r.usable]
    junk = [r.ours for r in result.rows if r.kind in ("blank platen", "pure noise", "non-finger")]
    assert max(junk) < min(usable)


@needs_nbis
def test_gate_refuses_pure_noise_even_where_nfiq2_does_not(result):
    assert result.gate_refuses("pure noise") and result.gate_refuses("blank platen")
    assert result.gate_refuses("non-finger")
    assert all(r.ours >= result.threshold for r in result.rows if r.kind == "original")
    assert all(v is None or 0 <= v <= 100 for v in result.nfiq2_pure_noise)  # what NFIQ 2 says is reported


@needs_nbis
def test_nfiq2_agreement_is_reported(result):
    assert [r.nfiq2 for r in result.rows if r.kind == "original"] == [54, 45, 53]
    assert np.isfinite(result.spearman) and result.spearman > 0  # honest: reported, not pinned to a value
    assert -1 <= result.spearman_usable <= 1
    table = format_table(result)
    assert "AUC" in table and "Spearman" in table and "NFIQ 2 on pure noise" in table
    assert len(table.splitlines()) == len(result.rows) + 7


def test_auc_ranks_and_spearman_by_hand():
    labels = np.array([True, True, False, False])
    assert auc(np.array([3.0, 4.0, 1.0, 2.0]), labels) == 1.0
    assert auc(np.array([1.0, 2.0, 1.0, 2.0]), labels) == 0.5
    assert auc(np.array([1.0, 4.0, 2.0, 3.0]), labels) == 0.5
    np.testing.assert_array_equal(ranks(np.array([10.0, 20.0, 20.0, 5.0])), [2.0, 3.5, 3.5, 1.0])
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError):
        auc(np.array([1.0]), np.array([True]))


def test_evaluate_with_a_stub_scorer_needs_no_nbis():
    images = [i for i in build_set() if i.kind in ("original", "pure noise")]

    class Stub:
        name = "stub"

        def score(self, frame: np.ndarray) -> int | None:
            return 42

    result = evaluate(Stub(), images=images)
    assert result.auc_ours == 1.0 and result.auc_nfiq2 == 0.5
    assert result.nfiq2_pure_noise == [42] * 12
    assert "12 reach 40" in format_table(result)
