"""Regenerate the small committed exchange files in ``data/careers/``.

Run ``.venv/bin/python -m foresight.careers.fixture`` from the repository root. It writes

* ``data/careers/codebook.qdc``: the study codebook as a REFI-QDA codebook (example for
  import into NVivo, ATLAS.ti or MAXQDA);
* ``data/careers/fixture/demo.qdpx``: a **synthetic** coded project (35 placeholder texts,
  no transcript content) built by :func:`foresight.careers.coding.demo_project`.

Both are deterministic (fixed GUIDs, fixed ZIP timestamps, fixed seed), so rerunning the
script leaves them byte-identical.
"""

from __future__ import annotations

from foresight.careers.coding import demo_project, study_codebook
from foresight.careers.refi import write_qdc, write_qdpx
from foresight.careers.study import load_study
from foresight.data import data_dir


def main() -> None:
    study = load_study()
    out = data_dir() / "careers"
    write_qdc(study_codebook(study), out / "codebook.qdc")
    (out / "fixture").mkdir(exist_ok=True)
    write_qdpx(out / "fixture" / "demo.qdpx", *demo_project(study),
               name="Synthetic demo: career typologies (placeholder texts)")
    print("wrote", out / "codebook.qdc", "and", out / "fixture" / "demo.qdpx")


if __name__ == "__main__":
    main()
