"""The stance classifier as plain data: feature blocks (vocabulary, idf) and linear weights.

Features follow the SemEval-2016 Task 6 organisers' strongest baseline
(Mohammad et al. 2016, "SemEval-2016 Task 6: Detecting Stance in Tweets",
§5: a linear SVM on word 1–3-grams and character 2–5-grams), weighted as
TF-IDF with sublinear term frequency, 1 + ln(tf), and the smoothed idf
ln((1 + n) / (1 + df)) + 1 (scikit-learn's ``TfidfTransformer`` defaults;
Manning, Raghavan & Schütze 2008, §6.4.1), each block L2-normalised on its
own so words and characters weigh the same. A pooled model over several
targets adds a one-hot block naming the row's target.

Every prediction, in training as after loading a model file, goes through
:meth:`LinearModel.decision`, so a reloaded model predicts exactly what the
trained one did.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

WORD_TOKEN_PATTERN = r"(?u)[#@]?\w[\w'-]*"
"""Words, keeping hashtags, @-handles, hyphenated words and contractions whole."""
WORD_NGRAMS = (1, 3)
CHAR_NGRAMS = (2, 5)
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_SPACE_RE = re.compile(r"\s+")


def prepare(text: str) -> str:
    """NFKC, lower case, URLs as ``url``, whitespace runs as one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL_RE.sub(" url ", text)
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True)
class FeatureBlock:
    """One block of columns: ``kind`` is ``word``, ``char`` or ``target`` (one-hot)."""

    kind: str
    vocabulary: tuple[str, ...]
    idf: np.ndarray

    def transform(self, texts: Sequence[str], targets: Sequence[str]):
        """Rows × vocabulary, sublinear TF-IDF, each row L2-normalised (a sparse matrix)."""
        import scipy.sparse as sp

        if self.kind == "target":
            index = {name: k for k, name in enumerate(self.vocabulary)}
            cols = [index.get(t, -1) for t in targets]
            rows = [r for r, c in enumerate(cols) if c >= 0]
            return sp.csr_matrix((np.ones(len(rows)), (rows, [cols[r] for r in rows])),
                                 shape=(len(targets), len(self.vocabulary)))
        counts = _vectorizer(self.kind, {t: k for k, t in enumerate(self.vocabulary)}
                             ).transform(texts)
        return _weigh(counts, self.idf)


def _vectorizer(kind: str, vocabulary: Mapping[str, int] | None = None):
    from sklearn.feature_extraction.text import CountVectorizer

    if kind == "word":
        return CountVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, lowercase=False,
                               token_pattern=WORD_TOKEN_PATTERN, vocabulary=vocabulary,
                               dtype=np.float64)
    return CountVectorizer(analyzer="char", ngram_range=CHAR_NGRAMS, lowercase=False,
                           vocabulary=vocabulary, dtype=np.float64)


def _weigh(counts, idf: np.ndarray):
    """1 + ln(tf) for tf > 0, times idf, rows scaled to unit L2 norm (empty rows stay 0)."""
    import scipy.sparse as sp

    counts = sp.csr_matrix(counts, dtype=np.float64)
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ counts)


def fit_blocks(texts: Sequence[str], targets: Sequence[str] | None) -> tuple[FeatureBlock, ...]:
    """Vocabulary and idf of the word and character blocks (and the target block) on ``texts``."""
    blocks = []
    n = len(texts)
    for kind in ("word", "char"):
        vectorizer = _vectorizer(kind)
        try:
            counts = vectorizer.fit_transform(texts)
        except ValueError:  # no token at all (e.g. texts of punctuation only)
            blocks.append(FeatureBlock(kind, (), np.zeros(0)))
            continue
        vocabulary = tuple(vectorizer.get_feature_names_out().tolist())
        df = np.bincount(counts.tocsc().indices, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        blocks.append(FeatureBlock(kind, vocabulary, idf))
    if targets is not None:
        names = tuple(sorted(set(targets)))
        blocks.append(FeatureBlock("target", names, np.ones(len(names))))
    return tuple(blocks)


def features(blocks: Sequence[FeatureBlock], texts: Sequence[str], targets: Sequence[str]):
    import scipy.sparse as sp

    return sp.hstack([b.transform(texts, targets) for b in blocks], format="csr")


@dataclass(frozen=True)
class LinearModel:
    """One linear classifier: ``classes`` (indices into LABELS) and one weight row per class."""

    blocks: tuple[FeatureBlock, ...]
    classes: tuple[int, ...]
    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, texts: Sequence[str], targets: Sequence[str]) -> np.ndarray:
        """Label indices; ties go to the first class (as scikit-learn's argmax and sign)."""
        if not len(texts):
            return np.zeros(0, dtype=np.int64)
        x = features(self.blocks, [prepare(t) for t in texts], targets)
        return predict_features(self, x)


def fit_linear(blocks: tuple[FeatureBlock, ...], x, labels: Sequence[int], *, c: float,
               class_weight: str | None, seed: int) -> LinearModel:
    """A linear SVM (liblinear, one-vs-rest; Fan et al. 2008) on ``x = features(blocks, ...)``.

    With one class in ``labels`` the model always predicts it.
    """
    import warnings

    from sklearn.svm import LinearSVC

    y = np.asarray(labels, dtype=np.int64)
    classes = tuple(int(k) for k in np.unique(y))
    width = sum(len(b.vocabulary) for b in blocks)
    if len(classes) == 1:
        return LinearModel(blocks, classes, np.zeros((1, width)), np.zeros(1))
    svm = LinearSVC(C=c, class_weight=class_weight, random_state=seed, max_iter=20000)
    with warnings.catch_warnings():  # convergence notes on tiny sets; the CV figures judge it
        warnings.simplefilter("ignore")
        svm.fit(x, y)
    coef = np.asarray(svm.coef_, dtype=np.float64)
    intercept = np.asarray(svm.intercept_, dtype=np.float64)
    if len(classes) == 2:  # one decision function: class 1 when positive, as scikit-learn
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return LinearModel(blocks, classes, coef, intercept)


def predict_features(model: LinearModel, x) -> np.ndarray:
    """:meth:`LinearModel.predict` on features already computed with the model's blocks."""
    scores = np.asarray(x @ model.coef.T) + model.intercept
    return np.asarray(model.classes, dtype=np.int64)[np.argmax(scores, axis=1)]


@dataclass(frozen=True)
class StanceModel:
    """A pooled model (key "") or one model per target; ``targets`` names what it was trained on."""

    strategy: str
    models: Mapping[str, LinearModel]
    targets: tuple[str, ...]

    def model_for(self, target: str) -> LinearModel | None:
        if self.strategy == "per_target":
            return self.models.get(target)
        return self.models[""]

    def predict(self, texts: Sequence[str], targets: Sequence[str]) -> np.ndarray:
        """Label index of every text toward its target (targets unknown to a per-target model: -1)."""
        out = np.full(len(texts), -1, dtype=np.int64)
        if self.strategy != "per_target":
            return self.models[""].predict(texts, targets) if len(texts) else out
        by_target: dict[str, list[int]] = {}
        for row, target in enumerate(targets):
            by_target.setdefault(target, []).append(row)
        for target, rows in by_target.items():
            model = self.models.get(target)
            if model is not None:
                out[rows] = model.predict([texts[r] for r in rows], [target] * len(rows))
        return out
