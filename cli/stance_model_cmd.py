"""``framelens stance-model train|evaluate``: a stance classifier from hand-coded rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from framelens.analysis.io.output import write_output
from framelens.cli._errors import user_errors, warn
from framelens.cli._options import FormatOpt, OutputOpt
from framelens.cli._output import OutputFormat, choose_format, emit

app = typer.Typer(name="stance-model", no_args_is_help=True,
                  help="Train a stance classifier (favor / against / none) on coded rows, "
                       "or evaluate one on held-out coded rows.")

CodedFileArg = Annotated[Path, typer.Argument(
    metavar="FILE", help="Coded rows: CSV, TSV, JSONL or Parquet; or tab-separated .txt as "
    "SemEval-2016 Task 6 publishes it (Windows-1252 read as such).", show_default=False)]
TextColumnOpt = Annotated[str, typer.Option("--text-column", help="Column holding the text.")]
LabelColumnOpt = Annotated[str, typer.Option(
    "--label-column", help="Column holding the label: favor, against or none (any case).")]
TargetColumnOpt = Annotated[str | None, typer.Option(
    "--target-column", help="Column naming the target each row is coded toward (optional).",
    show_default=False)]


def _metrics_result(rows, title: str, caption: str, warnings=()):
    from framelens.analysis.lenses.stance_model.metrics import MetricRow
    from framelens.analysis.results import Result

    return Result(MetricRow, tuple(rows), title=title, caption=caption, warnings=tuple(warnings))


def _metrics_view(result):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=result.title, caption=Text(result.caption), caption_justify="left")
    for column in ("target", "stance", "rows", "→favor", "→against", "→none", "precision",
                   "recall", "F1", "F_avg"):
        table.add_column(column, justify="left" if column in ("target", "stance") else "right")
    previous = None
    for row in result.rows:
        if previous is not None and row.target != previous:
            table.add_section()
        first = row.target != previous
        previous = row.target
        table.add_row(Text(row.target if first else ""), row.stance, str(row.support),
                      str(row.predicted_favor), str(row.predicted_against),
                      str(row.predicted_none), f"{row.precision:.1f}", f"{row.recall:.1f}",
                      f"{row.f1:.1f}", f"{row.f_avg:.1f}" if first else "")
    return table


def _emit_metrics(result, fmt, output, extra_json=None) -> None:
    from framelens.analysis.lenses.stance_model.metrics import metrics_object

    for message in result.warnings:
        warn(message)
    fmt = choose_format(fmt, output)
    if fmt is OutputFormat.json:
        payload = metrics_object(result.rows)
        payload.update(extra_json or {})
        text = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        if output is None:
            typer.echo(text, nl=False)
        else:
            write_output(output, text)
        return
    emit(result, fmt, output, _metrics_view)


SCALE = ("Figures on SemEval's 0-100 scale: precision, recall and F1 per true class; "
         "F_avg = mean of F1(favor) and F1(against) (SemEval-2016 Task 6). rows: coded rows of "
         "the class; →favor/→against/→none: how the model labelled them (the confusion matrix).")


@app.command("train", help="Train a stance classifier on coded rows; print its cross-validated "
                           "figures and write the model file.")
def train_command(
    file: CodedFileArg,
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="MODEL", help="Model file to write (atomically).",
        show_default=False)],
    text_column: TextColumnOpt = "text",
    label_column: LabelColumnOpt = "stance",
    target_column: TargetColumnOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the folds and the SVM.")] = 0,
    format: FormatOpt = None,
):
    """Word 1-3-grams and character 2-5-grams, a linear SVM per target or pooled, C and class
    weights chosen by cross-validated F_avg; figures from a fresh cross-validation."""
    from framelens.analysis.lenses.stance_model.coded import read_coded
    from framelens.analysis.lenses.stance_model.model_file import save_model
    from framelens.analysis.lenses.stance_model.train import train, training_metadata

    with user_errors():
        rows = read_coded(file, text_column=text_column, label_column=label_column,
                          target_column=target_column)
        training = train(rows, seed=seed)
        metadata = training_metadata(training, rows, text_column=text_column,
                                     label_column=label_column, target_column=target_column)
        save_model(output, training.model, metadata)
        chosen = training.candidate
        caption = (f"Cross-validated ({training.folds} folds, strata target x label, seed "
                   f"{seed + 1}; settings chosen on other folds, seed {seed}): strategy "
                   f"{chosen.strategy}, C {chosen.c}, class weights "
                   f"{chosen.class_weight or 'equal'}. " + SCALE + f" Model written to {output}.")
        result = _metrics_result(training.rows, f"Stance model: {len(rows.texts)} coded rows",
                                 caption, rows.warnings + tuple(training.warnings))
        _emit_metrics(result, format, None, {"settings": chosen.describe(),
                                             "folds": training.folds})


@app.command("evaluate", help="A stance model's figures and confusion matrix on held-out coded "
                              "rows.")
def evaluate_command(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="Model file from train.",
                                          show_default=False)],
    file: CodedFileArg,
    text_column: TextColumnOpt = "text",
    label_column: LabelColumnOpt = "stance",
    target_column: TargetColumnOpt = None,
    format: FormatOpt = None,
    output: OutputOpt = None,
):
    """Precision, recall, F1 per class, F_avg and the confusion matrix, pooled and per target."""
    from framelens.analysis.lenses.stance_model.coded import read_coded
    from framelens.analysis.lenses.stance_model.model_file import load_model
    from framelens.analysis.lenses.stance_model.train import evaluate

    with user_errors():
        loaded = load_model(model)
        rows = read_coded(file, text_column=text_column, label_column=label_column,
                          target_column=target_column)
        table, _ = evaluate(loaded.model, rows)
        result = _metrics_result(table, f"Stance model on {file.name}: {len(rows.texts)} rows",
                                 SCALE, rows.warnings)
        _emit_metrics(result, format, output)


def shares_view(result):
    """Table view of ``stance --model``: one line per perspective × target, shares in %."""
    import math

    from rich import box
    from rich.table import Table
    from rich.text import Text

    from framelens.cli._style import signed

    table = Table(title=result.title, caption_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.caption = Text("Cells: corrected share %, its 95% interval below; art: articles (* = fewer "
                         "than 5: the interval resamples sentences, within these texts); raw: "
                         "uncorrected favor/against/none %. " + result.caption)
    for column, justify in (("perspective", "left"), ("target", "left"), ("sent", "right"),
                            ("art", "right"), ("favor", "right"), ("against", "right"),
                            ("none", "right"), ("raw", "right"), ("tone", "right")):
        table.add_column(column, justify=justify, no_wrap=column not in ("perspective",
                                                                         "target"))
    cells: dict[tuple[str, str], dict[str, object]] = {}
    for row in result.rows:
        cells.setdefault((row.perspective, row.target), {})[row.stance] = row

    def share(row) -> str:
        if math.isnan(row.share):
            return Text("–")
        return Text(f"{row.share * 100:.0f}\n").append(
            f"{row.ci_low * 100:.0f}–{row.ci_high * 100:.0f}", style="dim")

    for (perspective, target), by in cells.items():
        first = by["favor"]
        style = result.colour(perspective)
        raw = ("–" if math.isnan(first.raw_share) else
               "/".join(f"{by[s].raw_share * 100:.0f}" for s in ("favor", "against", "none")))
        unit = "" if first.ci_unit != "sentences" else " *"
        table.add_row(Text(result.label(perspective), style=style), Text(target),
                      str(first.sentences), f"{first.articles}{unit}",
                      share(by["favor"]), share(by["against"]), share(by["none"]), raw,
                      signed(first.tone_mean))
    return table
