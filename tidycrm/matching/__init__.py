"""Record matching: comparisons, a Fellegi-Sunter model trained unsupervised, blocking and
clustering. Pure: no Django."""

from tidycrm.matching.blocking import company_blocking_keys, person_blocking_keys
from tidycrm.matching.features import Table
from tidycrm.matching.model import (
    AUTO_MERGE_THRESHOLD,
    DEFAULT_THRESHOLD,
    CompanyModel,
    Evidence,
    Match,
    PersonModel,
)
from tidycrm.matching.records import CompanyRecord, PersonRecord
from tidycrm.matching.scan import cluster, scan_companies, scan_people

__all__ = [
    "AUTO_MERGE_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "CompanyModel",
    "CompanyRecord",
    "Evidence",
    "Match",
    "PersonModel",
    "PersonRecord",
    "Table",
    "cluster",
    "company_blocking_keys",
    "person_blocking_keys",
    "scan_companies",
    "scan_people",
]
