"""Career typologies (Ranieri et al. 2018) as structured, checkable, exchangeable data.

* :func:`load_study` - the paper's counts, typologies, influences and recommendations
  (``data/careers/study.yaml``), schema-checked, every figure with its location.
* :func:`load_coreq` - the COREQ checklist with what the paper reports.
* :func:`typology_table`, :func:`clopper_pearson`, :func:`intention_test` - exact
  small-sample statistics (exploratory).
* :func:`study_codebook`, :func:`write_qdc`, :func:`read_qdc`, :func:`read_qdpx`,
  :func:`project_summary` - exchange with NVivo / ATLAS.ti / MAXQDA via REFI-QDA,
  with hardened parsing of untrusted files.
* :mod:`foresight.careers.figures` - flow, framework matrix and influence map.
"""

from foresight.careers.coding import (ProjectSummary, code_ids, demo_project, demo_qdpx_path,
                                      project_summary, study_codebook)
from foresight.careers.coreq import coreq_summary, load_coreq
from foresight.careers.refi import (Code, Limits, Project, code_guid, parse_qdc, read_qdc,
                                    read_qdpx, write_qdc, write_qdpx)
from foresight.careers.stats import (clopper_pearson, fisher_freeman_halton, intention_test,
                                     interval_ci, overall_stay, typology_table)
from foresight.careers.study import Study, load_study, parse_study

__all__ = [
    "Code", "Limits", "Project", "ProjectSummary", "Study", "clopper_pearson", "code_guid",
    "code_ids", "coreq_summary", "demo_project", "demo_qdpx_path", "fisher_freeman_halton", "intention_test",
    "interval_ci", "load_coreq", "load_study", "overall_stay", "parse_qdc", "parse_study",
    "project_summary", "read_qdc", "read_qdpx", "study_codebook", "typology_table",
    "write_qdc", "write_qdpx",
]
