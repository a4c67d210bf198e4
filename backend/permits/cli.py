"""`tezuo permit …`: grade a request read as JSON on stdin (more subcommands join here)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import msgspec

from backend.config import Settings


def register(sub: Any) -> None:
    """Add the `permit` subcommand to the `tezuo` parser's subparsers."""
    permit = sub.add_parser("permit", help="permits to work (GB 30871-2022)").add_subparsers(
        dest="permit_command", required=True
    )
    grade = permit.add_parser(
        "grade",
        help="grade a permit request read as JSON on stdin",
        description="Reads {work_type, hazard_class, …facts} on stdin and prints the grade, the clauses "
        "that decided it, validity, approval steps, gas requirements and required certificates.",
    )
    grade.add_argument("--compact", action="store_true", help="one line of JSON")
    grade.set_defaults(func=grade_stdin)


def grade_stdin(args: argparse.Namespace, settings: Settings) -> int:
    from backend.core.errors import DomainError
    from backend.permits.catalogue import policy
    from backend.permits.grading import GradeRequest, grade

    try:
        request = msgspec.json.decode(sys.stdin.buffer.read(), type=GradeRequest)
        result = grade(request, policy(settings.data_dir))
    except msgspec.ValidationError as exc:
        print(f"错误 invalid request: {exc}", file=sys.stderr)
        return 2
    except msgspec.DecodeError as exc:
        print(f"错误 not JSON: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"错误 [{exc.code}]: {exc.detail}", file=sys.stderr)
        return 2
    out = msgspec.json.encode(result)
    if not args.compact:
        out = msgspec.json.format(out, indent=2)
    sys.stdout.write(out.decode() + "\n")
    return 0
