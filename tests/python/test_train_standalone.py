"""scripts/train-standalone.sh as a user runs it: each candidate trained alone once, its accuracies appended
to the CSV; a second run skips what is there; a missing candidates file is one line and exit code 2."""
import os
import subprocess

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "train-standalone.sh")
TINY = ["--epochs", "1", "--train-images", "64", "--validation-images", "50", "--batch", "32", "--threads", "1"]


def run(*args):
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=dict(os.environ))


def test_trains_each_candidate_once_and_appends_its_accuracies(tmp_path):
    candidates, out = tmp_path / "candidates.txt", tmp_path / "alone.csv"
    candidates.write_text("# the all-mult network\n\ncnn_fmnist:0.0.0.0.0.0.0.0\n")
    r = run(str(candidates), str(out), *TINY)
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "encoding,validation_accuracy,test_accuracy"
    assert len(lines) == 2
    encoding, validation, test = lines[1].split(",")
    assert encoding == "cnn_fmnist:0.0.0.0.0.0.0.0"
    # 50 validation images, 10,000 test images: whole counts of images.
    assert abs(float(validation) * 50 - round(float(validation) * 50)) < 1e-3
    assert abs(float(test) * 10000 - round(float(test) * 10000)) < 1e-2
    assert "trained alone 1 epochs" in r.stderr
    again = run(str(candidates), str(out), *TINY)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
    assert out.read_text().splitlines() == lines


def test_a_missing_candidates_file_is_one_line(tmp_path):
    r = run(str(tmp_path / "none.txt"), str(tmp_path / "out.csv"))
    assert r.returncode == 2
    assert r.stderr.strip().endswith("none.txt: cannot read the candidates file")
    assert not (tmp_path / "out.csv").exists()
