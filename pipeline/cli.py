"""`crawlsift` command line: `run` (WARC → Parquet) and `filter` (re-apply policy)."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from apache_beam.io.filesystems import FileSystems

from pipeline.config import ConfigError, load_config

EPILOG = """Any other flag is passed to Beam, e.g. --runner=DirectRunner
--direct_running_mode=multi_processing --direct_num_workers=2, or Dataflow's
--runner=DataflowRunner --project=... --region=... --temp_location=gs://...
The runner defaults to DirectRunner (named explicitly: Beam's default tries to
download the Prism binary first)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crawlsift", description=__doc__, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="WARC files → documents/, rejected/, report.json, report.html")
    run.add_argument("--input", nargs="+", required=True, metavar="GLOB",
                     help="WARC/ARC files or globs (local, gs://, s3://)")
    run.add_argument("--output", required=True, metavar="DIR")
    run.add_argument("--config", metavar="FILE.yaml", help="stage settings (see configs/default.yaml)")
    filt = sub.add_parser("filter", help="re-apply a changed policy/mixture to an existing output")
    filt.add_argument("--input", required=True, metavar="DIR", help="output folder of an earlier run")
    filt.add_argument("--output", required=True, metavar="DIR")
    filt.add_argument("--config", metavar="FILE.yaml")
    for p in (run, filt):
        p.add_argument("-q", "--quiet", action="store_true", help="only warnings and the summary")
    return parser


def _beam_args(extra: list[str]) -> list[str]:
    args = list(extra)
    if not any(a == "--runner" or a.startswith("--runner=") for a in args):
        args.append("--runner=DirectRunner")
    return args


def _check_inputs(patterns: list[str]) -> None:
    for pattern in patterns:
        if not FileSystems.match([pattern])[0].metadata_list:
            raise SystemExit(f"crawlsift: no file matches --input {pattern!r}")


def main(argv: list[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("apache_beam", "trafilatura", "presidio-analyzer", "htmldate", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"crawlsift: bad config: {exc}", file=sys.stderr)
        return 2
    if args.command == "run":
        from pipeline.run import run

        _check_inputs(args.input)
        report = run(args.input, args.output, config, _beam_args(extra))
    else:
        from pipeline.refilter import refilter

        report = refilter(args.input, args.output, config, _beam_args(extra))
    keys = ("records_read", "kept", "rejected", "skipped", "errors", "identity_holds")
    print(json.dumps({k: report[k] for k in keys}))
    print(f"crawlsift: wrote {args.output}/documents/ ({report['parquet']['documents_files']} shards), "
          f"{args.output}/rejected/, {args.output}/report.json, {args.output}/report.html")
    if not report["identity_holds"]:
        print("crawlsift: ACCOUNTING MISMATCH: records_read != kept + rejected + skipped + errors", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
