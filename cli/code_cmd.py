"""``framelens code``: a stratified sample of target-mentioning sentences for hand-coding."""

from __future__ import annotations

from typing import Annotated

import typer

from framelens.cli._command import CorpusOptions, corpus_command
from framelens.cli._options import TargetAliasOpt, TargetOpt

app = typer.Typer()


@corpus_command(app, "code", loads_corpus=False,
                help="A random sample of sentences mentioning the targets, stratified by "
                     "perspective and target, with an empty stance column to code.")
def code_command(
    options: CorpusOptions,
    *,
    target: TargetOpt = None,
    target_alias: TargetAliasOpt = None,
    sample: Annotated[int, typer.Option(
        "--sample", "-n", min=1, metavar="N", help="Sentence-target pairs to sample.")] = 60,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample.")] = 0,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite an existing --output file (it may hold coding work).")] = False,
):
    """Columns: sentence_id, perspective, document, target, text, context, stance (empty)."""
    from framelens.analysis.errors import FramelensError
    from framelens.analysis.lenses.stance_model.coding import coding_sample

    output = options.output
    if output is not None and output.exists() and not force:
        raise FramelensError("file exists and may hold coding work; choose another --output "
                             "or pass --force", path=output)
    corpus = options.load()
    return coding_sample(corpus, targets=target or (), target_alias=target_alias or (),
                         sample=sample, seed=seed)
