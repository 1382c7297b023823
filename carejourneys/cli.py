"""The ``carejourneys`` command: build the reports, check data and pages, and the small tools around them.

Run ``carejourneys --help`` (or ``python -m carejourneys --help``) for the subcommands, examples and
exit codes; :class:`Exit` lists the exit codes.
"""

from __future__ import annotations

import argparse
import enum
import sys
import textwrap
from pathlib import Path
from typing import Any

from carejourneys import __version__, config, sites
from carejourneys.errors import BuildError, DataError, WriteError


class Exit(enum.IntEnum):
    """What the command's exit status means (the same table is in ``--help`` and the README)."""

    OK = 0  #: done
    PROBLEMS = 1  #: it ran and found problems (validate, check)
    USAGE = 2  #: the command was wrong: unknown option, site or notebook; nothing was run
    DATA = 3  #: the data are wrong or unreadable (file, row and column named)
    BUILD = 4  #: a report failed to build, or its pages could not be written
    INTERRUPTED = 130  #: stopped by Ctrl-C


EXIT_CODES = """\
exit codes:
  0  done
  1  problems found (validate: problems in the data; check: findings in the pages)
  2  usage error: unknown option, site or notebook, unusable outputs folder, or nothing to
     build; nothing was run
  3  data error: a data file is missing, unreadable or wrong (file, row and column are named)
  4  build failure: a report failed (its page shows the error) or files could not be written
     (a full disk, no permission)
  130 interrupted (Ctrl-C)"""


def _valid_sites() -> str:
    return ", ".join([*sites.keys(), sites.ALL])


def _description() -> str:
    return textwrap.dedent(f"""\
        Reproducible per-site reports of the Care Journeys evaluation: runs the report notebooks
        for each site, checks every page for disclosure risks, and publishes HTML (outputs/index.html).

        sites: {_valid_sites()}, or a council code such as 330 or E08000025 (for the
        care leaver indicators report); `carejourneys sites` describes them.""")


def _epilog() -> str:
    return textwrap.dedent("""\
        examples:
          carejourneys build                                   every report for every site
          carejourneys build --site plymouth --notebook 01_young_people_outcomes
          carejourneys build --site 330 --notebook 04_care_leaver_indicators
          carejourneys validate /secure/carejourneys           every problem in your own data
          carejourneys manifest /secure/carejourneys           record the files after editing them
          carejourneys check outputs                           re-check the published pages
          carejourneys remove 330                              take a council's pages off the site

        settings (environment variables; an option always wins):
          CAREJOURNEYS_DATA (evaluation data), CAREJOURNEYS_PUBLIC (public statistics),
          CAREJOURNEYS_NOTEBOOKS, CAREJOURNEYS_OUTPUTS, CAREJOURNEYS_WORK (private working
          folder), CAREJOURNEYS_POLICY (disclosure policy file); see README.md.

        """) + EXIT_CODES


