"""The command line's parser: a mistake in one line, naming the option or command meant.

Every user error of the `twin` command is one line (`twin: error: ...`, exit status 2); argparse's
own errors are made the same here, with the closest valid name for a typo and, for mistakes a new
user makes often, the command meant (`twin run a.toml b.toml` is a comparison).
"""

from __future__ import annotations

import argparse
import re

from twin.arguments import posterior_file
from twin.errors import closest, did_you_mean


class Parser(argparse.ArgumentParser):
    """Command-line mistakes in one line, like every other user error (no usage block). Options are
    spelt whole: an abbreviation (`--rep` for `--reps`) is refused with the option meant, not taken
    silently (a script abbreviating one would change meaning when a new option shares its start).
    `argv` (set by `cli.main`) is the command line, for the hints."""

    argv: list[str] = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def _get_values(self, action, arg_strings):
        """A value given empty (an unset variable in a script: `--register "$REG"`) is refused, as it
        would otherwise be taken as no value at all and the default run without a word."""
        if not isinstance(action, argparse._SubParsersAction) and action.type in (None, str, posterior_file) and any(
                not isinstance(text, str) or not text.strip() for text in arg_strings):
            named = "/".join(action.option_strings) or action.dest
            what = ("a file or folder name" if not action.option_strings else
                    f"a value such as {action.metavar}" if action.metavar else "a value")
            self.error(f"{named}: an empty value (an unset variable in a script?); expected {what}")
        return super()._get_values(action, arg_strings)

    def error(self, message: str):
        hint, prog = "", self.prog
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        unknown = re.search(r"unrecognized arguments: (\S+)", message)
        if choice:
            hint = did_you_mean(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)))
            if self.prog == "twin" and closest(choice.group(1), ["version"], cutoff=0.8):
                hint = "; did you mean 'twin --version'?"
        elif unknown:  # raised by the top parser: suggest among the chosen command's options only
            parser, chosen = self, None
            for sub in (a for a in self._actions if isinstance(a, argparse._SubParsersAction)):
                chosen = next((t for t in self.argv if t in sub.choices), None)
                if chosen:
                    parser, prog = sub.choices[chosen], sub.choices[chosen].prog
            hint = _unknown_hint(unknown.group(1), parser, prog, chosen, self.argv)
        self.exit(2, f"{self.prog}: error: {message}{hint} (see '{prog} --help')\n")


def _unknown_hint(token: str, parser: argparse.ArgumentParser, prog: str, command: str | None,
                  argv: list[str]) -> str:
    """What the user may have meant by `token`, an argument `command` (None: no command) does not take."""
    options = [o for action in parser._actions for o in action.option_strings]
    if token in options:
        return ""
    if command == "run" and token.endswith(".toml"):  # a second scenario: `twin run a.toml b.toml`
        scenarios = [t for t in argv[argv.index("run") + 1:] if t.endswith(".toml")]
        return (f"; `twin run` runs one scenario; to compare scenarios run `twin compare {' '.join(scenarios)}` "
                f"(the first is the baseline)") if len(scenarios) > 1 else ""
    if token.startswith("--register"):  # only `twin run` takes it
        return (f"; {prog} reads a register named in the scenario (`register = \"FILE.csv\"` in its [scenario] "
                f"table); `twin run` also takes --register")
    if command == "sweep" and token.split("=")[0] in ("--years", "--reps"):  # the file's, as its design is
        return (f"; a sweep's horizon and replications are its experiment file's (`{token.split('=')[0][2:]} = ...` "
                f"in its [experiment] table), so that `twin analyse` reads the sweep the file describes")
    match = closest(token.lstrip("-"), [o.lstrip("-") for o in options])  # without dashes: '--db' is not '--seed'
    return f"; did you mean '--{match}'?" if match else ""
