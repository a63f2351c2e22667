"""Runs inside a trust instance (stdlib only): what docker compose makes of each case's .env.

Usage: python3 dotenv_probe.py DIR. DIR holds one directory per case (compose.yml, other.yml, the .env the
role's template rendered) and `batch/` (every case the filter accepted in one .env, with a compose.yml whose
service prints its environment). Prints one JSON document:

  {"config": {case: {"rc", "stderr", "name", "services": {name: environment}}},
   "run": {case or "batch": {"rc", "stderr", "environ"}}}

`config` is `docker compose config --format json` in the case's directory, with no -f or --env-file: the way
the unit runs compose today, so the project .env counts. `run` is `docker compose run` of the backend stand-in
printing /proc/self/environ: what a container really gets. When the batch fails, every case runs alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}


def config(directory: str) -> dict:
    proc = subprocess.run(
        ["docker", "compose", "config", "--format", "json"], cwd=directory, capture_output=True, env=ENV, check=False
    )
    result = {"rc": proc.returncode, "stderr": proc.stderr.decode("utf-8", "replace")}
    if proc.returncode == 0:
        doc = json.loads(proc.stdout)
        result["name"] = doc.get("name")
        result["services"] = {k: v.get("environment") or {} for k, v in doc.get("services", {}).items()}
    return result


def run(directory: str, project: str) -> dict:
    proc = subprocess.run(
        ["docker", "compose", "-p", project, "-f", "run.yml", "run", "--rm", "-T", "backend"],
        cwd=directory,
        capture_output=True,
        env=ENV,
        check=False,
    )
    result = {"rc": proc.returncode, "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}
    if proc.returncode == 0:
        text = proc.stdout.decode("utf-8", "surrogateescape")
        result["environ"] = dict(item.split("=", 1) for item in text.split("\0") if "=" in item)
    return result


def main(root: str) -> None:
    cases = sorted(d for d in os.listdir(root) if d != "batch" and os.path.isdir(os.path.join(root, d)))
    out = {"config": {c: config(os.path.join(root, c)) for c in cases}, "run": {}}
    batch = os.path.join(root, "batch")
    if os.path.isdir(batch):
        out["run"]["batch"] = run(batch, "tdbatch")
        if out["run"]["batch"]["rc"] != 0:
            for c in cases:
                if os.path.exists(os.path.join(root, c, "run.yml")):
                    out["run"][c] = run(os.path.join(root, c), "td" + c.replace("_", "").lower())
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
