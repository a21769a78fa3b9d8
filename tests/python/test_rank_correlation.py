"""scripts/rank-correlation.py: Kendall's tau-b and Spearman's rho against values worked by hand, and the
script as a user runs it on two CSV files."""
import importlib.util
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "rank-correlation.py")
spec = importlib.util.spec_from_file_location("rank_correlation", SCRIPT)
rc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rc)


def test_tau_b_without_ties():
    # 6 pairs: one discordant (the 2nd and 3rd), five concordant: (5 - 1) / 6.
    assert rc.kendall_tau_b([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(4 / 6)
    assert rc.kendall_tau_b([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)


def test_tau_b_with_ties():
    # Pairs: (a,b) tied in x, (b,c) tied in y, four concordant: 4 / sqrt((6 - 1) * (6 - 1)) = 0.8.
    assert rc.kendall_tau_b([1, 1, 2, 3], [1, 2, 2, 3]) == pytest.approx(0.8)
    with pytest.raises(ValueError):
        rc.kendall_tau_b([1, 1, 1], [1, 2, 3])


def test_spearman():
    # Rank differences 0, 1, 1, 0: 1 - 6 * 2 / (4 * 15) = 0.8.
    assert rc.spearman_rho([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert rc.ranks([5, 7, 5, 1]) == [2.5, 4, 2.5, 1]


def test_script_joins_by_encoding_and_refuses_a_missing_candidate(tmp_path):
    inherited = tmp_path / "inherited.csv"
    alone = tmp_path / "alone.csv"
    inherited.write_text("encoding,validation_accuracy\nx:0,0.5\nx:1,0.7\nx:2,0.6\n")
    alone.write_text("encoding,validation_accuracy,test_accuracy\nx:2,0.85,0.8\nx:0,0.8,0.8\nx:1,0.9,0.9\n")
    r = subprocess.run([sys.executable, SCRIPT, str(inherited), str(alone)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "candidates 3: Kendall tau-b 1.000, Spearman rho 1.000" in r.stdout
    alone.write_text("encoding,validation_accuracy,test_accuracy\nx:0,0.8,0.8\nx:1,0.9,0.9\n")
    r = subprocess.run([sys.executable, SCRIPT, str(inherited), str(alone)], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == "rank-correlation: error: x:2: in one file only (1 such candidates)"
