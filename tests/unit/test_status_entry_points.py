"""The roles' status entry points compare the host with what a deploy would write and read: so they must pass
internal_user_unit the same inputs as the deploy's own imports (service.yml's install, inspect.yml's state).

A change to what a deploy writes (a new file, another fingerprint) that is not made in status.yml too would make
playbooks/status.yml report drift that is not there, or miss drift that is: this test fails first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
STATUS_OPTIONS = set(
    yaml.safe_load((ROOT / "roles/internal_user_unit/meta/argument_specs.yml").read_text())["argument_specs"]["status"][
        "options"
    ]
)


def imports(path: Path, entry: str) -> list[dict]:
    """The vars of every import of internal_user_unit with tasks_from ``entry`` in a task file."""
    found = []
    for task in yaml.safe_load(path.read_text()):
        role = task.get("ansible.builtin.import_role") or {}
        if role.get("name") == "lacatfly.twilight_drive.internal_user_unit" and role.get("tasks_from") == entry:
            found.append(task.get("vars", {}))
    return found


@pytest.mark.parametrize(
    ("role", "deploy_file", "entry"),
    [
        ("twilight_backend", "service.yml", "install"),
        ("twilight_backend", "inspect.yml", "state"),
        ("cloudflared_tunnel", "service.yml", "install"),
        ("cloudflared_tunnel", "inspect.yml", "state"),
    ],
)
def test_status_passes_what_the_deploy_passes(role: str, deploy_file: str, entry: str) -> None:
    tasks = ROOT / "roles" / role / "tasks"
    [deploy] = imports(tasks / deploy_file, entry)
    [status] = imports(tasks / "status.yml", "status")
    shared = sorted(set(deploy) & STATUS_OPTIONS)
    assert shared, f"{deploy_file} passes nothing the status entry point takes"
    differing = [key for key in shared if " ".join(str(deploy[key]).split()) != " ".join(str(status.get(key)).split())]
    assert differing == [], f"{role}: status.yml passes other values than {deploy_file} for {differing}"
