"""Secrets an operator puts into a checkout by following the README are neither committed nor packed.

In a temporary copy of the tree, the README's inventory steps are followed (`cp -r inventories/vultr
inventories/prod`, vault.yml from vault.yml.example, filled in plaintext as before `ansible-vault encrypt`),
and the other files an operator copies next to it are added: the tunnel credentials JSON and cert.pem from
~/.cloudflared, a vault password file, per-host vaults, an editor's backup of the vault, a vault in the
group_vars next to the playbook, the backend's env.example filled in as .env, the example inventory's own
vault (the README's "or edit in place"). Each must be ignored by git, and neither the Galaxy artifact nor the
wheel built from that tree may contain any of the secrets.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UUID = "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
SECRETS = {
    "tushare": "plaintext-tushare-token-7Qm2",
    "siliconflow": "plaintext-siliconflow-key-Vb8e",
    "tunnel": "cGxhaW50ZXh0LXR1bm5lbC1zZWNyZXQtM2Nm",
    "account": "plaintext-account-tag-d41c",
    "cert": "PLAINTEXT-ARGO-TUNNEL-TOKEN-9aZ1",
    "vault-pass": "plaintext-vault-password-h7Tr",
    "host-vault": "plaintext-host-vault-secret-2Ws5",
    "backup": "plaintext-editor-backup-secret-Kk0p",
    "playbook-vault": "plaintext-playbook-vault-secret-Y3nd",
    "dotenv": "plaintext-dotenv-token-Mm41",
}
TRACKED_EXAMPLES = (
    "inventories/vultr/hosts.yml",
    "inventories/vultr/group_vars/twilight/vars.yml",
    "inventories/vultr/group_vars/twilight/vault.yml.example",
)


def run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p and ((ROOT / p).exists() or (ROOT / p).is_symlink())]


def filled_vault() -> str:
    example = (ROOT / "inventories/vultr/group_vars/twilight/vault.yml.example").read_text()
    for placeholder, value in (
        ("<your Tushare Pro token>", SECRETS["tushare"]),
        ("<your SiliconFlow API key>", SECRETS["siliconflow"]),
        ("<tunnel UUID>", UUID),
        ("<AccountTag>", SECRETS["account"]),
        ("<TunnelSecret>", SECRETS["tunnel"]),
    ):
        assert placeholder in example
        example = example.replace(placeholder, value)
    return example


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> tuple[Path, list[str]]:
    """A copy of the tree with an operator's secrets placed as the README leads to; the planted paths."""
    tree = tmp_path_factory.mktemp("checkout") / "twilight-drive-deploy"
    for rel in tracked():
        src, dst = ROOT / rel, tree / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    run("git", "init", "-q", cwd=tree)
    # README: cp -r inventories/vultr inventories/prod; cp vault.yml.example vault.yml; $EDITOR vault.yml
    shutil.copytree(tree / "inventories/vultr", tree / "inventories/prod", symlinks=True)
    vault = filled_vault()
    creds = f'{{"AccountTag":"{SECRETS["account"]}","TunnelSecret":"{SECRETS["tunnel"]}","TunnelID":"{UUID}"}}\n'
    planted = {
        "inventories/prod/group_vars/twilight/vault.yml": vault,
        "inventories/vultr/group_vars/twilight/vault.yml": vault,  # "or edit in place"
        f"inventories/prod/group_vars/twilight/{UUID}.json": creds,  # ~/.cloudflared/<UUID>.json copied along
        "inventories/prod/cert.pem": f"-----BEGIN ARGO TUNNEL TOKEN-----\n{SECRETS['cert']}\n",
        "inventories/prod/.vault_pass": SECRETS["vault-pass"] + "\n",
        ".vault-password": SECRETS["vault-pass"] + "\n",
        "inventories/prod/host_vars/twilight-vultr-1/vault.yml": f"---\nvault_host_token: {SECRETS['host-vault']}\n",
        "inventories/prod/group_vars/twilight/vault.yml~": vault + f"# {SECRETS['backup']}\n",
        "playbooks/group_vars/twilight/vault.yml": f"---\nvault_playbook_token: {SECRETS['playbook-vault']}\n",
        "roles/twilight_backend/files/.env": f"TUSHARE_TOKEN='{SECRETS['dotenv']}'\n",
    }
    for rel, text in planted.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    return tree, list(planted)


def leaks(name: str, data: bytes) -> list[str]:
    return [f"{name}: {key}" for key, secret in SECRETS.items() if secret.encode() in data] + (
        [f"{name}: tunnel UUID"] if UUID.encode() in data else []
    )


def test_every_planted_secret_file_is_ignored_by_git(tree) -> None:
    path, planted = tree
    committed = [
        rel
        for rel in planted
        if subprocess.run(["git", "check-ignore", "-q", "--no-index", rel], cwd=path, check=False).returncode != 0
    ]
    assert committed == [], "not ignored by .gitignore: `git add -A` would commit them"


def test_no_tracked_file_and_no_example_is_ignored(tree) -> None:
    path = tree[0]
    files = tracked()
    assert set(TRACKED_EXAMPLES) <= set(files)
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=path,
        input="\n".join(files),
        text=True,
        capture_output=True,
        check=False,
    )
    assert proc.stdout.split() == []


def test_galaxy_artifact_built_from_that_tree_holds_no_secret(tree, tmp_path: Path) -> None:
    path, planted = tree
    run(
        Path(sys.executable).parent / "ansible-galaxy", "collection", "build", "--output-path", tmp_path, path, cwd=path
    )
    (artifact,) = tmp_path.glob("lacatfly-twilight_drive-*.tar.gz")
    found = []
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
        assert "roles/twilight_backend/templates/dotenv.j2" in names  # a real artifact
        for member in tar.getmembers():
            if member.isfile():
                found += leaks(member.name, tar.extractfile(member).read())
    assert [n for n in names if n in planted] == []
    assert found == []


def test_wheel_built_from_that_tree_holds_no_secret(tree, tmp_path: Path) -> None:
    path, planted = tree
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path, path, cwd=path)
    (wheel,) = tmp_path.glob("*.whl")
    prefix = "ansible_collections/lacatfly/twilight_drive/"
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        assert prefix + "roles/twilight_backend/templates/dotenv.j2" in names  # a real wheel
        found = [leak for n in names for leak in leaks(n, whl.read(n))]
    assert [n for n in names if n.removeprefix(prefix) in planted] == []
    assert found == []