def _say(text: str = "", *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


# --------------------------------------------------------------------------- subcommands


def _cmd_sites(args: argparse.Namespace) -> int:
    for s in sites.all_sites():
        _say(f"{s.key:10} {s.name:10} LA {s.la_old_code}/{s.la_new_code}  {s.region:13} "
             f"{s.programme} {s.programme_start:%b %Y}-{s.programme_end:%b %Y}")
    return Exit.OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from carejourneys.inputs.validate import print_report, validate_dataset, validate_file

    if args.data_dir is not None and Path(args.data_dir).is_file():
        problems = validate_file(args.data_dir, source=args.source, year=args.year)
    else:
        problems = validate_dataset(args.data_dir)
    print_report(problems, args.data_dir, stream=sys.stdout)
    return Exit.PROBLEMS if problems else Exit.OK


def _cmd_synth(args: argparse.Namespace) -> int:
    from carejourneys.inputs.synthetic import generate

    files = generate(Path(args.out_dir), seed=args.seed)
    _say(f"wrote {len(files)} files to {args.out_dir} (seed {args.seed})")
    return Exit.OK


def _nothing_to_build(asked_sites: list[str], asked_notebooks: list[str] | None) -> str:
    """Why a build request gave no report: which sites each notebook asked for is made for."""
    from carejourneys.publish.build import find_notebooks, read_notebook_info

    folder = config.notebooks_dir()
    paths = find_notebooks(folder, asked_notebooks)
    if not paths:
        return f"nothing to build: there are no report notebooks in {folder}"
    lines = [f"nothing to build: no notebook asked for is made for {', '.join(asked_sites)}."]
    for p in paths:
        try:
            info = read_notebook_info(p)
        except BuildError as e:
            lines.append(f"  {p.stem}: cannot be read ({e})")
            continue
        made_for = ", ".join(info.sites) + (", or any council code" if info.any_la else "")
        lines.append(f"  {info.name} is made for {made_for}")
    return "\n".join(lines)


def _threshold(given: int | None) -> int:
    """The threshold given on the command line, else the disclosure policy file's."""
    from carejourneys.sdc import policy

    return given if given is not None else policy.load().threshold


def _cmd_build(args: argparse.Namespace) -> int:
    from carejourneys.publish import build

    asked = list(args.site or [])
    if args.all_councils:  # on top of the sites asked for, or of every site when none was
        from carejourneys.inputs.public import council_codes

        asked = (asked or [*sites.keys(), sites.ALL]) + council_codes()
    try:
        result = build.run(
            sites=asked or None,
            notebooks=args.notebook or None,
            data_dir=args.data_dir,
            jobs=args.jobs,
            force=args.force,
            outputs=args.outputs,
            disclosure_threshold=_threshold(args.disclosure_threshold),
            show_code=args.show_code,
            fresh_kernels=args.fresh_kernels,
            pdf=args.pdf,
        )
    except WriteError:  # a full disk, a folder without permission: the build failed (exit 4, in main)
        raise
    except BuildError as e:  # a bad request (site, notebook, folder, nothing to build) refused before it ran
        _say(f"carejourneys: {e}", err=True)
        return Exit.USAGE
    if not result.reports:
        _say(_nothing_to_build(asked or [sites.ALL], args.notebook), err=True)
        return Exit.USAGE
    if all(r.status == build.REUSED for r in result.reports):
        _say(f"nothing to do: the inputs of all {len(result.reports)} report(s) are unchanged since they "
             "were built (--force rebuilds them)", err=True)
    return Exit.OK if result.ok else Exit.BUILD


def _cmd_manifest(args: argparse.Namespace) -> int:
    from carejourneys.inputs.manifest import write_folder_manifest

    _say(str(write_folder_manifest(args.data_dir, args.origin, args.description)))
    return Exit.OK


def _cmd_public(args: argparse.Namespace) -> int:
    from carejourneys.inputs.public import build_extract

    files = build_extract(Path(args.dfe_dir), Path(args.out_dir))
    _say(f"wrote {len(files)} files to {args.out_dir}")
    return Exit.OK


def _cmd_check(args: argparse.Namespace) -> int:
    from carejourneys.sdc.checker import check_outputs

    folder = Path(args.outputs)
    if not folder.is_dir():
        _say(f"carejourneys: {folder}: no such folder of pages (give a build's outputs folder)", err=True)
        return Exit.USAGE
    findings = check_outputs(folder, data_dir=config.data_dir(args.data_dir),
                             threshold=_threshold(args.threshold))
    for f in findings:
        _say(str(f))
    pages = sum(1 for _ in folder.rglob("*.html"))
    _say(f"{pages} page(s) checked, {len(findings)} finding(s)")
    return Exit.PROBLEMS if findings else Exit.OK


def _cmd_remove(args: argparse.Namespace) -> int:
    from carejourneys.publish.build import remove_site

    try:
        removed = remove_site(args.site, outputs=args.outputs)
    except WriteError:
        raise
    except BuildError as e:  # not a site key or council code
        _say(f"carejourneys: {e}", err=True)
        return Exit.USAGE
    if not removed:
        _say(f"no pages of {args.site} in {config.outputs_dir(args.outputs)}; nothing removed")
    else:
        _say(f"removed {len(removed)} file(s) of {args.site}; the index no longer lists it")
    return Exit.OK


# --------------------------------------------------------------------------- parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks; wraps option help as usual."""


def _sub(sub: Any, name: str, help: str, epilog: str = "") -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                          epilog=textwrap.dedent(epilog) or None, formatter_class=_Formatter)


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="carejourneys", description=_description(), epilog=_epilog(),
                                formatter_class=_Formatter)
    p.add_argument("--version", action="version", version=f"carejourneys {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           title="commands (carejourneys COMMAND --help for more)")

    b = _sub(sub, "build", "run the report notebooks for each site and publish the HTML pages", """\
        examples:
          carejourneys build
          carejourneys build --site brent --site plymouth --notebook 00_evidence_base
          carejourneys build --site E08000025 --notebook 04_care_leaver_indicators
          carejourneys build --all-councils --jobs 2

        Reports whose inputs have not changed are reused (--force rebuilds them).

        """)
    b.epilog += EXIT_CODES
    b.add_argument("--site", action="append", metavar="SITE",
                   help=f"a site ({_valid_sites()}) or a council code such as 330 or E08000025; "
                        "repeatable (default: every site of each notebook)")
    b.add_argument("--all-councils", action="store_true",
                   help="also every council of the official files (the reports that accept any council code)")
    b.add_argument("--notebook", action="append", metavar="NAME",
                   help="a report notebook, e.g. 00_evidence_base; repeatable (default: every notebook)")
    b.add_argument("--data-dir", default=None, metavar="DIR",
                   help="dataset folder (default: $CAREJOURNEYS_DATA, else the bundled synthetic replica)")
    b.add_argument("--jobs", type=int, default=None, help="reports built at once (default: CPU cores)")
    b.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    b.add_argument("--outputs", default=None, metavar="DIR",
                   help="folder of the published pages (default: $CAREJOURNEYS_OUTPUTS, else outputs/)")
    b.add_argument("--disclosure-threshold", type=int, default=None, metavar="K",
                   help="smallest count of people shown; smaller counts appear as c (default: the "
                        "disclosure policy's, 5 unless $CAREJOURNEYS_POLICY says otherwise)")
    b.add_argument("--show-code", action="store_true", help="show the notebooks' code in the HTML")
    b.add_argument("--fresh-kernels", action="store_true",
                   help="start a new kernel for every report (default: each job keeps its kernel and "
                        "resets it between reports; the pages are the same, only slower)")
    b.add_argument("--pdf", action="store_true",
                   help="also write <report>.pdf beside each page (A4, with headless Chromium)")
    b.set_defaults(func=_cmd_build)

    v = _sub(sub, "validate", "check every file of a dataset, or one file, and list every problem", """\
        examples:
          carejourneys validate                          the dataset in use ($CAREJOURNEYS_DATA or bundled)
          carejourneys validate /secure/carejourneys
          carejourneys validate /secure/carejourneys/oc3_2023.csv

        exit codes: 0 no problems, 1 problems listed (a missing folder or file is one).""")
    v.add_argument("data_dir", nargs="?", default=None, metavar="DATA_DIR_OR_FILE",
                   help="a dataset folder (default: $CAREJOURNEYS_DATA, else the bundled replica) or one "
                        "file of it: a source of the data contract, an OC3 return or a REFI-QDA project")
    v.add_argument("--source", default=None,
                   help="for one file: the source it holds (default: from its name)")
    v.add_argument("--year", type=int, default=None, help="for one OC3 return: its collection year")
    v.set_defaults(func=_cmd_validate)

    c = _sub(sub, "check", "check built pages for identifiers, small counts and row-level tables", """\
        The same checks the build runs before publishing a page, for pages already built or
        edited by hand.

        examples:
          carejourneys check outputs
          carejourneys check outputs --data-dir /secure/carejourneys

        exit codes: 0 nothing found, 1 findings listed, 2 no such folder.""")
    c.add_argument("outputs", metavar="OUTPUTS", help="folder of built HTML pages, e.g. outputs")
    c.add_argument("--data-dir", default=None, metavar="DIR",
                   help="the dataset the pages were built from, whose identifiers are looked for "
                        "(default: $CAREJOURNEYS_DATA, else the bundled replica)")
    c.add_argument("--threshold", type=int, default=None, metavar="K",
                   help="disclosure threshold the pages were built with (default: the disclosure policy's)")
    c.set_defaults(func=_cmd_check)

    r = _sub(sub, "remove", "remove a site's pages from the published site and its index", """\
        examples:
          carejourneys remove 330
          carejourneys remove brent --outputs /tmp/site""")
    r.add_argument("site", metavar="SITE", help="the site or council code whose pages go")
    r.add_argument("--outputs", default=None, metavar="DIR",
                   help="folder of the published pages (default: $CAREJOURNEYS_OUTPUTS, else outputs/)")
    r.set_defaults(func=_cmd_remove)

    m = _sub(sub, "manifest", "write manifest.yml (sha256 of every file) for a dataset folder", """\
        Run it on your own data folder once it is complete, and again after you change a file
        on purpose: every load checks the files against it.

        example:
          carejourneys manifest /secure/carejourneys""")
    m.add_argument("data_dir", metavar="DATA_DIR", help="the dataset folder to describe")
    m.add_argument("--origin", default="real", choices=["real", "synthetic", "public"],
                   help="where the data come from (default: real)")
    m.add_argument("--description", default="", help="one line saying what the dataset is")
    m.set_defaults(func=_cmd_manifest)

    s = _sub(sub, "synth", "write the synthetic replica (the demonstration data)", """\
        example:
          carejourneys synth /tmp/replica --seed 2024""")
    s.add_argument("out_dir", metavar="OUT_DIR", help="folder to write the replica to")
    s.add_argument("--seed", type=int, default=2024, help="random seed (default 2024, the bundled replica)")
    s.set_defaults(func=_cmd_synth)

    si = _sub(sub, "sites", "list the partnership sites")
    si.set_defaults(func=_cmd_sites)

    pu = _sub(sub, "public", "make the public-statistics extract from the official DfE files", """\
        example:
          carejourneys public ../shared/public-data/dfe data/public""")
    pu.add_argument("dfe_dir", metavar="DFE_DIR", help="folder of the official DfE files")
    pu.add_argument("out_dir", metavar="OUT_DIR", help="folder to write the extract to, e.g. data/public")
    pu.set_defaults(func=_cmd_public)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns its exit status (see :class:`Exit`)."""
    args = make_parser().parse_args(argv)  # a usage error exits with 2 here
    try:
        return int(args.func(args))
    except DataError as e:
        _say(f"carejourneys: {e}", err=True)
        return Exit.DATA
    except BuildError as e:
        _say(f"carejourneys: {e}", err=True)
        return Exit.BUILD
    except BrokenPipeError:  # output piped into head or less that was closed early
        sys.stderr.close()
        return Exit.PROBLEMS
    except OSError as e:  # a full disk, a folder that cannot be written
        where = f"{e.filename}: " if e.filename else ""
        _say(f"carejourneys: {where}{e.strerror or e}", err=True)
        return Exit.BUILD
    except KeyboardInterrupt:
        _say("carejourneys: interrupted", err=True)
        return Exit.INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
