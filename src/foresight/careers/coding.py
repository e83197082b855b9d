"""From the study data to a codebook, and from coded transcripts back to summaries.

* :func:`study_codebook` turns ``data/careers/study.yaml`` into a REFI-QDA codebook:
  the four typologies, the post-PhD intentions and the influences grouped by
  framework system, each with a deterministic GUID (:func:`foresight.careers.refi.code_guid`)
  so that a codebook exported twice is byte-identical and codings made in NVivo,
  ATLAS.ti or MAXQDA can be mapped back to the study's ids.
* :func:`project_summary` computes, from a coded project (:func:`read_qdpx`), the same
  typology table (size, stayers, leavers, undetermined) and influence x typology table
  that the study data give, so a researcher coding their own interviews with this
  codebook gets directly comparable summaries.
* :func:`demo_project` builds the small **synthetic** project shipped as
  ``data/careers/fixture/demo.qdpx`` (see ``python -m foresight.careers.fixture``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.careers.refi import Case, Code, Project, Selection, code_guid
from foresight.careers.study import ACROSS, Study
from foresight.errors import DataError
from foresight.plotting import PALETTE
from foresight.results import summary_text

__all__ = ["demo_qdpx_path", "study_codebook", "code_ids", "project_summary", "ProjectSummary", "demo_project",
           "SYSTEM_COLOURS", "DIRECTION_COLOURS"]

#: Colour per framework system (Okabe-Ito), used in codebooks and figures.
SYSTEM_COLOURS = {"intrapersonal": PALETTE[0], "contextual": PALETTE[2],
                  "uncontrollable": PALETTE[3]}
#: Colour per direction of an influence.
DIRECTION_COLOURS = {"towards": PALETTE[0], "away": PALETTE[1], "mixed": "#777777"}

_GROUPS = {"typology": "Reason for the PhD (typology)", "intention": "Post-PhD intention",
           "influence": "Influences on the post-PhD decision"}


def demo_qdpx_path():
    """Path of the shipped synthetic project, ``data/careers/fixture/demo.qdpx``."""
    from foresight.data import data_dir

    return data_dir() / "careers" / "fixture" / "demo.qdpx"


def study_codebook(study: Study) -> list[Code]:
    """The study's codebook, parents before children.

    Layout: three non-codable groups (typology, intention, influences); under
    influences one non-codable code per framework system; under each system its
    influences. Codable names are ``"<id> <label>"`` for typologies and the label for
    the rest; descriptions give the paper location(s).
    """
    codes: list[Code] = []
    grp = {k: code_guid(f"group:{k}") for k in _GROUPS}
    codes.append(Code(grp["typology"], _GROUPS["typology"], False, None,
                      "Why the participant undertook the PhD; one per participant."))
    for _, t in study.typologies.iterrows():
        codes.append(Code(code_guid(t["id"]), f"{t['id']} {t['short']}", True, None,
                          f"{t['reason']} [{t['size_location']}]", grp["typology"]))
    codes.append(Code(grp["intention"], _GROUPS["intention"], False, None,
                      "What the participant planned after the PhD; at most one per participant."))
    for it in study.raw["intentions"]:
        codes.append(Code(code_guid(it["id"]), it["label"], True, None, None, grp["intention"]))
    codes.append(Code(grp["influence"], _GROUPS["influence"], False, None,
                      "Influences classified by Patton and McMahon's systems theory framework."))
    inf = study.influences
    for s in study.raw["framework_systems"]:
        sg = code_guid(f"system:{s['id']}")
        codes.append(Code(sg, s["label"], False, SYSTEM_COLOURS[s["id"]], s["meaning"],
                          grp["influence"]))
        for _, row in inf[inf["system"] == s["id"]].iterrows():
            m = study.mentions[study.mentions["influence"] == row["id"]]
            where = "; ".join(f"{a} ({b}): {c}" for a, b, c in
                              m[["typology", "direction", "locations"]].itertuples(index=False))
            codes.append(Code(code_guid(row["id"]), row["label"], True, SYSTEM_COLOURS[s["id"]],
                              f"System {row['system']} ({row['system_basis']}). Reported: {where}",
                              sg))
    return codes


def code_ids(study: Study) -> dict[str, tuple[str, str]]:
    """GUID → ``(kind, study id)`` for every codable code of :func:`study_codebook`."""
    out = {code_guid(t): ("typology", t) for t in study.typology_ids}
    out |= {code_guid(i["id"]): ("intention", i["id"]) for i in study.raw["intentions"]}
    out |= {code_guid(i): ("influence", i) for i in study.influences["id"]}
    return out


class ProjectSummary:
    """Summaries of a coded project in the study's terms.

    Attributes
    ----------
    cases
        One row per case: ``case, typology, intention`` (``undetermined`` when no
        intention code is attached).
    typologies
        Per typology: ``size, stay, leave, undetermined, stay_low, stay_high``
        (``stay_low = stay``, ``stay_high = stay + undetermined``), comparable with
        :attr:`Study.typologies`.
    influences
        Cases per influence (rows, study ids) and typology (columns).
    unmapped
        Codes applied in the project that are not in the study codebook (a researcher's
        own additions), with the number of cases they were applied to.
    """

    def __init__(self, cases, typologies, influences, unmapped):
        self.cases, self.typologies = cases, typologies
        self.influences, self.unmapped = influences, unmapped

    def to_frame(self) -> pd.DataFrame:
        """The typology summary, tidy: ``typology, size, stay, leave, undetermined,
        stay_low, stay_high``, one row per typology."""
        return self.typologies.rename_axis("typology").reset_index()

    def summary(self) -> str:
        """Cases, typologies, intentions coded and codes outside the study codebook."""
        t = self.typologies
        return summary_text(
            f"Coded project: {len(self.cases):,} cases in {len(t)} typologies",
            {"intending to stay": int(t["stay"].sum()), "intending to leave": int(t["leave"].sum()),
             "without an intention code": int(t["undetermined"].sum()),
             "influences coded": len(self.influences),
             "codes outside the study codebook": len(self.unmapped)},
        )


def project_summary(project: Project, study: Study) -> ProjectSummary:
    """Typology and influence summaries computed from a coded REFI-QDA project.

    Codes are matched to the study by GUID (as exported by :func:`study_codebook`) and,
    failing that, by exact name, so a codebook whose GUIDs were regenerated by the
    importing software still maps.

    Raises
    ------
    DataError
        If a case has no typology code or more than one, or more than one intention code
        (naming the case).
    """
    ids = code_ids(study)
    by_name = {c.name: ids[c.guid] for c in study_codebook(study) if c.guid in ids}
    names = {c.guid: c.name for c in project.codes}
    cc = project.case_codes()
    kind_id = [ids.get(g) or by_name.get(names.get(g, "")) for g in cc["code"]]
    cc["kind"] = [k[0] if k else "unmapped" for k in kind_id]
    cc["sid"] = [k[1] if k else names.get(g, g) for k, g in zip(kind_id, cc["code"])]
    case_frame = pd.DataFrame([(c.guid, c.name) for c in project.cases],
                              columns=["guid", "case"]).set_index("guid")
    for kind, allowed in (("typology", (1, 1)), ("intention", (0, 1))):
        n = (cc[cc["kind"] == kind].groupby("case")["sid"].nunique()
             .reindex(case_frame.index, fill_value=0))
        bad = n[(n < allowed[0]) | (n > allowed[1])]
        if len(bad):
            many = "exactly one" if allowed[0] == 1 else "at most one"
            raise DataError(f"case has {int(bad.iloc[0])} {kind} codes", file=project.label,
                            row=case_frame.loc[bad.index[0], "case"], row_label="case",
                            column="CodeRef", expected=f"{many} {kind} code per case")
    first = lambda kind: (cc[cc["kind"] == kind].drop_duplicates("case")  # noqa: E731
                          .set_index("case")["sid"].reindex(case_frame.index))
    case_frame["typology"] = first("typology")
    case_frame["intention"] = first("intention").fillna("undetermined")
    cases = case_frame.reset_index(drop=True)[["case", "typology", "intention"]]
    order = study.typology_ids
    tab = pd.crosstab(pd.Categorical(cases["typology"], categories=order),
                      pd.Categorical(cases["intention"],
                                     categories=["stay", "leave", "undetermined"]),
                      dropna=False)
    tab.index.name, tab.columns.name = "typology", None
    typ = pd.DataFrame({"size": tab.sum(axis=1), "stay": tab["stay"], "leave": tab["leave"],
                        "undetermined": tab["undetermined"]})
    typ["stay_low"], typ["stay_high"] = typ["stay"], typ["stay"] + typ["undetermined"]
    infl = cc[cc["kind"] == "influence"].merge(case_frame[["typology"]], left_on="case",
                                               right_index=True)
    inf_tab = pd.crosstab(pd.Categorical(infl["sid"], categories=list(study.influences["id"])),
                          pd.Categorical(infl["typology"], categories=order), dropna=False)
    inf_tab.index.name, inf_tab.columns.name = "influence", "typology"
    un = cc[cc["kind"] == "unmapped"].groupby("sid")["case"].nunique().rename("cases")
    return ProjectSummary(cases, typ.astype(int), inf_tab.astype(int), un.reset_index())


def demo_project(study: Study, seed: int = 20180101):
    """A **synthetic** coded project consistent with what the paper determines.

    One case and one short placeholder text per participant (35). Intentions: in each
    typology ``stay_low`` cases are coded *stay*, ``size - stay_high`` *leave*, and the
    rest are left without an intention code (the text does not determine them). Every
    influence reported for a typology is coded in at least one of its cases; influences
    reported across groups are coded once in every typology. Which case gets which
    influence is drawn with a fixed seed: the texts are placeholders, not transcripts.

    Returns
    -------
    (codes, cases, texts, selections)
        Arguments for :func:`foresight.careers.refi.write_qdpx`.
    """
    rng = np.random.default_rng(seed)
    codes = study_codebook(study)
    m = study.mentions
    cases, texts, sels = [], {}, []
    n = 0
    for _, t in study.typologies.iterrows():
        size = int(t["size"])
        intents = (["stay"] * int(t["stay_low"]) + ["leave"] * (size - int(t["stay_high"]))
                   + [None] * (int(t["stay_high"]) - int(t["stay_low"])))
        infl = list(dict.fromkeys(m.loc[m["typology"].isin([t["id"], ACROSS]), "influence"]))
        who = rng.integers(0, size, len(infl))
        for k in range(size):
            n += 1
            name = f"P{n:02d}"
            src = code_guid(f"demo-source:{name}")
            text = (f"{name} (synthetic placeholder, not an interview transcript). "
                    f"Reason for the PhD: {t['short']}. ")
            mine: list[tuple[int, int, str]] = []
            if intents[k] is not None:
                s = f"After the PhD: {intents[k]}. "
                mine.append((len(text), len(text) + len(s.rstrip()), code_guid(intents[k])))
                text += s
            for inf_id in [i for i, w in zip(infl, who) if w == k]:
                s = f"Talks about: {study.influences.loc[inf_id, 'label']}. "
                mine.append((len(text), len(text) + len(s.rstrip()), code_guid(inf_id)))
                text += s
            texts[src] = (f"{name} placeholder", text)
            sels += [Selection(code_guid(f"demo-sel:{name}:{j}"), src, a, b, (c,))
                     for j, (a, b, c) in enumerate(mine)]
            cases.append(Case(code_guid(f"demo-case:{name}"), name, (code_guid(t["id"]),), (src,)))
    return codes, cases, texts, sels
