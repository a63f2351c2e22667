"""user_unit_questions: what the internal user unit role asks its account, and the layout it shares with the role."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.user_unit_questions import user_unit_questions
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _user_unit

ROLE_VARS = Path(__file__).resolve().parents[4] / "roles" / "internal_user_unit" / "vars" / "main.yml"


def test_the_unit_s_own_files_record_and_units_follow_the_caller_s() -> None:
    asked = user_unit_questions(
        "twilight-cloudflared.service", paths=[".cloudflared"], probes=["http://127.0.0.1:9090/ready"]
    )
    assert asked["paths"] == [
        ".cloudflared",
        ".config/systemd/user",
        ".config/systemd/user/twilight-cloudflared.service.d",
        ".local/lib/twilight-drive",
        ".config/systemd/user/twilight-cloudflared.service",
        ".config/systemd/user/twilight-cloudflared.service.d/10-sandbox.conf",
        ".config/systemd/user/twilight-cloudflared-logrotate.service",
        ".config/systemd/user/twilight-cloudflared-logrotate.timer",
        ".local/lib/twilight-drive/rotate-logs",
    ]
    assert asked["read"] == [".local/state/twilight-drive/twilight-cloudflared.service.applied"]
    assert asked["units"] == ["twilight-cloudflared.service", "twilight-cloudflared-logrotate.timer"]
    assert asked["probes"] == ["http://127.0.0.1:9090/ready"]
    assert asked["docker"] is False and asked["docker_host"] == ""


def test_the_layout_is_the_one_the_role_writes() -> None:
    """The role's vars/main.yml names the same directories: a change to one without the other fails here."""
    role = yaml.safe_load(ROLE_VARS.read_text())
    assert role["__internal_user_unit_dir"] == _user_unit.UNIT_DIR
    assert role["__internal_user_unit_state_dir"] == _user_unit.STATE_DIR
    assert role["__internal_user_unit_lib_dir"] == _user_unit.LIB_DIR
    assert role["__internal_user_unit_rotate_script"] == "{{ __internal_user_unit_lib_dir }}/rotate-logs"
    assert role["__internal_user_unit_dropin"] == "{{ __internal_user_unit_dropin_dir }}/10-sandbox.conf"
    assert role["__internal_user_unit_logrotate"] == "{{ __internal_user_unit_base }}-logrotate"
    assert (
        role["__internal_user_unit_applied"]
        == "{{ __internal_user_unit_state_dir }}/{{ internal_user_unit_name }}.applied"
    )
    assert "user_unit_questions(" in role["__internal_user_unit_questions"]


@pytest.mark.parametrize("name", ["", None, 3])
def test_a_unit_name_is_required(name) -> None:
    with pytest.raises(AnsibleFilterError, match="unit's name"):
        user_unit_questions(name)
