"""``framelens stance`` and ``framelens sentences``: tone and stance cues toward targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._options import TargetAliasOpt, TargetOpt
from framelens.cli._style import CI_OVER, MINUS, TONE_FULL_SCALE, signed, tone_colour

app = typer.Typer()


def _perspective_text(result, pid: str):
    from rich.text import Text

    label, colour = result.label(pid), result.colour(pid)
    return Text(label, style=f"bold {colour}" if colour else "bold")


def _matrix_tables(result):
    import math

    from rich import box
    from rich.table import Table
    from rich.text import Text

    targets = result.extra["targets"]
    by_cell = {(r.perspective, r.target): r for r in result.rows}
    perspectives = list(dict.fromkeys(r.perspective for r in result.rows))
    unit = (f"±{result.extra['window']}-token windows" if result.extra.get("window")
            else "sentences")
    matrix = Table(title=result.title, caption=Text(
        f"Cell: mean tone of the {unit} mentioning the target (mentions in brackets); colour "
        f"from red ({MINUS}{TONE_FULL_SCALE}) through grey (0) to green (+{TONE_FULL_SCALE}); "
        "– = not mentioned."), caption_justify="left")
    matrix.add_column("perspective")
    for name in targets:
        matrix.add_column(Text(name), justify="right")
    for pid in perspectives:
        cells = []
        for name in targets:
            row = by_cell[(pid, name)]
            if row.mentions == 0 or math.isnan(row.tone_mean):
                missing = "n/a" if row.mentions else "–"  # n/a: mentioned, tone unreadable
                cells.append(Text(f"{missing} ({row.mentions})", style="dim"))
            else:
                cells.append(Text(f"{signed(row.tone_mean)} ({row.mentions})",
                                  style=tone_colour(row.tone_mean)))
        matrix.add_row(_perspective_text(result, pid), *cells)

    detail = Table(title="Tone interval, polarity shares and stance cues per sentence",
                   caption=Text(result.caption), caption_justify="left",
                   box=box.SIMPLE_HEAD, pad_edge=False)
    for column, justify in (("perspective", "left"), ("target", "left"), ("sent", "right"),
                            ("tone 95% CI", "right"), ("CI over", "left"),
                            ("neg/neu/pos%", "right"),
                            ("hedge", "right"), ("boost", "right"), ("deont", "right"),
                            ("negat", "right"), ("threat", "right"), ("report", "right"),
                            ("rep%", "right")):
        detail.add_column(column, justify=justify, no_wrap=column not in ("perspective",
                                                                          "target"))
    previous = None
    for row in result.rows:
        if row.sentences == 0:
            continue
        if previous is not None and row.perspective != previous:
            detail.add_section()
        previous = row.perspective
        detail.add_row(
            _perspective_text(result, row.perspective), Text(row.target), str(row.sentences),
            Text(f"{signed(row.tone_ci_low)}…{signed(row.tone_ci_high)}"),
            Text(*CI_OVER.get(row.ci_unit, ("", ""))),
            f"{row.share_negative * 100:.0f}/{row.share_neutral * 100:.0f}/"
            f"{row.share_positive * 100:.0f}",
            *(f"{getattr(row, c):.2f}" for c in ("hedges", "boosters", "deontic", "negation",
                                                 "threat", "reported")),
            f"{row.reported_share * 100:.0f}")
    return matrix, detail


def _evidence_table(result):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=result.title, caption=Text(result.caption), caption_justify="left",
                  show_lines=True)
    for column, justify in (("perspective", "left"), ("target", "left"), ("", "left"),
                            ("#", "right"), ("tone", "right"), ("source", "left"),
                            ("text", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    spans = result.extra.get("spans", ())
    for index, row in enumerate(result.rows):
        text = Text(row.text)
        for start, end in spans[index] if index < len(spans) else ():
            text.stylize("bold underline", start, end)
        table.add_row(_perspective_text(result, row.perspective), Text(row.target),
                      Text(row.polarity[:3], style="red" if row.polarity == "negative"
                           else "green"),
                      str(row.rank), Text(signed(row.tone, 3), style=tone_colour(row.tone)),
                      Text(f"{row.doc_id}#{row.sentence_index}"), text)
    if not result.rows:
        table.add_row("", "", "", "", "", "", Text("no sentence passes the ±0.05 thresholds",
                                                   style="dim"))
    return table


def _stance_view(result):
    from rich.console import Group

    if result.row_type.__name__ == "StanceShareRow":  # --model
        from framelens.cli.stance_model_cmd import shares_view

        return shares_view(result)
    matrix = result.extra.get("matrix")
    if matrix is None:
        return Group(*_matrix_tables(result))
    return Group(_matrix_tables(matrix)[0], _evidence_table(result))


@corpus_command(app, "stance", cache_result=lambda options: options.get("model") is None,
                view=_stance_view,
                help="Tone and stance cues toward targets (actors) per perspective, "
                     "with --evidence sentences.")
def stance_command(
    corpus,
    *,
    target: TargetOpt = None,
    target_alias: TargetAliasOpt = None,
    window: Annotated[int | None, typer.Option(
        "--window", "-w", min=1, metavar="K",
        help="Tone of the K tokens before to the K tokens after each mention (within its "
             "sentence) instead of the whole sentence.", show_default=False)] = None,
    evidence: Annotated[int | None, typer.Option(
        "--evidence", "-e", min=1, metavar="N",
        help="Output the N most negative and N most positive sentences per perspective and "
             "target instead of the matrix (the table view shows both).",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the bootstrap confidence intervals.")] = 0,
    model: Annotated[Path | None, typer.Option(
        "--model", metavar="MODEL", help="Stance model from `stance-model train`: favor / "
        "against / none shares per perspective and target, corrected for the model's errors.",
        show_default=False)] = None,
):
    """Per perspective × target: mentions, tone (VADER) with a bootstrap 95% interval,
    polarity shares and stance cue rates; or the evidence sentences; or, with --model,
    the model-coded stance shares."""
    from framelens.analysis.lenses.stance import stance

    if model is not None:
        from framelens.analysis.errors import OptionError
        from framelens.analysis.lenses.stance_model.shares import stance_shares

        if window is not None or evidence is not None:
            raise OptionError("--model classifies whole sentences; drop --window and --evidence")
        return stance_shares(corpus, model, targets=target or (),
                             target_alias=target_alias or (), seed=seed)
    return stance(corpus, targets=target or (), target_alias=target_alias or (),
                  window=window, evidence=evidence, seed=seed)


