"""The stance model: coding sample, training, model file, metrics, corrected shares (issue #16)."""

from __future__ import annotations

import csv
import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from framelens.analysis.lenses.stance_model.coded import LABELS, read_coded
from framelens.analysis.lenses.stance_model.coding import allocate
from framelens.analysis.lenses.stance_model.correction import (
    adjusted_count,
    corrected_shares,
    misclassification_rates,
)
from framelens.analysis.lenses.stance_model.metrics import class_figures, f_avg
from framelens.analysis.lenses.stance_model.model_file import (
    ModelFileError,
    load_model,
    model_bytes,
)
from tests.analysis.lenses.stance_coded_data import coded_rows, write_coded
from tests.conftest import invoke

CODING_COLUMNS = ["sentence_id", "perspective", "document", "target", "text", "context", "stance"]
SHARE_COLUMNS = ["perspective", "target", "stance", "sentences", "articles", "predicted",
                 "raw_share", "raw_ci_low", "raw_ci_high", "share", "ci_low", "ci_high",
                 "ci_unit", "tone_mean"]


def run(*args: str):
    return invoke([str(a) for a in args])


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained once on the hand-written set (12 rows per target and class)."""
    folder = tmp_path_factory.mktemp("model")
    coded = write_coded(folder / "coded.csv", coded_rows(12))
    model = folder / "model.flsm"
    result = run("stance-model", "train", coded, "--target-column", "target", "--output", model,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    return coded, model, json.loads(result.stdout)


# --------------------------------------------------------------------------- metrics


def test_class_figures_and_f_avg_match_hand_computation():
    # rows: true favor, against, none; columns: predicted favor, against, none
    counts = np.array([[8, 1, 1], [2, 6, 2], [0, 1, 9]])
    precision, recall, f1 = class_figures(counts)
    # favor: P = 8/10, R = 8/10, F = 0.8; against: P = 6/8, R = 6/10, F = 2·.75·.6/1.35 = 2/3
    assert precision[:2] == pytest.approx([80.0, 75.0])
    assert recall[:2] == pytest.approx([80.0, 60.0])
    assert f1[:2] == pytest.approx([80.0, 200 / 3])
    assert f_avg(counts) == pytest.approx((80 + 200 / 3) / 2)


def test_a_class_never_predicted_has_precision_zero_as_in_semeval():
    counts = np.array([[0, 5, 0], [0, 5, 0], [0, 0, 5]])
    precision, recall, f1 = class_figures(counts)
    assert (precision[0], recall[0], f1[0]) == (0.0, 0.0, 0.0)
    assert f_avg(counts) == pytest.approx((0 + 2 * 50 * 100 / 150) / 2)


# ------------------------------------------------------------------------ correction


def test_adjusted_count_inverts_known_error_rates():
    rates = np.array([[0.7, 0.1, 0.2], [0.2, 0.8, 0.1], [0.1, 0.1, 0.7]])  # [pred, true]
    truth = np.array([0.2, 0.5, 0.3])
    observed = rates @ truth
    assert adjusted_count(observed, rates) == pytest.approx(truth)


def test_two_class_adjusted_count_is_formans_formula():
    # Forman 2008: p = (q − fpr) / (tpr − fpr); tpr 0.8, fpr 0.1, q 0.38 → p = 0.4
    rates = np.array([[0.8, 0.1], [0.2, 0.9]])
    assert adjusted_count(np.array([0.38, 0.62]), rates) == pytest.approx([0.4, 0.6])


def test_adjusted_count_clips_and_renormalises():
    rates = np.array([[0.8, 0.1], [0.2, 0.9]])
    # q = 0.05 < fpr: p = −0.0714 → clipped to 0, the other class takes everything
    assert adjusted_count(np.array([0.05, 0.95]), rates) == pytest.approx([0.0, 1.0])


def test_misclassification_rates_from_counts():
    counts = np.array([[8, 2, 0], [1, 3, 0], [0, 0, 0]])  # [true, predicted]; none never coded
    rates = misclassification_rates(counts)
    assert rates[:, 0] == pytest.approx([0.8, 0.2, 0.0])
    assert rates[:, 1] == pytest.approx([0.25, 0.75, 0.0])
    assert rates[:, 2] == pytest.approx([0.0, 0.0, 1.0])


def test_corrected_intervals_cover_the_true_shares_where_classify_and_count_does_not():
    """200 seeded corpora: 40 articles with their own shares around a known truth, a classifier
    with known error rates, its rates estimated from 300 coded rows."""
    truth = np.array([0.2, 0.5, 0.3])
    rates = np.array([[0.60, 0.10, 0.15], [0.15, 0.75, 0.15], [0.25, 0.15, 0.70]])
    covered = np.zeros(3)
    raw_covered = np.zeros(3)
    for rep in range(200):
        rng = np.random.default_rng(rep)
        sizes = rng.integers(5, 30, size=40)
        shares = rng.dirichlet(truth * 20, size=40)
        true_counts = np.array([rng.multinomial(n, p) for n, p in zip(sizes, shares, strict=True)])
        predicted = sum(rng.multinomial(true_counts[:, c], rates[:, c]) for c in range(3))
        confusion = np.array([rng.multinomial(n, rates[:, c]) for c, n in enumerate((90, 120, 90))])
        estimate = corrected_shares(predicted, [f"r{rep}-a{j}" for j in range(40)], confusion,
                                    seed=rep, resamples=1000)
        covered += (estimate.low <= truth) & (truth <= estimate.high)
        raw_covered += (estimate.raw_low <= truth) & (truth <= estimate.raw_high)
    assert (covered / 200 >= 0.90).all(), covered / 200
    assert (raw_covered / 200 < 0.90).any(), raw_covered / 200


def test_corrected_shares_are_deterministic_and_sum_to_one():
    counts = np.array([[3, 1, 1], [0, 4, 2], [2, 2, 0], [1, 0, 5], [2, 2, 2]])
    confusion = np.array([[20, 5, 5], [4, 22, 4], [3, 3, 24]])
    ids = [f"a{j}" for j in range(5)]
    first = corrected_shares(counts, ids, confusion, seed=3, resamples=500)
    again = corrected_shares(counts, ids, confusion, seed=3, resamples=500)
    assert first.corrected.sum() == pytest.approx(1.0)
    assert first.raw == pytest.approx(counts.sum(axis=0) / counts.sum())
    assert (first.low == again.low).all() and (first.high == again.high).all()
    assert ((first.low <= first.corrected) & (first.corrected <= first.high)).all()


# ---------------------------------------------------------------------------- coding


def test_allocation_is_equal_and_moves_what_small_strata_cannot_take():
    rng = np.random.default_rng(0)
    assert allocate([1, 5, 10], 9, rng) == [1, 4, 4]
    assert allocate([2, 2], 10, rng) == [2, 2]
    assert sorted(allocate([10, 10, 10], 10, rng)) == [3, 3, 4]


def test_code_writes_a_stratified_sample_with_stable_ids(bundled, tmp_path):
    out = tmp_path / "coding.csv"
    result = run("code", "--sources", bundled, "--target", "NATO", "--target", "Russia",
                 "--sample", 12, "--seed", 4, "--output", out)
    assert result.exit_code == 0, result.output
    rows = csv_rows(out.read_text(encoding="utf-8"))
    assert list(rows[0]) == CODING_COLUMNS
    assert len(rows) == 12
    strata = {(r["perspective"], r["target"]) for r in rows}
    assert len(strata) == 6  # 3 perspectives x 2 targets, 2 each
    assert all(sum(1 for r in rows if (r["perspective"], r["target"]) == s) == 2 for s in strata)
    for row in rows:
        assert row["stance"] == ""
        doc, index = row["sentence_id"].split("#")
        assert doc == row["document"] and index.isdigit()
        assert row["target"] in row["text"] or row["target"] == "Russia"  # aliases (Moscow)
        assert "[…]" in row["context"]
    again = tmp_path / "again.csv"
    run("code", "--sources", bundled, "--target", "NATO", "--target", "Russia", "--sample", 12,
        "--seed", 4, "--output", again)
    assert again.read_bytes() == out.read_bytes()


def test_code_never_overwrites_coding_work(bundled, tmp_path):
    out = tmp_path / "coding.csv"
    out.write_text("sentence_id,stance\nx#1,favor\n", encoding="utf-8")
    result = run("code", "--sources", bundled, "--sample", 5, "--output", out)
    assert result.exit_code == 1
    assert "coding.csv" in result.output and "--force" in result.output
    assert out.read_text(encoding="utf-8") == "sentence_id,stance\nx#1,favor\n"
    assert run("code", "--sources", bundled, "--sample", 5, "--output", out,
               "--force").exit_code == 0


# ------------------------------------------------------------------- train, evaluate


def test_train_reports_cross_validated_figures_per_target_and_class(trained):
    _, model, report = trained
    assert set(report["targets"]) == {"NATO", "Russia", "Ukraine"}
    assert report["rows"] == 108
    assert {c: report["classes"][c]["support"] for c in LABELS} == dict.fromkeys(LABELS, 36)
    counts = np.array(report["confusion"]["counts"])
    assert counts.sum() == 108
    assert report["f_avg"] == pytest.approx(f_avg(counts))
    assert report["f_avg"] > 80  # the wording carries the stance in this set
    meta = load_model(model).metadata
    assert meta["cv"]["f_avg"] == report["f_avg"]
    assert meta["training_file"]["rows"] == 108 and len(meta["training_file"]["sha256"]) == 64
    assert meta["settings"]["strategy"] in ("per_target", "pooled")


def test_train_warns_about_classes_with_few_rows(trained):
    coded, model, _ = trained
    result = run("stance-model", "train", coded, "--target-column", "target", "--output",
                 model.parent / "again.flsm", "--format", "csv")
    assert result.exit_code == 0
    stderr = " ".join(result.stderr.split())
    assert "fewer than 20 coded rows" in stderr and "NATO/favor 12" in stderr


def test_training_twice_writes_the_same_bytes(trained, tmp_path):
    coded, model, _ = trained
    again = tmp_path / "again.flsm"
    assert run("stance-model", "train", coded, "--target-column", "target", "--output",
               again).exit_code == 0
    assert again.read_bytes() == model.read_bytes()


def test_a_reloaded_model_predicts_exactly_as_the_trained_one(trained):
    from framelens.analysis.lenses.stance_model.train import train

    coded, _, _ = trained
    rows = read_coded(coded, text_column="text", label_column="stance", target_column="target")
    training = train(rows, seed=0)
    held = coded_rows(6, seed=9)
    texts = [r["text"] for r in held] + ["The Alliance met on Monday.", "", "!!!"]
    targets = [r["target"] for r in held] + ["NATO", "NATO", "Russia"]
    reloaded = load_model(_write(training, coded.parent))
    assert (reloaded.model.predict(texts, targets) == training.model.predict(texts, targets)).all()


def _write(training, folder: Path) -> Path:
    path = folder / "roundtrip.flsm"
    path.write_bytes(model_bytes(training.model, {"cv": {}}))
    return path


def test_evaluate_json_has_the_overall_f_avg_on_top(trained, tmp_path):
    _, model, _ = trained
    held = write_coded(tmp_path / "held.csv", coded_rows(6, seed=5))
    result = run("stance-model", "evaluate", model, held, "--target-column", "target",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    counts = np.array(report["confusion"]["counts"])
    assert counts.sum() == 54
    assert report["f_avg"] == pytest.approx(f_avg(counts))
    assert 0 <= report["f_avg"] <= 100 and report["f_avg"] > 1  # the 0-100 scale
    for name, block in report["targets"].items():
        assert block["f_avg"] == pytest.approx(f_avg(np.array(block["confusion"]["counts"]))), name
    csv_result = run("stance-model", "evaluate", model, held, "--target-column", "target",
                     "--format", "csv")
    rows = csv_rows(csv_result.stdout)
    assert [r["target"] for r in rows[:3]] == ["(all)"] * 3
    assert len(rows) == 3 * 4


def test_evaluate_names_an_unknown_target_line(trained, tmp_path):
    _, model, _ = trained
    held = tmp_path / "held.csv"
    held.write_text("text,target,stance\nNATO met.,NATO,none\nEU met.,EU,none\n", encoding="utf-8")
    result = run("stance-model", "evaluate", model, held, "--target-column", "target")
    meta = load_model(model).metadata
    if meta["settings"]["strategy"] == "per_target":
        assert result.exit_code == 1
        assert "held.csv:3" in result.output and "'EU'" in result.output
    else:
        assert result.exit_code == 0


@pytest.mark.parametrize(("content", "where", "says"), [
    ("words,stance\na,favor\n", "coded.csv:1", "no column 'text'"),
    ("text,stance\n" + "a,favor\n" * 4 + "b,\n", "coded.csv:6", "empty label"),
    ("text,stance\n" + "a,favor\n" * 4 + "b,support\n", "coded.csv:6", "unknown label 'support'"),
    ("text,stance\n" + "a,favor\nb,against\n" * 4, "coded.csv", "at least 10"),
    ("text,stance\n" + "a,favor\n" * 12, "coded.csv", "two classes"),
])
def test_train_refuses_bad_coded_files(tmp_path, content, where, says):
    coded = tmp_path / "coded.csv"
    coded.write_text(content, encoding="utf-8")
    model = tmp_path / "model.flsm"
    result = run("stance-model", "train", coded, "--output", model)
    assert result.exit_code == 1, result.output
    assert where in result.output and says in result.output
    assert "Traceback" not in result.output
    assert not model.exists()


def test_labels_read_in_any_case_and_from_jsonl(tmp_path):
    path = tmp_path / "coded.jsonl"
    path.write_text('{"Tweet": "x", "Stance": "FAVOR"}\n{"Tweet": "y", "Stance": "None"}\n',
                    encoding="utf-8")
    rows = read_coded(path, text_column="Tweet", label_column="Stance")
    assert rows.labels == (0, 2) and rows.lines == (1, 2)


# ---------------------------------------------------------------------- model file


def test_model_file_holds_no_pickle(trained):
    _, model, _ = trained
    with zipfile.ZipFile(model) as archive:
        names = archive.namelist()
        assert names[0] == "metadata.json"
        assert all(n.endswith((".json", ".txt", ".npy")) for n in names)
        for name in names:
            if name.endswith(".npy"):
                np.lib.format.read_array(io.BytesIO(archive.read(name)), allow_pickle=False)


def _rewrite(model: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(model) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            out.writestr(info, change(info.filename, source.read(info.filename)))
    return target


def test_an_edited_model_file_is_refused(trained, tmp_path):
    _, model, _ = trained

    def bump(name, data):
        if name.endswith("intercept.npy"):
            array = np.lib.format.read_array(io.BytesIO(data))
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array + 1.0)
            return buffer.getvalue()
        return data

    with pytest.raises(ModelFileError, match="edited or damaged"):
        load_model(_rewrite(model, tmp_path / "edited.flsm", bump))


def test_another_format_version_is_refused(trained, tmp_path):
    _, model, _ = trained

    def version(name, data):
        if name == "metadata.json":
            meta = json.loads(data)
            meta["format_version"] = 99
            return json.dumps(meta).encode()
        return data

    with pytest.raises(ModelFileError, match="format version 99"):
        load_model(_rewrite(model, tmp_path / "v99.flsm", version))


class _Exploit:
    def __reduce__(self):
        return (Path.touch, (Path(_Exploit.marker),))


def test_stance_refuses_corrupt_truncated_and_foreign_files_and_runs_nothing(trained, bundled,
                                                                            tmp_path):
    _, model, _ = trained
    truncated = tmp_path / "truncated.flsm"
    truncated.write_bytes(model.read_bytes()[: len(model.read_bytes()) // 2])
    text = tmp_path / "notes.flsm"
    text.write_text("hello", encoding="utf-8")
    _Exploit.marker = str(tmp_path / "ran")
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps(_Exploit()))
    for bad in (truncated, text, pickled, tmp_path / "missing.flsm"):
        result = run("stance", "--sources", bundled, "--model", bad, "--format", "csv")
        assert result.exit_code == 1, (bad, result.output)
        assert bad.name in result.output and "Traceback" not in result.output
        assert result.stdout == ""
    assert not (tmp_path / "ran").exists()


# -------------------------------------------------------------------- stance --model


def test_stance_model_shares_per_perspective_and_target(trained, bundled):
    _, model, _ = trained
    result = run("stance", "--sources", bundled, "--model", model, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert list(rows[0]) == SHARE_COLUMNS
    assert {r["target"] for r in rows} == {"NATO", "Russia", "Ukraine"}  # the coded targets
    assert len(rows) == 3 * 3 * 3
    for start in range(0, len(rows), 3):
        cell = rows[start:start + 3]
        assert [r["stance"] for r in cell] == list(LABELS)
        assert sum(float(r["share"]) for r in cell) == pytest.approx(1.0)
        assert sum(int(r["predicted"]) for r in cell) == int(cell[0]["sentences"])
        for r in cell:
            assert float(r["ci_low"]) <= float(r["share"]) <= float(r["ci_high"])
            assert float(r["raw_share"]) == pytest.approx(int(r["predicted"])
                                                          / int(r["sentences"]))
            assert r["ci_unit"] == "sentences"  # one article per perspective
    assert "within these texts" in " ".join(result.stderr.split())
    again = run("stance", "--sources", bundled, "--model", model, "--format", "csv")
    assert again.stdout == result.stdout
    table = run("stance", "--sources", bundled, "--model", model, "--format", "table")
    assert table.exit_code == 0 and "favor" in table.stdout


def test_semeval_layout_reads_as_published(tmp_path):
    """SemEval-2016 Task 6 publishes tab-separated .txt files in Windows-1252, tweets with any
    quote characters in them: they read as they are, with a warning about the encoding."""
    from framelens.analysis.errors import CorpusError
    from framelens.analysis.lenses.stance_model.coded import LABELS, read_coded

    lines = ["ID\tTarget\tTweet\tStance",
             '101\tAtheism\t"God is dead" said who? café #SemST\tAGAINST',
             "102\tAtheism\tIt's a \"free\" country\tFAVOR",
             "103\tClimate Change is a Real Concern\tnothing to see\tNONE"]
    path = tmp_path / "trainingdata.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    rows = read_coded(path, text_column="Tweet", label_column="Stance", target_column="Target")
    assert rows.texts == ('"God is dead" said who? café #SemST', "It's a \"free\" country",
                          "nothing to see")
    assert [LABELS[k] for k in rows.labels] == ["against", "favor", "none"]
    assert rows.targets[2] == "Climate Change is a Real Concern"
    assert rows.lines == (2, 3, 4)
    assert len(rows.warnings) == 1 and "cp1252" in rows.warnings[0]

    utf8 = tmp_path / "utf8.txt"
    utf8.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_coded(utf8, text_column="Tweet", label_column="Stance").warnings == ()

    spaces = tmp_path / "spaces.txt"
    spaces.write_text("ID Target Tweet Stance\n1 a b FAVOR\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="tab-separated"):
        read_coded(spaces, text_column="Tweet", label_column="Stance")


def test_compare_with_a_stance_model_has_the_shares_of_stance_model(trained, bundled):
    """``compare --stance-model`` adds the section ``stance --model`` prints, number for number,
    after the stance section, in JSON and in the long table."""
    _, model, _ = trained
    shares = csv_rows(run("stance", "--sources", bundled, "--model", model,
                          "--format", "csv").stdout)
    result = run("compare", "--sources", bundled, "--stance-model", model, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = list(report)
    assert names.index("stance_shares") == names.index("stance") + 1
    section = report["stance_shares"]["rows"] if isinstance(report["stance_shares"], dict) \
        else report["stance_shares"]
    assert [(r["perspective"], r["target"], r["stance"]) for r in section] == \
        [(r["perspective"], r["target"], r["stance"]) for r in shares]
    assert [r["share"] for r in section] == pytest.approx([float(r["share"]) for r in shares],
                                                          rel=0, abs=0)
    long = csv_rows(run("compare", "--sources", bundled, "--stance-model", model,
                        "--format", "csv").stdout)
    cell = [r for r in long if r["section"] == "stance_shares" and r["metric"] == "share"]
    assert len(cell) == len(shares)
    assert {r["item"] for r in cell} == {f"{s['target']}: {s['stance']}" for s in shares}
    table = run("compare", "--sources", bundled, "--stance-model", model, "--sections", "stance",
                "--format", "table")
    assert table.exit_code == 0 and "Stance shares (model)" in table.stdout
    without = json.loads(run("compare", "--sources", bundled, "--format", "json").stdout)
    assert "stance_shares" not in without
