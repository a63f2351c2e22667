"""_content_module: what account_files logs on the target (the journal) names files, never their contents."""

from __future__ import annotations

from pathlib import Path

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._content_module import ContentModule, summary
from ansible_collections.lacatfly.twilight_drive.plugins.modules import account_files

SECRET_ENV = "# header\nTUSHARE_TOKEN='multi-line-secret-5e21'\nOTHER='x'\n"
ARGS = {
    "files": [
        {"path": "twilight/.env", "secret_content": SECRET_ENV, "mode": "0600", "validate": "none"},
        {"path": "twilight/compose.yml", "content": "name: twilight\nservices: {}\n", "mode": "0640"},
    ],
    "directories": [{"path": "twilight", "mode": "0750"}],
}
SPEC = {
    "files": {
        "type": "list",
        "elements": "dict",
        "options": {
            "path": {"type": "str"},
            "content": {"type": "str"},
            "secret_content": {"type": "str", "no_log": True},
            "mode": {"type": "str"},
            "validate": {"type": "str"},
        },
    },
    "directories": {"type": "list", "elements": "dict", "options": {"path": {"type": "str"}, "mode": {"type": "str"}}},
}


def logged(monkeypatch, cls) -> str:
    messages = []
    monkeypatch.setattr(AnsibleModule, "log", lambda self, msg, log_args=None: messages.append(msg))
    with patch_module_args(ARGS):
        cls(argument_spec=SPEC)
    return "\n".join(messages)


def test_plain_ansible_module_would_log_the_multi_line_secret(monkeypatch) -> None:
    """Why the subclass exists: if this stops failing upstream, the subclass can go (keep the test below)."""
    assert "multi-line-secret-5e21" in logged(monkeypatch, AnsibleModule)


def test_the_invocation_log_names_paths_modes_and_sizes_only(monkeypatch) -> None:
    text = logged(monkeypatch, ContentModule)
    assert "multi-line-secret-5e21" not in text and "services:" not in text
    assert "twilight/.env" in text and "0600" in text and f"({len(SECRET_ENV)} bytes)" in text


def test_account_files_uses_it() -> None:
    assert account_files.ContentModule is ContentModule
    source = Path(account_files.__file__).read_text(encoding="utf-8")
    assert "module = ContentModule(" in source and "AnsibleModule(" not in source


def test_summary_reaches_nested_lists_and_keeps_other_values() -> None:
    got = summary({"files": [{"path": "a", "content": "ab"}], "remove": ["x"], "n": None})
    assert got == {"files": [{"path": "a", "content": "(2 bytes)"}], "remove": ["x"], "n": None}
