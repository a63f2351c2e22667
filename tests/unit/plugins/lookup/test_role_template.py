"""role_template: what ansible.builtin.template renders, without a deep copy of the task's variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar, trust_as_template

LOOKUPS = str(Path(__file__).resolve().parents[4] / "plugins" / "lookup")
TEMPLATE = """{{ ansible_managed | comment }}
[Service]
ExecStart={{ program }} --name {{ names.first }}{% if extra is defined %} {{ extra }}{% endif %}

{% for port in ports %}
Port={{ port }}
{% endfor %}
"""


class NoDeepCopy:
    """A value a deep copy of the variables would have to copy."""

    def __deepcopy__(self, memo):
        raise AssertionError("the variables were deep-copied")


@pytest.fixture
def render(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "unit.j2").write_text(TEMPLATE)
    variables = {
        "program": "/usr/bin/true",
        "names": {"first": trust_as_template("{{ program | basename }}")},
        "ports": [80, 443],
        "role_path": str(tmp_path),
        "ansible_search_path": [str(tmp_path)],
    }
    loader = DataLoader()
    lookup_loader.add_directory(LOOKUPS)

    def rendering(name, given=None, **kwargs):
        given = variables if given is None else given
        lookup = lookup_loader.get(name, loader=loader, templar=Templar(loader=loader, variables=given))
        return lookup.run(["unit.j2"], variables=given, **kwargs)

    rendering.variables = variables
    return rendering


def test_renders_what_the_builtin_lookup_renders(render) -> None:
    ours = render("role_template")
    assert ours == render("template")
    assert ours[0].startswith("#\n# Ansible managed\n#\n[Service]\nExecStart=/usr/bin/true --name true\n")
    assert "Port=80\nPort=443\n" in ours[0]


def test_template_vars_as_the_builtin_lookup(render) -> None:
    assert render("role_template", template_vars={"extra": "-v"}) == render("template", template_vars={"extra": "-v"})
    assert "--name true -v\n" in render("role_template", template_vars={"extra": "-v"})[0]


def test_the_variables_are_not_deep_copied_nor_changed(render) -> None:
    shared = {**render.variables, "unused": NoDeepCopy()}
    with pytest.raises(AssertionError, match="deep-copied"):
        render("template", given=shared)
    before = dict(shared)
    assert render("role_template", given=shared) == render("template")
    assert shared == before  # the template_* variables went into a copy
