"""The README documents every command, and starts with the two set-up commands."""

from __future__ import annotations

import typer.main

from framelens.cli.app import app
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _command_paths(group, prefix=()):
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_every_command_is_documented_in_the_readme():
    root = typer.main.get_command(app)
    paths = list(_command_paths(root))
    assert len(paths) >= 13
    missing = [" ".join(p) for p in paths if f"framelens {' '.join(p)}" not in README
               and not (len(p) == 2 and f"framelens {p[0]} " in README and p[1] in README)]
    assert missing == []


def test_readme_opens_with_the_two_setup_commands():
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert block[0].endswith("framelens compare")
    assert block[1].endswith("python -m pytest")


def test_every_command_has_help_text():
    root = typer.main.get_command(app)
    for path in _command_paths(root):
        command = root
        for name in path:
            command = command.commands[name]
        assert command.help, path
