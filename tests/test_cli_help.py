"""The command line speaks Vietnamese: argparse's own texts, every option's help, and its
errors (still exit code 2) (issue 9, item 9)."""

from __future__ import annotations

import argparse

import pytest

from vaxclean_xl.cli import build_parser, main

ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments",
           "show this help", "show program's", "error:", "required", "invalid choice",
           "unrecognized", "expected one argument")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.mark.parametrize("command", [None, *_commands()])
def test_help_of_every_command_is_vietnamese(capsys, command) -> None:
    code, out, _err = _run(capsys, [command, "--help"] if command else ["--help"])
    assert code == 0
    assert out.startswith("Cách dùng: vaxclean")
    assert "\nđối số:" in out or command in ("doctor", "install-excel", "build-addin",
                                                  "build-workbook", "bundle-windows", "demo")
    assert "\ntùy chọn:\n" in out
    assert "-h, --help" in out and "Hiện hướng dẫn này rồi thoát" in out
    for word in ENGLISH:
        assert word not in out, (command, word)


def _documented_alias(parser: argparse.ArgumentParser, action: argparse.Action) -> bool:
    """A hidden option that is an old spelling of a shown one: same destination, and the
    shown one's Vietnamese help names it."""
    return any(other is not action and other.dest == action.dest and other.help
               and other.help != argparse.SUPPRESS
               and all(s in other.help for s in action.option_strings)
               for other in parser._actions)


def test_every_option_has_a_vietnamese_help() -> None:
    missing = []
    for name, parser in _commands().items():
        for action in parser._actions:
            text = action.help
            if text == argparse.SUPPRESS and _documented_alias(parser, action):
                continue
            if not text or text == argparse.SUPPRESS or text.isascii():
                missing.append((name, action.option_strings or action.dest))
            if action.metavar is None and action.nargs != 0:  # named from the option
                usage = parser.format_usage()
                assert f" {action.dest.upper()}" not in usage, (name, action.dest)
                assert f"[{action.dest.upper()}" not in usage, (name, action.dest)
    assert missing == []


@pytest.mark.parametrize("argv, line", [
    (["split", "ds.xlsx"], "vaxclean split: lỗi: thiếu đối số bắt buộc: -d/--dir"),
    (["kiem-tra"], "vaxclean: lỗi: đối số LỆNH: lựa chọn không hợp lệ: 'kiem-tra' "
                   "(chọn một trong: 'validate', "),
    (["validate", "a.xlsx", "b.xlsx"], "vaxclean: lỗi: không hiểu các đối số: b.xlsx"),
    (["validate", "a.xlsx", "--sheet"], "vaxclean validate: lỗi: đối số --sheet: cần một giá "
                                        "trị"),
    (["sample", "x.xlsx", "--rows", "nhiều"], "vaxclean sample: lỗi: đối số --rows: giá trị "
                                              "không hợp lệ: 'nhiều'"),
    ([], "vaxclean: lỗi: thiếu đối số bắt buộc: LỆNH"),
])
def test_argument_errors_exit_2_with_a_vietnamese_line(capsys, argv, line) -> None:
    code, out, err = _run(capsys, argv)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("Cách dùng: vaxclean")
    assert lines[-1].startswith(line)
    for word in ENGLISH:
        assert word not in err, word


def test_other_parsers_in_the_process_stay_english(capsys) -> None:
    _run(capsys, ["split", "ds.xlsx"])
    plain = argparse.ArgumentParser(prog="khac")
    assert plain.format_help().startswith("usage: khac")
    assert "show this help message and exit" in plain.format_help()


def test_baseline_means_one_thing() -> None:
    """``--baseline`` is the validate JSON report of the ORIGINAL list wherever it is shown;
    edit-list's platform export (a list) is ``--original``, its old name still accepted."""
    from vaxclean_xl.cli import _BASELINE_HELP

    commands = _commands()
    shown = {name: a for name, p in commands.items() for a in p._actions
             if "--baseline" in a.option_strings and a.help != argparse.SUPPRESS}
    assert sorted(shown) == ["export-import", "police-list"]
    for action in shown.values():
        assert action.help.startswith(_BASELINE_HELP + ": ") and action.dest == "baseline"
    edit = commands["edit-list"]
    assert "--original" in edit.format_help() and "--baseline" not in edit.format_usage()
    for spelling in ("--original", "--baseline"):
        assert edit.parse_args(["ds.xlsx", spelling, "goc.xlsx"]).original == "goc.xlsx"


def test_list_options_mean_the_same_on_every_command_that_reads_a_list() -> None:
    """--sheet and --map on every command that reads a list, one help each; --settings
    wherever a command puts station data in what it writes."""
    commands = _commands()
    helps: dict[str, set[str]] = {}
    for name in ("validate", "split", "merge", "police-list", "export-import", "edit-list"):
        options = {s: a for a in commands[name]._actions for s in a.option_strings}
        for option in ("--sheet", "--map"):
            assert option in options, (name, option)
            helps.setdefault(option, set()).add(options[option].help)
        if name in ("split", "police-list", "export-import", "edit-list"):
            assert options["--settings"].help.startswith("Tệp cài đặt (.toml"), name
    assert {k: len(v) for k, v in helps.items()} == {"--sheet": 1, "--map": 1}
