"""Study data: values from the paper, and schema checks that fail on crafted bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from foresight import DataError
from foresight.careers import load_study, parse_study
from foresight.careers.study import format_location

ROOT = Path(__file__).resolve().parents[2]
STUDY_TEXT = (ROOT / "data" / "careers" / "study.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def study():
    return load_study()


def test_counts_are_the_papers(study):
    # Method > Participants and Results paragraph 1 of Ranieri et al. (2018)
    assert study.total == 35
    p = study.participants.set_index("category")["count"]
    assert (p["men"], p["women"], p["current_student"], p["submitted_thesis"]) == (21, 14, 23, 12)
    t = study.typologies
    assert t["size"].tolist() == [5, 15, 11, 4]
    assert t["stay_low"].tolist() == [5, 7, 6, 2]
    assert t["stay_high"].tolist() == [5, 7, 8, 2]
    # the only interval-valued count is the 11-person group, with its ambiguity explained
    assert t["determined"].tolist() == [True, True, False, True]
    assert "other participants" in t.loc["T3", "reading"]


def test_every_figure_has_a_location(study):
    assert study.participants["location"].str.match(r"^[a-z0-9-]+ ¶\d+ s\d+$").all()
    assert (study.typologies["stay_locations"].str.len() > 0).all()
    assert study.mentions["locations"].str.contains("¶").all()
    assert study.recommendations["location"].str.contains("¶").all()


def test_influences_have_one_system_and_valid_direction(study):
    inf = study.influences
    assert set(inf["system"]) <= {"intrapersonal", "contextual", "uncontrollable"}
    assert inf["system"].notna().all()
    assert set(inf["direction"]) <= {"towards", "away", "mixed"}
    # the junior doctor contract is reported in both directions (Results-other vs Discussion)
    assert inf.loc["junior_contract", "direction"] == "mixed"
    named = {"burnout", "deskilled", "job_security", "funding_gap", "no_mentor",
             "supportive_supervisors", "flexible_working", "gender_discrimination",
             "junior_contract", "pathway_information", "london_finances", "research_enjoyment",
             "intellectual_stimulation"}
    assert named <= set(inf["id"])


def test_recommendations_link_to_influences_and_actors(study):
    rec = study.recommendations
    ids = set(study.influences["id"])
    for addresses in rec["addresses"]:
        assert set(addresses.split(", ")) <= ids
    actors = {a for s in rec["actors"] for a in s.split(", ")}
    assert actors == {"universities", "hospitals", "funders"}


def test_format_location():
    loc = {"section": "results-t3", "paragraph": 1, "sentence": 2}
    assert format_location(loc) == "results-t3 ¶1 s2"
    assert format_location(loc, {"results-t3": "Results > T3"}) == "Results > T3 ¶1 s2"


def test_survey_comparison_is_recorded(study):
    c = study.comparison("survey_half")
    assert c["proportion"] == 0.5 and c["qualifier"] == "about"
    with pytest.raises(DataError):
        study.comparison("nope")


# ---------------------------------------------------------------- crafted bad codebooks
def _mutate(fn):
    data = yaml.safe_load(STUDY_TEXT)
    fn(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _expect(text, *fragments):
    with pytest.raises(DataError) as err:
        parse_study(text, "bad.yaml")
    msg = str(err.value)
    assert msg.startswith("bad.yaml")
    for f in fragments:
        assert f in msg, msg
    return err.value


def test_typology_sizes_must_sum_to_total():
    def f(d):
        d["typologies"][1]["size"]["value"] = 14
        d["typologies"][1]["stay"]["low"] = d["typologies"][1]["stay"]["high"] = 7
    _expect(_mutate(f), "typology sizes sum to 34, not 35", "column typologies")


def test_sex_counts_must_sum_to_total():
    _expect(_mutate(lambda d: d["participants"]["by_sex"]["men"].update(value=20)),
            "by_sex counts sum to 34", "column participants.by_sex")


def test_influence_with_two_systems_is_rejected():
    text = _mutate(lambda d: d["influences"][0].update(system=["intrapersonal", "contextual"]))
    _expect(text, "influences[0].system", "does not refer to an existing entry of framework_systems")


def test_unknown_reference_is_rejected_with_its_line():
    text = _mutate(lambda d: d["recommendations"][2].update(addresses=["no_mentor", "typo_id"]))
    err = _expect(text, "'typo_id' does not refer", "recommendations[2].addresses[1]")
    assert err.row == _line_of(text, "typo_id")


def test_unknown_typology_in_mention():
    text = _mutate(lambda d: d["influences"][3]["mentions"][0].update(typology="T9"))
    _expect(text, "'T9'", "influences[3].mentions[0].typology", "across")


def test_unknown_key_typo_is_rejected():
    text = _mutate(lambda d: d["typologies"][0].update(sise=5))
    err = _expect(text, "unknown key 'sise'", "typologies[0].sise")
    assert err.row == _line_of(text, "sise:")


def test_duplicate_id_is_rejected():
    def f(d):
        d["influences"][5]["id"] = d["influences"][2]["id"]
    _expect(_mutate(f), "id 'values_fit' is used twice", "influences[5].id")


def test_stay_interval_outside_size():
    text = _mutate(lambda d: d["typologies"][3]["stay"].update(high=5))
    _expect(text, "stay interval [2, 5]", "typologies[3].stay")


def test_missing_location_and_bad_types():
    def f(d):
        del d["typologies"][0]["size"]["location"]
    _expect(_mutate(f), "missing key 'location'", "typologies[0].size")
    _expect(_mutate(lambda d: d["participants"]["total"].update(value="35")),
            "not a whole number", "participants.total.value")
    _expect(_mutate(lambda d: d["influences"][0]["mentions"][0].update(direction="sideways")),
            "'sideways' is not allowed", "towards, away")


def test_location_section_must_exist():
    text = _mutate(lambda d: d["typologies"][0]["size"]["location"].update(section="resluts"))
    _expect(text, "'resluts' does not refer to an existing entry of sections")


def test_malformed_yaml_names_the_line():
    broken = STUDY_TEXT.replace("  - id: T2\n", "  - id: [T2\n", 1)
    err = _expect(broken, "malformed YAML")
    assert isinstance(err.row, int) and err.row >= _line_of(STUDY_TEXT, "- id: T2")


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_study(tmp_path / "none.yaml")


def test_yaml_tags_are_not_executed():
    evil = "!!python/object/apply:os.system ['echo hi']\n"
    with pytest.raises(DataError, match="malformed YAML"):
        parse_study(evil, "evil.yaml")


def test_study_data_agrees_with_published_figures(study):
    """The two transcriptions of the paper (study YAML, data/published CSV) agree."""
    from foresight.data import published

    pub = published("ranieri2018careers")["value"]
    t = study.typologies
    p = study.participants.set_index("category")["count"]
    assert pub["careers_participants"] == study.total
    assert (pub["careers_men"], pub["careers_women"]) == (p["men"], p["women"])
    assert (pub["careers_current"], pub["careers_submitted"]) == (
        p["current_student"], p["submitted_thesis"])
    for k, tid in enumerate(t.index, 1):
        assert pub[f"careers_t{k}_size"] == t.loc[tid, "size"]
    assert pub["careers_t1_stay"] == t.loc["T1", "stay_low"] == t.loc["T1", "stay_high"]
    assert pub["careers_t2_stay"] == t.loc["T2", "stay_low"] == t.loc["T2", "stay_high"]
    assert pub["careers_t4_stay"] == t.loc["T4", "stay_low"] == t.loc["T4", "stay_high"]
    # "most" (at least 6) and "3 wanted to discontinue" (at least 3 leave) bound the interval
    assert t.loc["T3", "stay_low"] >= pub["careers_t3_stay_most"]
    assert t.loc["T3", "size"] - t.loc["T3", "stay_high"] >= pub["careers_t3_leave"]
    assert pub["careers_reasons"] == len(t)
    assert pub["careers_survey_half"] / 100 == study.comparison("survey_half")["proportion"]
