"""``framelens compare``: the overview of how the perspectives frame the topics.

The analysis is :func:`framelens.analysis.reports.compare.compare`; this module
parses options, shows a progress indicator on stderr (only on a terminal,
only after about a second) and renders the terminal view. Machine formats
come from the shared output layer (a Report: JSON by section, CSV/TSV/JSONL
as the long table).
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._options import KeepStopwordsOpt
from framelens.cli._style import signed, tone_colour
from framelens.cli.keywords_cmd import Alpha0Opt, NoCollocationsOpt
from framelens.cli.stance_cmd import TargetAliasOpt

app = typer.Typer()

_PROGRESS_DELAY = 1.0  # seconds before the progress indicator appears
_WIDE = 110  # from this console width on, intervals and longer evidence are shown

SectionsOpt = Annotated[str | None, typer.Option(
    "--sections", "-s", metavar="LIST",
    help="Comma-separated sections, shown in the standard order: corpus, topics, keywords, "
         "stance, naming, similarity, contrasts (default: all).", show_default=False)]
TopOpt = Annotated[int, typer.Option(
    "--top", "-n", min=1, help="Keywords per perspective.")]
ContrastsOpt = Annotated[int, typer.Option(
    "--contrasts", min=0, help="Largest contrasts listed per kind (topic silence, topic "
    "salience, topic tone, target tone).")]
MinSentencesOpt = Annotated[int, typer.Option(
    "--min-sentences", min=1, help="Sentences a perspective needs on a topic or target for "
    "its mean tone to count in a tone contrast.")]
MinDocsOpt = Annotated[int, typer.Option(
    "--min-docs", min=1, help="Minimum number of the perspective's articles a keyword must "
    "occur in (all of them when it has fewer): one article's topic is not the perspective's.")]
MinCountOpt = Annotated[int, typer.Option(
    "--min-count", min=1, help="Minimum count of a keyword in its perspective; also the "
    "count from which a perspective 'uses' a term in the vocabulary counts.")]


# ----------------------------------------------------------------------------- helpers




def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


class _Styles:
    def __init__(self, section):
        self.section = section
        self.perspectives = section.groups

    def label(self, pid: str, *, bold: bool = True):
        from rich.text import Text

        style = self.section.style(pid)
        return Text(style.label, style=f"{'bold ' if bold else ''}{style.colour}".strip())


def _unit_phrase(rows) -> str:
    """Over which unit the tone intervals of a section were taken, in a few words."""
    units = {r.ci_unit for r in rows if r.ci_unit}
    if units == {"articles"}:
        return "over articles"
    if units == {"sentences"}:
        return "over sentences: within these texts only"
    return "over articles; † = over sentences, within these texts only"


def _within_mark(rows, row) -> str:
    """† after an interval within these texts when the section mixes units."""
    mixed = len({r.ci_unit for r in rows if r.ci_unit}) > 1
    return "†" if mixed and row.ci_unit == "sentences" else ""


def _heading(text: str, note: str = ""):
    from rich.text import Text

    heading = Text(text, style="bold underline")
    if note:
        heading.append("  " + note, style="dim")
    return heading


# ------------------------------------------------------------------------------- view


def _compare_view(report):
    return _CompareView(report)


class _CompareView:
    """All sections, laid out for the console width (120 columns; degrades down to 80)."""

    def __init__(self, report):
        self.report = report

    def __rich_console__(self, console, options):
        from rich.text import Text

        width = options.max_width
        wide = width >= _WIDE
        yield Text(self.report.title, style="bold")
        builders = {"corpus": _corpus_block, "topics": _topics_block,
                    "keywords": _keywords_block, "stance": _stance_block,
                    "stance_shares": _stance_shares_block,
                    "naming": _naming_block, "similarity": _similarity_block,
                    "contrasts": _contrasts_block}
        for name, section in self.report.sections:
            yield Text("")
            yield from builders[name](section, width, wide)
        if self.report.caption:
            yield Text("")
            yield Text(self.report.caption, style="dim")


def _table(**kwargs):
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=False,
                 **kwargs)


def _corpus_block(section, width, wide):
    from rich.text import Text

    styles = _Styles(section)
    yield _heading("Corpus", "articles, words (tokens) and sentences per perspective")
    table = _table()
    table.add_column("")
    for row in section.rows:
        table.add_column(styles.label(row.perspective), justify="right")
    for field, name in (("articles", "articles"), ("words", "words"),
                        ("sentences", "sentences")):
        table.add_row(Text(name), *(Text(f"{getattr(r, field):,}") for r in section.rows))
    yield table


def _topics_block(section, width, wide):
    from rich.text import Text

    styles = _Styles(section)
    minimum = section.extra.get("min_sentences", 5)
    note = ("% of the perspective's sentences on the topic · mean VADER tone of those "
            "sentences" + (f" (95% CI {_unit_phrase(section.rows)})" if wide else "")
            + f"; grey tone: fewer than {minimum} sentences; · = never mentioned")
    yield _heading("Topics", note)
    if not section.rows:
        yield Text("(no topics configured)", style="dim")
        return
    cells = {(r.topic, r.perspective): r for r in section.rows}
    table = _table()
    table.add_column("topic", overflow="fold", ratio=1, min_width=14,
                     max_width=48 if wide else 30)
    for p in styles.perspectives:
        table.add_column(styles.label(p), no_wrap=True)
    for topic in section.extra["topics"]:
        row_cells = []
        for p in styles.perspectives:
            r = cells[(topic, p)]
            if r.sentences == 0:
                row_cells.append(Text(f"{_percent(0.0):>6} ·", style="dim"))
                continue
            cell = Text(f"{_percent(r.share_of_sentences):>6} ")
            cell.append(signed(r.tone_mean), style=tone_colour(r.tone_mean)
                        if r.sentences >= minimum else "dim")
            if wide:
                cell.append(f" ({signed(r.tone_ci_low)}…{signed(r.tone_ci_high)})"
                            + _within_mark(section.rows, r), style="dim")
            row_cells.append(cell)
        table.add_row(Text(topic), *row_cells)
    yield table


def _keywords_block(section, width, wide):
    from rich.text import Text

    styles = _Styles(section)
    document_level = section.extra.get("document_level", False)
    documents = section.extra.get("documents", {})
    dimmed = ("Welch p over articles ≥ 0.05" if document_level
              else "token-level p ≥ 0.05")
    yield _heading("Keywords", "log-odds z (informative Dirichlet prior) vs the other "
                               f"perspectives (dim: {dimmed}); n = count; docs = articles "
                               "with the term; example phrase")
    if not section.rows:
        # A corpus that mixes languages says why (the section's caption).
        yield Text(f"(no keywords: {section.caption})" if section.title.endswith(
            "not across languages") else "(no keywords)", style="dim")
        return
    table = _table()
    table.add_column("perspective", no_wrap=True)
    table.add_column("term", overflow="fold", max_width=28 if wide else 18)
    table.add_column("z", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("docs", justify="right", no_wrap=True)
    table.add_column("example", overflow="fold", ratio=1)
    # One line per keyword on a wide console: the phrase is cut to what fits.
    terms = max(len(r.term) + (len(r.alias_of) + 4 if r.alias_of and r.alias_of != r.term else 0)
                for r in section.rows)
    room = width - min(terms, 28) - 37 if wide else None
    previous = None
    for row in section.rows:
        if previous is not None and row.perspective != previous:
            table.add_section()
        label = styles.label(row.perspective) if row.perspective != previous else Text("")
        previous = row.perspective
        term = Text(row.term, style="bold")
        if row.alias_of and row.alias_of != row.term:
            term.append(f" (= {row.alias_of})", style="dim")
        p = row.doc_p_value if document_level else row.p_value
        docs = Text(str(row.documents))
        if documents.get(row.perspective, 0) > 1 and row.top_document_share > 0.5:
            docs.append("!", style="bold yellow")
        table.add_row(label, term, Text(f"{row.z:.2f}", style="dim" if not p < 0.05 else ""),
                      Text(str(row.count)), docs,
                      Text(_clip(row.example, room) if room else row.example, style="italic"))
    yield table
    if any(documents.get(r.perspective, 0) > 1 and r.top_document_share > 0.5
           for r in section.rows):
        yield Text("! = more than half of the keyword's count comes from one article.",
                   style="yellow")
    single = [styles.section.label(p) for p, n in documents.items() if n == 1]
    if single:
        yield Text(f"{', '.join(single)}: one article each; their keywords are that article's "
                   "words.", style="yellow")
    if any(r.alias_of for r in section.rows):
        yield Text("(= X): the term is a name of target X; outlets spell names differently "
                   "(US, U.S., United States), so compare the target's mentions under Stance.",
                   style="dim")


def _stance_block(section, width, wide):
    from rich.text import Text

    styles = _Styles(section)
    minimum = section.extra.get("min_sentences", 5)
    note = ("mean VADER tone of the sentences mentioning the target"
            + (f" (95% CI {_unit_phrase(section.rows)})" if wide else "")
            + f", mentions in brackets; grey tone: fewer than "
            f"{minimum} sentences; – = not mentioned")
    yield _heading("Stance", note)
    if not section.rows:
        yield Text("(no targets configured)", style="dim")
        return
    cells = {(r.target, r.perspective): r for r in section.rows}
    table = _table()
    table.add_column("target", overflow="fold", max_width=24)
    for p in styles.perspectives:
        table.add_column(styles.label(p), no_wrap=True)
    for target in section.extra["targets"]:
        row_cells = []
        for p in styles.perspectives:
            r = cells[(target, p)]
            if r.mentions == 0 or math.isnan(r.tone_mean):
                missing = "n/a" if r.mentions else "–"  # n/a: mentioned, tone unreadable
                row_cells.append(Text(f"{missing} ({r.mentions})", style="dim"))
                continue
            cell = Text(signed(r.tone_mean), style=tone_colour(r.tone_mean)
                        if r.sentences >= minimum else "dim")
            if wide:
                cell.append(f" ({signed(r.tone_ci_low)}…{signed(r.tone_ci_high)})"
                            + _within_mark(section.rows, r), style="dim")
            cell.append(f" [{r.mentions}]")
            row_cells.append(cell)
        table.add_row(Text(target), *row_cells)
    yield table


def _stance_shares_block(section, width, wide):
    from framelens.cli.stance_model_cmd import shares_view

    yield _heading("Stance shares (model)", "favor / against / none of the sentences "
                   "mentioning each target, coded by the model and corrected for its error rates")
    yield shares_view(section)


_DIFFERENCE = {"preferred_differs": "preferred", "variant_not_shared": "unshared",
               "one_side_only": "one side"}


def _naming_block(section, width, wide):
    from rich.text import Text

    styles = _Styles(section)
    yield _heading("Naming", "contested names where the perspectives' choices differ: "
                             "mentions of each variant (bold = preferred); – = not mentioned")
    if not section.rows:
        yield Text("(no naming differences)", style="dim")
        return
    concepts: dict[str, list] = {}
    for row in section.rows:
        concepts.setdefault(row.concept, []).append(row)
    table = _table()
    table.add_column("concept", overflow="fold", max_width=30 if wide else 20)
    if wide:
        table.add_column("differs", no_wrap=True, style="dim")
    for p in styles.perspectives:
        table.add_column(styles.label(p), overflow="fold", ratio=1)
    for concept, rows in concepts.items():
        row_cells = []
        for p in styles.perspectives:
            mine = [r for r in rows if r.perspective == p and r.count > 0]
            if not mine:
                row_cells.append(Text("–", style="dim"))
                continue
            cell = Text()
            for k, r in enumerate(mine):
                if k:
                    cell.append(", ")
                cell.append(f"{r.variant} {r.count}", style="bold" if r.preferred else "")
            row_cells.append(cell)
        difference = _DIFFERENCE.get(rows[0].difference, rows[0].difference)
        if wide:
            table.add_row(Text(concept), Text(difference), *row_cells)
        else:
            table.add_row(Text(concept).append(f" ({difference})", style="dim"), *row_cells)
    yield table
    yield Text("differs: preferred = the perspectives prefer different variants; unshared = "
               "one uses a variant another never does; one side = only one mentions it.",
               style="dim")


def _similarity_block(section, width, wide):
    from rich.text import Text

    styles = _Styles(section)
    minimum = section.extra.get("min_count", 2)
    yield _heading("Similarity", "TF-IDF cosine (1 = same term weights) and Jensen–Shannon "
                                 "divergence (0 = same distribution)")
    if not section.rows and section.title.endswith("not across languages"):
        yield Text(f"(not computed: {section.caption})", style="dim")
        return
    pairs = [r for r in section.rows if r.kind == "pair"]
    table = _table()
    table.add_column("pair", no_wrap=True)
    table.add_column("cosine", justify="right", no_wrap=True)
    table.add_column("JSD", justify="right", no_wrap=True)
    table.add_column("terms only these two use", overflow="fold", ratio=1)
    for r in pairs:
        pair = styles.label(r.perspective)
        pair.append(" – ")
        pair.append_text(styles.label(r.other))
        examples = Text(f"{r.terms}", style="bold")
        if r.examples:
            examples.append(": " + ", ".join(r.examples), style="dim")
        table.add_row(pair, Text(f"{r.cosine:.3f}"), Text(f"{r.jsd:.3f}"), examples)
    if pairs:
        yield table
    vocabulary = _table()
    vocabulary.add_column("vocabulary", no_wrap=True)
    vocabulary.add_column(f"used (≥{minimum}×)", justify="right", no_wrap=True)
    vocabulary.add_column("unique", justify="right", no_wrap=True)
    vocabulary.add_column("unique terms, most frequent first", overflow="fold", ratio=1)
    used = {r.perspective: r for r in section.rows if r.kind == "used"}
    for r in (r for r in section.rows if r.kind == "unique"):
        vocabulary.add_row(styles.label(r.perspective),
                           Text(str(used[r.perspective].terms)) if r.perspective in used
                           else Text(""), Text(str(r.terms)),
                           Text(", ".join(r.examples), style="dim"))
    shared = next((r for r in section.rows if r.kind == "all"), None)
    if shared is not None:
        vocabulary.add_row(Text("shared by all", style="bold"), Text(str(shared.terms)),
                           Text(""), Text(", ".join(shared.examples), style="dim"))
    if vocabulary.row_count:
        yield vocabulary


def _contrasts_block(section, width, wide):
    from rich.table import Table
    from rich.text import Text

    styles = _Styles(section)
    minimum = section.extra.get("min_sentences", 5)
    yield _heading("Largest contrasts", "ranked by spread = max − min across perspectives")
    if not section.rows:
        yield Text("(no contrasts)", style="dim")
        return
    groups: dict[tuple[str, int], list] = {}
    for row in section.rows:
        groups.setdefault((row.kind, row.rank), []).append(row)
    titles = section.extra.get("kind_titles", {})
    label_width = max((len(styles.section.label(p)) for p in styles.perspectives), default=6)
    # Evidence: two lines on a wide console, else three; the label column and padding aside.
    evidence_chars = (width - label_width - 26) * (2 if wide else 3)
    previous_kind = None
    for (kind, rank), rows in groups.items():
        first = rows[0]
        if kind != previous_kind:
            yield Text(titles.get(kind, kind).capitalize() + ":", style="bold")
            previous_kind = kind
        tone = first.measure == "tone_mean"
        line = Text(f" {rank}. ", style="bold")
        line.append(first.item, style="bold")
        spread = signed(first.spread).lstrip("+") if tone else \
            f"{first.spread * 100:.1f} percentage points"
        line.append(f"  spread {spread}", style="dim")
        if tone and first.intervals_overlap is not None:
            line.append("; 95% intervals overlap: may be noise" if first.intervals_overlap
                        else "; 95% intervals do not overlap", style="dim")
        yield line
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, width=3, justify="right")
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, justify="right")
        table.add_column(no_wrap=True, justify="right")
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold", ratio=1)
        for r in rows:
            value = Text(signed(r.value), style=tone_colour(r.value)) if tone \
                else Text(_percent(r.value))
            note = Text("" if r.counted else f"<{minimum}", style="dim")
            if r.role and r.evidence:
                evidence = Text()
                if tone:
                    evidence.append(signed(r.evidence_tone) + " ",
                                    style=tone_colour(r.evidence_tone))
                evidence.append(f"\u201c{_clip(r.evidence, evidence_chars)}\u201d")
            elif r.role:
                evidence = Text("(no sentence)", style="dim")
            else:
                evidence = Text("")
            marker = {"high": "▲", "low": "▼"}.get(r.role, "")
            table.add_row(Text(marker), styles.label(r.perspective), value,
                          Text(f"[{r.sentences}]", style="" if r.counted else "dim"), note,
                          evidence)
        yield table
    yield Text(f"[n] = sentences; ▲/▼ = highest/lowest, with evidence; tone contrasts count "
               f"only perspectives with ≥{minimum} sentences (<{minimum} = not counted). "
               "Evidence: the sentence densest in topic terms (salience), or the sentence whose "
               "tone (shown first) is nearest the perspective's mean (tone); the other "
               "perspectives' evidence is in --format json.", style="dim")


# -------------------------------------------------------------------------- progress


class _DelayedProgress:
    """A transient progress bar on stderr that appears only after ``_PROGRESS_DELAY`` s."""

    def __init__(self):
        import os

        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

        console = Console(stderr=True, no_color="NO_COLOR" in os.environ or None)
        self.progress = Progress(SpinnerColumn(), TextColumn("compare: {task.description}"),
                                 BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 console=console, transient=True)
        self.task = self.progress.add_task("starting", total=None)
        self.lock = threading.Lock()
        self.started = False
        self.finished = False
        self.timer = threading.Timer(_PROGRESS_DELAY, self._start)
        self.timer.daemon = True

    def _start(self) -> None:
        with self.lock:
            if not self.finished:
                self.progress.start()
                self.started = True

    def __call__(self, step: str, done: int, total: int) -> None:
        self.progress.update(self.task, description=step, completed=done, total=total)

    def __enter__(self):
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()
        with self.lock:
            self.finished = True
            if self.started:
                self.progress.stop()


def _progress():
    import contextlib
    import sys

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return _DelayedProgress()


# --------------------------------------------------------------------------- command


# A model file can change under the same name: with one, the result is not reused.
@corpus_command(app, "compare", cache_result=lambda options: options.get("stance_model") is None,
                view=_compare_view,
                help="The overview: corpus, topic salience and tone, keywords, stance toward "
                     "targets, naming, similarity and the largest contrasts between the "
                     "perspectives, with evidence sentences.")
def compare_command(
    corpus,
    *,
    sections: SectionsOpt = None,
    top: TopOpt = 5,
    contrasts: ContrastsOpt = 3,
    min_sentences: MinSentencesOpt = 5,
    min_count: MinCountOpt = 2,
    min_docs: MinDocsOpt = 2,
    alpha0: Alpha0Opt = None,
    keep_stopwords: KeepStopwordsOpt = False,
    no_collocations: NoCollocationsOpt = False,
    target_alias: TargetAliasOpt = None,
    stance_model: Annotated[Path | None, typer.Option(
        "--stance-model", metavar="MODEL", help="A model file from `stance-model train`: adds "
        "the stance shares per perspective and target (favor / against / none, corrected for "
        "the model's error rates) after the stance section.", show_default=False)] = None,
):
    """One overview of how the perspectives frame the topics. JSON: one key per section;
    CSV/TSV/JSONL: the long table section, perspective, item, metric, value, detail."""
    from framelens.analysis.reports.compare import compare, parse_sections

    chosen = parse_sections(sections)
    with _progress() as progress:
        return compare(corpus, sections=chosen, top=top, contrasts=contrasts,
                       min_sentences=min_sentences, min_count=min_count, alpha0=alpha0,
                       keep_stopwords=keep_stopwords, collocations=not no_collocations,
                       target_alias=target_alias or (), progress=progress,
                       min_docs=min_docs, stance_model=stance_model)
