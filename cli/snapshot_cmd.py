"""``framelens snapshot``: a JSON baseline of the corpus's key metrics for drift checks."""

from __future__ import annotations

import typer

from framelens.cli._command import CorpusOptions, corpus_command
from framelens.cli._errors import stderr_console

app = typer.Typer()


@corpus_command(app, "snapshot", loads_corpus=False, format_option=None,
                help="Write a JSON baseline of the corpus's key metrics per perspective "
                     "(keywords, topic salience, tone per target, similarity) for `framelens "
                     "check --baseline`. Byte-identical when regenerated on the same corpus.")
def snapshot_command(options: CorpusOptions) -> None:
    from framelens.analysis.io.output import write_output
    from framelens.analysis.reports.snapshot import snapshot, snapshot_json

    corpus = options.load()
    write_output(options.output, snapshot_json(snapshot(corpus)))
    if options.output is not None:
        stderr_console().print(f"wrote {options.output} ({len(corpus.documents)} articles)",
                               highlight=False, soft_wrap=True)
