"""``framelens naming``: which variant of contested names each perspective uses."""

from __future__ import annotations

import typer

from framelens.cli._command import corpus_command

app = typer.Typer()


def _naming_view(result):
    from rich.table import Table
    from rich.text import Text

    extra = result.extra
    perspectives = result.groups
    cells = {(row.concept, row.variant, row.perspective): row for row in result.rows}
    table = Table(title=Text(result.title), caption=Text(result.caption),
                  caption_justify="left")
    table.add_column("concept", overflow="fold", max_width=26)
    table.add_column("variant", overflow="fold", max_width=26)
    for perspective in perspectives:
        colour = result.colour(perspective)
        table.add_column(Text(result.label(perspective),
                              style=f"bold {colour}"), justify="right")
    concepts = extra["concepts"]
    for index, (concept, variants) in enumerate(concepts):
        for position, variant in enumerate(variants):
            row_cells = [Text(concept if position == 0 else ""), Text(variant)]
            for perspective in perspectives:
                row = cells.get((concept, variant, perspective))
                if row is None:
                    row_cells.append(Text(""))
                    continue
                text = str(row.count)
                if row.count and row.share == row.share:  # share is NaN without mentions
                    text += f" ({row.share:.0%})"
                style = (f"bold {result.colour(perspective)}" if row.preferred
                         else "dim" if row.count == 0 else "")
                row_cells.append(Text(text, style=style))
            table.add_row(*row_cells, end_section=position == len(variants) - 1
                          and index < len(concepts) - 1)
    return table


@corpus_command(app, "naming", cache_result=True, view=_naming_view,
                help="Which variant of contested names (Kyiv/Kiev, Donbas/Donbass, ...) each "
                     "perspective uses.")
def naming_command(corpus):
    from framelens.analysis.lenses.naming import naming

    return naming(corpus)
