"""The ``carejourneys`` command.

    carejourneys build [--site S]... [--all-councils] [--notebook N]... [--data-dir D] [--jobs J] [--force]
                       [--disclosure-threshold K] [--show-code] [--fresh-kernels]
    carejourneys validate [DATA_DIR | FILE [--source S] [--year Y]]
    carejourneys synth OUT_DIR [--seed N]
    carejourneys sites
    carejourneys manifest DATA_DIR [--origin real]
    carejourneys public DFE_DIR OUT_DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_sites(args: argparse.Namespace) -> int:
    from carejourneys import sites
    for s in sites.all_sites():
        print(f"{s.key:10} {s.name:10} LA {s.la_old_code}/{s.la_new_code}  {s.region:13} "
              f"{s.programme} {s.programme_start:%b %Y}-{s.programme_end:%b %Y}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from carejourneys.inputs.validate import print_report, validate_dataset, validate_file

    if args.data_dir is not None and Path(args.data_dir).is_file():
        problems = validate_file(args.data_dir, source=args.source, year=args.year)
    else:
        problems = validate_dataset(args.data_dir)
    print_report(problems, args.data_dir, stream=sys.stdout)
    return 1 if problems else 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from carejourneys.inputs.synthetic import generate

    files = generate(Path(args.out_dir), seed=args.seed)
    print(f"wrote {len(files)} files to {args.out_dir} (seed {args.seed})")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from carejourneys.publish.build import run

    sites = list(args.site or [])
    if args.all_councils:  # on top of the sites asked for, or of every site when none was
        from carejourneys import sites as registry
        from carejourneys.inputs.public import council_codes

        sites = (sites or [*registry.keys(), registry.ALL]) + council_codes()
    result = run(
        sites=sites or None,
        notebooks=args.notebook or None,
        data_dir=args.data_dir,
        jobs=args.jobs,
        force=args.force,
        outputs=args.outputs,
        disclosure_threshold=args.disclosure_threshold,
        show_code=args.show_code,
        fresh_kernels=args.fresh_kernels,
    )
    return 0 if result.ok else 1


def _cmd_manifest(args: argparse.Namespace) -> int:
    from carejourneys.inputs.manifest import write_folder_manifest

    path = write_folder_manifest(args.data_dir, args.origin, args.description)
    print(path)
    return 0


def _cmd_public(args: argparse.Namespace) -> int:
    from carejourneys.inputs.public import build_extract

    files = build_extract(Path(args.dfe_dir), Path(args.out_dir))
    print(f"wrote {len(files)} files to {args.out_dir}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="carejourneys", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="run the report notebooks per site and publish HTML")
    b.add_argument("--site", action="append", help="site key (repeatable; default: every site)")
    b.add_argument("--all-councils", action="store_true",
                   help="also every council of the official files (the reports that accept any council code)")
    b.add_argument("--notebook", action="append", help="notebook name, e.g. 00_evidence_base (repeatable)")
    b.add_argument("--data-dir", default=None, help="dataset folder (default: $CAREJOURNEYS_DATA or bundled)")
    b.add_argument("--jobs", type=int, default=None, help="reports built at once (default: CPU cores)")
    b.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    b.add_argument("--outputs", default=None, help="output folder (default: outputs/)")
    b.add_argument("--disclosure-threshold", type=int, default=5,
                   help="smallest count of people shown (default 5); smaller counts appear as c")
    b.add_argument("--show-code", action="store_true", help="show the notebooks' code in the HTML")
    b.add_argument("--fresh-kernels", action="store_true",
                   help="start a new kernel for every report (default: each job keeps its kernel and "
                        "resets it between reports; the pages are the same, only slower)")
    b.set_defaults(func=_cmd_build)

    v = sub.add_parser("validate", help="check every file of a dataset (or one file) and list every problem")
    v.add_argument("data_dir", nargs="?", default=None, metavar="DATA_DIR_OR_FILE")
    v.add_argument("--source", default=None,
                   help="for one file: the source it holds (default: from its name)")
    v.add_argument("--year", type=int, default=None, help="for one OC3 return: its collection year")
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("synth", help="write the synthetic replica")
    s.add_argument("out_dir")
    s.add_argument("--seed", type=int, default=2024)
    s.set_defaults(func=_cmd_synth)

    si = sub.add_parser("sites", help="list the partnership sites")
    si.set_defaults(func=_cmd_sites)

    m = sub.add_parser("manifest", help="write manifest.yml (sha256 per file) for a dataset folder")
    m.add_argument("data_dir")
    m.add_argument("--origin", default="real", choices=["real", "synthetic", "public"])
    m.add_argument("--description", default="")
    m.set_defaults(func=_cmd_manifest)

    pu = sub.add_parser("public", help="make the public-statistics extract from the official DfE files")
    pu.add_argument("dfe_dir")
    pu.add_argument("out_dir")
    pu.set_defaults(func=_cmd_public)
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    from carejourneys.errors import BuildError, DataError

    try:
        return args.func(args)
    except (DataError, BuildError) as e:
        print(f"carejourneys: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head or less that was closed early
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        print("carejourneys: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
