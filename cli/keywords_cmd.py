"""``framelens keywords`` (keyness per perspective) and ``framelens naming`` (contested names)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._options import CollocationMinCountOpt, KeepStopwordsOpt, NgramsOpt, NoCollocationsOpt
from framelens.cli._style import bar

app = typer.Typer()

_SNIPPET_CHARS = 90
_STATISTIC = {"logodds": "z", "g2": "G²", "chi2": "χ²"}


class Method(str, Enum):
    logodds = "logodds"
    g2 = "g2"
    chi2 = "chi2"


class By(str, Enum):
    perspective = "perspective"
    outlet = "outlet"
    author = "author"
    document = "document"


class DocTest(str, Enum):
    welch = "welch"
    bootstrap = "bootstrap"


class Correction(str, Enum):
    none = "none"
    bonferroni = "bonferroni"
    bh = "bh"


MethodOpt = Annotated[Method, typer.Option(
    "--method", "-m", case_sensitive=False,
    help="Ranking statistic (the score column): logodds = log-odds ratio z with an "
         "informative Dirichlet prior (Monroe et al. 2008); g2 = signed log-likelihood G²; "
         "chi2 = signed χ² (quanteda's Yates rule).")]
TopOpt = Annotated[int, typer.Option(
    "--top", "-n", help="Terms per perspective (0 = every over-represented term).")]
PairOpt = Annotated[tuple[str, str] | None, typer.Option(
    "--pair", help="Compare two perspectives (or --by groups) with each other: --pair A B.",
    show_default=False)]
ByOpt = Annotated[By, typer.Option(
    "--by", case_sensitive=False,
    help="Groups to compare: perspectives, or outlets, authors or single documents.")]
MinCountOpt = Annotated[int, typer.Option(
    "--min-count", help="Minimum count of a term in the target group.")]
MinDocsOpt = Annotated[int, typer.Option(
    "--min-docs", help="Minimum number of the group's own documents containing a term (all "
                       "of them when it has fewer), so one article's topic is not the "
                       "group's keyword.")]
TestOpt = Annotated[DocTest, typer.Option(
    "--test", case_sensitive=False,
    help="Document-level test beside the token-level p (doc_t, doc_p_value): welch = Welch's "
         "t-test on the documents' relative frequencies; bootstrap = Lijffijt et al.'s (2016) "
         "bootstrap over documents.")]
CorrectionOpt = Annotated[Correction, typer.Option(
    "--correction", case_sensitive=False,
    help="Multiple-comparison correction of p (adds p_adjusted): Bonferroni or "
         "Benjamini-Hochberg, over the terms tested per comparison.")]
ExamplesOpt = Annotated[int, typer.Option(
    "--examples", help="Show up to N example sentences per term (adds example, example_doc_id).")]
Alpha0Opt = Annotated[float | None, typer.Option(
    "--alpha0", help="Total weight α0 of the log-odds prior (default: 1000).",
    show_default=False)]


# ------------------------------------------------------------------------- table views


def _bar(fraction: float, colour: str):
    from rich.text import Text

    return Text(bar(fraction), style=colour)


def _snippet(sentence: str, term: str) -> str:
    """The sentence, cut to about _SNIPPET_CHARS around the term's first occurrence."""
    if len(sentence) <= _SNIPPET_CHARS:
        return sentence
    at = max(sentence.lower().find(term.lower().split()[0]), 0)
    start = max(0, min(at - _SNIPPET_CHARS // 3, len(sentence) - _SNIPPET_CHARS))
    text = sentence[start:start + _SNIPPET_CHARS].strip()
    return ("…" if start > 0 else "") + text + ("…" if start + _SNIPPET_CHARS < len(sentence)
                                              else "")


ONE_DOCUMENT_MARK = "!"


def _mostly_one_document(row, documents: dict) -> bool:
    """More than half of the count from one of the group's several documents (with one
    document the whole group is that article, which the block's title says)."""
    from framelens.analysis.stats.dispersion import MOSTLY_ONE_DOCUMENT

    return documents.get(row.perspective, 0) > 1 and row.top_document_share > MOSTLY_ONE_DOCUMENT


def _documents_cell(row, documents: dict):
    from rich.text import Text

    cell = Text(str(row.documents))
    if _mostly_one_document(row, documents):
        cell.append(ONE_DOCUMENT_MARK, style="bold yellow")
    return cell


def _keywords_view(result):
    from rich import box
    from rich.columns import Columns
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    extra = result.extra
    statistic = _STATISTIC.get(extra.get("method", ""), "score")
    by_group: dict[str, list] = {}
    for row in result.rows:
        by_group.setdefault(row.perspective, []).append(row)
    pair = extra.get("pair")
    documents = extra.get("documents", {})
    blocks = []
    for group in extra["groups"]:
        rows = by_group.get(group, [])
        colour = result.colour(group)
        if pair:
            reference = pair[1] if group == pair[0] else pair[0]
            reference = result.label(reference)
        else:
            reference = "rest"
        title = Text(result.label(group), style=f"bold {colour}")
        title.append(f" vs {reference}", style="dim")
        if group in documents:
            count = documents[group]
            title.append(f" · {count} document{'s' if count != 1 else ''}",
                         style="bold yellow" if count == 1 else "dim")
        table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("term", overflow="fold", max_width=40 if extra.get("examples") else 28)
        table.add_column(statistic, justify="right")
        table.add_column("docs", justify="right", no_wrap=True)
        table.add_column("", no_wrap=True)
        peak = max((row.score for row in rows), default=0.0) or 1.0
        for row in rows:
            cell = Text(row.term)
            example = getattr(row, "example", "")
            if example:
                for sentence in example.split("\n"):
                    cell.append("\n" + _snippet(sentence, row.term), style="dim italic")
            table.add_row(cell, Text(f"{row.score:.2f}"), _documents_cell(row, documents),
                          _bar(row.score / peak, colour))
        if not rows:
            table.add_row(Text("(no over-represented term)", style="dim"), Text(""), Text(""),
                          Text(""))
        blocks.append(table)
    parts = [Text(result.title, style="bold"), Columns(blocks, padding=(0, 4))]
    if any(_mostly_one_document(row, documents) for row in result.rows):
        parts.append(Text(f"{ONE_DOCUMENT_MARK} = more than half of the term's count comes from "
                          "one document: it may be that article's topic rather than the "
                          "group's (docs = documents of the group containing it).",
                          style="yellow"))
    single = [result.label(g) for g in extra["groups"] if documents.get(g) == 1]
    if single:
        parts.append(Text(f"{', '.join(single)}: one document each, so every keyword there is "
                          "that one article's word; keyness tells these texts apart, not the "
                          "groups.", style="yellow"))
    if result.caption:
        parts.append(Text(result.caption, style="dim"))
    return Group(*parts)


# ------------------------------------------------------------------------- commands


@corpus_command(app, "keywords", cache_result=True, compares_words=True,
                view=_keywords_view,
                help="Keyness: the words and phrases each perspective uses markedly more than "
                     "the others (every perspective vs the rest, or --pair A B).")
def keywords_command(
    corpus,
    *,
    method: MethodOpt = Method.logodds,
    top: TopOpt = 15,
    pair: PairOpt = None,
    by: ByOpt = By.perspective,
    ngrams: NgramsOpt = "1",
    min_count: MinCountOpt = 2,
    min_docs: MinDocsOpt = 2,
    keep_stopwords: KeepStopwordsOpt = False,
    correction: CorrectionOpt = Correction.none,
    examples: ExamplesOpt = 0,
    alpha0: Alpha0Opt = None,
    no_collocations: NoCollocationsOpt = False,
    collocation_min_count: CollocationMinCountOpt = 2,
    test: TestOpt = DocTest.welch,
):
    from framelens.analysis.lenses.keywords import keyness, parse_ngram_range

    return keyness(corpus, method=method.value, top=top, pair=pair, by=by.value,
                   ngram_range=parse_ngram_range(ngrams), min_count=min_count,
                   min_docs=min_docs, keep_stopwords=keep_stopwords,
                   collocations=not no_collocations,
                   collocation_min_count=collocation_min_count, correction=correction.value,
                   examples=examples, alpha0=alpha0, test=test.value)


