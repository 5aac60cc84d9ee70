"""The announced-deals register: files on disk, the rules every version passes, and edits.

`ingest/bundled/deals/README.md` explains how analysts edit it.
"""

from ingest.deals_register.files import (
    BUNDLE_NAME,
    DEALS_FILE,
    EVENTS_FILE,
    FILE_NAMES,
    LINKS_FILE,
    bundle,
    read_folder,
    read_path,
    unbundle,
)
from ingest.deals_register.problems import Problem, RegisterInvalid
from ingest.deals_register.rules import (
    DEAL_TYPES,
    STATUSES,
    PartialDate,
    Register,
    check,
    load,
    parse_partial_date,
)

__all__ = [
    "BUNDLE_NAME",
    "DEALS_FILE",
    "DEAL_TYPES",
    "EVENTS_FILE",
    "FILE_NAMES",
    "LINKS_FILE",
    "STATUSES",
    "PartialDate",
    "Problem",
    "Register",
    "RegisterInvalid",
    "bundle",
    "check",
    "load",
    "parse_partial_date",
    "read_folder",
    "read_path",
    "unbundle",
]
