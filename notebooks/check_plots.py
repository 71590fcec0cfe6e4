"""Fails unless the executed report notebook shows its plots.

    python notebooks/check_plots.py target/notebook/report.ipynb [--pages]

Every code cell tagged `plot` in notebooks/report.ipynb must hold at least one
image/png output (and, with --pages, every cell tagged `plot-pages`: those draw
only when page reports exist). No code cell may hold an error output. Exit 1
with the list of the cells at fault otherwise.
"""
import json
import sys


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1 or any(a not in ("--pages",) for a in argv if a.startswith("--")):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    required = {"plot"} | ({"plot-pages"} if "--pages" in argv else set())
    with open(args[0], encoding="utf-8") as f:
        nb = json.load(f)
    problems, tagged, images = [], 0, 0
    for number, cell in enumerate(nb["cells"], 1):
        if cell["cell_type"] != "code":
            continue
        name = cell.get("id", f"cell {number}")
        outputs = cell.get("outputs", [])
        for out in outputs:
            if out.get("output_type") == "error":
                problems.append(f"{name}: raised {out.get('ename')}: {out.get('evalue')}")
        pngs = sum(1 for out in outputs if "image/png" in out.get("data", {}))
        images += pngs
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & required:
            tagged += 1
            if pngs == 0:
                first = "".join(cell["source"]).splitlines()[0]
                problems.append(f"{name} ({first!r}): a plotting cell with no image/png output")
    if tagged == 0:
        problems.append("no cell is tagged as a plotting cell: the check would prove nothing")
    if problems:
        print(f"[notebook] {args[0]}: the executed notebook is missing its plots:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"[notebook] plots present: {images} image(s) in {tagged} plotting cell(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
