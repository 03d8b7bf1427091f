"""`framelens snapshot` and `check --baseline`: deterministic baselines and drift."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.reports.snapshot import (
    KEYWORDS_TOP,
    SNAPSHOT_FORMAT,
    _explained,
    body_digest,
    distance,
    flatten,
    read_baseline,
)
from tests.conftest import DATA, invoke

HTML = DATA / "html"
MOVED_RE = re.compile(r"^(\S+\[[^\]]+\]) moved by (∞|\d+\.\d+) ")


def run(*args: str):
    return invoke(list(args))


@pytest.fixture
def corpus(bundled_copy) -> Path:
    return bundled_copy


def drift_rows(result) -> list[dict[str, str]]:
    rows = json.loads(result.stdout)
    return [r for r in rows if r["code"] == "FL100"]


def test_distance_hand_computed():
    assert distance(("a", "b", "c"), ("B", "c", "d")) == pytest.approx(0.5)  # 1 - 2/4
    assert distance(("a",), ("a",)) == 0.0
    assert distance((), ()) == 0.0
    assert distance(0.25, -0.5) == pytest.approx(0.75)
    assert distance(None, None) == 0.0
    assert math.isinf(distance(None, 0.1)) and math.isinf(distance(("a",), None))


def test_explained_hand_computed():
    # Baseline 0.2, now 0.5; without the article 0.25: it explains 0.3 - 0.05 = 0.25.
    assert _explained(0.2, 0.5, 0.25) == pytest.approx(0.25)
    # Without it the metric moves further away: it explains nothing (negative).
    assert _explained(0.2, 0.5, 0.7) < 0
    # A metric that appeared and disappears without the article: fully explained.
    assert math.isinf(_explained(None, 0.3, None))
    assert _explained(None, 0.3, 0.2) == 0.0


def test_snapshot_is_byte_identical_and_wired_to_the_analyses(bundled, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run("snapshot", "--sources", str(bundled), "--output", str(first)).exit_code == 0
    result = run("snapshot", "--sources", str(bundled), "--no-cache")
    assert result.exit_code == 0
    second.write_text(result.stdout, encoding="utf-8")
    assert first.read_bytes() == second.read_bytes()

    data = json.loads(first.read_text(encoding="utf-8"))
    corpus = load_corpus(bundled)
    assert data["format"] == SNAPSHOT_FORMAT
    assert data["articles"] == {d.id: {"perspective": d.perspective,
                                       "sha256": body_digest(d.text)}
                                for d in corpus.documents}
    metrics = data["metrics"]
    assert set(metrics["keywords"]) == {"ukraine", "russia", "china"}
    assert all(0 < len(terms) <= KEYWORDS_TOP for terms in metrics["keywords"].values())

    from framelens.analysis.lenses.keywords import keyness
    from framelens.analysis.lenses.similarity import similarity
    from framelens.analysis.lenses.stance import stance
    from framelens.analysis.lenses.topics import topics

    top = [r.term for r in keyness(corpus, top=KEYWORDS_TOP).rows if r.perspective == "russia"]
    assert metrics["keywords"]["russia"] == top
    topic_row = topics(corpus, terms=0, examples=0).rows[0]
    assert metrics["topic_share"][topic_row.perspective][topic_row.topic] == \
        topic_row.share_of_sentences
    stance_row = next(r for r in stance(corpus).rows if r.target == "NATO")
    assert metrics["tone"][stance_row.perspective]["NATO"] == stance_row.tone_mean
    pair = next(r for r in similarity(corpus).rows if r.a != r.b)
    a, b = sorted((pair.a, pair.b))
    assert metrics["cosine"][a][b] == pair.cosine and metrics["jsd"][a][b] == pair.jsd
    flat = flatten(metrics)
    assert all(v is None or -1 <= v <= 1 for k, v in flat.items() if not k.startswith("key"))


def test_committed_baseline_matches_the_bundled_articles(bundled):
    data = read_baseline(bundled / "baseline.json")
    corpus = load_corpus(bundled)
    assert data["articles"] == {d.id: {"perspective": d.perspective,
                                       "sha256": body_digest(d.text)}
                                for d in corpus.documents}


def test_round_trip_then_forced_drift_names_the_new_article(corpus, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run("snapshot", "--sources", str(corpus), "-o", str(baseline)).exit_code == 0
    clean = run("check", "--sources", str(corpus), "--baseline", str(baseline), "-f", "json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout) == []

    added = run("sources", "add", str(HTML / "kyiv-weekly-sovereignty.html"), "-p", "ukraine",
                "--sources", str(corpus))
    assert added.exit_code == 0, added.output
    new_file = corpus / "ukraine-is-not-a-bargaining-chip.md"
    moved = run("check", "--sources", str(corpus), "--baseline", str(baseline), "-f", "json")
    assert moved.exit_code == 1
    rows = drift_rows(moved)
    assert rows and all(r["severity"] == "error" for r in rows)
    named = [r for r in rows if "moved most by ukraine-is-not-a-bargaining-chip" in r["message"]]
    assert named and all(r["file"] == str(new_file) for r in named)
    for r in rows:
        match = MOVED_RE.match(r["message"])
        assert match, r["message"]
        assert match.group(2) == "∞" or float(match.group(2)) > 0.1
        assert "tolerance 0.1" in r["message"]

    loose = run("check", "--sources", str(corpus), "--baseline", str(baseline),
                "--tolerance", "0.5", "-f", "json")
    loose_metrics = {MOVED_RE.match(r["message"]).group(1) for r in drift_rows(loose)}
    assert loose_metrics < {MOVED_RE.match(r["message"]).group(1) for r in rows}

    # Regenerating the baseline accepts the change.
    assert run("snapshot", "--sources", str(corpus), "-o", str(baseline)).exit_code == 0
    again = run("check", "--sources", str(corpus), "--baseline", str(baseline), "-f", "json")
    assert again.exit_code == 0 and json.loads(again.stdout) == []


def test_edited_article_is_named_as_the_mover(corpus, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run("snapshot", "--sources", str(corpus), "-o", str(baseline)).exit_code == 0
    path = corpus / "cn-wu-2022-01-19.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("---\n", 2)[1:]
    kept = "\n\n".join(body.split("\n\n")[:3])  # keep the first three paragraphs only
    path.write_text(f"---\n{head}---\n{kept}\n", encoding="utf-8")
    result = run("check", "--sources", str(corpus), "--baseline", str(baseline), "-f", "json")
    assert result.exit_code == 1
    rows = drift_rows(result)
    assert rows
    # China has one article: leaving it out removes the perspective, so the message names
    # it as the changed article rather than by leave-one-out.
    assert all("new or changed since the baseline: cn-wu-2022-01-19" in r["message"]
               or "moved most by" in r["message"] for r in rows)
    assert any("new or changed since the baseline: cn-wu-2022-01-19" in r["message"]
               for r in rows)
    assert any(r["message"].startswith(("tone[china", "topic_share[china", "keywords[china"))
               for r in rows)


def test_removed_article_drift(corpus, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run("snapshot", "--sources", str(corpus), "-o", str(baseline)).exit_code == 0
    (corpus / "cn-wu-2022-01-19.md").unlink()
    result = run("check", "--sources", str(corpus), "--baseline", str(baseline), "-f", "json")
    assert result.exit_code == 1
    messages = [r["message"] for r in drift_rows(result)]
    assert any("no longer computed" in m and m.startswith("keywords[china]") for m in messages)
    assert any("removed since the baseline: cn-wu-2022-01-19" in m for m in messages)


def test_bad_baselines_are_clean_errors(corpus, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run("check", "--sources", str(corpus), "--baseline", str(broken))
    assert result.exit_code == 1 and "not a framelens baseline" in result.stderr
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}', encoding="utf-8")
    result = run("check", "--sources", str(corpus), "--baseline", str(other))
    assert result.exit_code == 1 and "regenerate it" in result.stderr
    missing = run("check", "--sources", str(corpus), "--baseline", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "cannot read the baseline" in missing.stderr
    assert "Traceback" not in result.output + missing.output


def test_drift_is_skipped_while_articles_have_errors(corpus, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run("snapshot", "--sources", str(corpus), "-o", str(baseline)).exit_code == 0
    (corpus / "broken.md").write_text("no front matter\n", encoding="utf-8")
    result = run("check", "--sources", str(corpus), "--baseline", str(baseline), "-f", "json")
    assert result.exit_code == 1
    assert [r["code"] for r in json.loads(result.stdout)] == ["FL010"]
    assert "drift check skipped" in result.stderr
