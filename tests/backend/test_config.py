"""Settings: precedence, parsing, unknown keys per source, forwarding, and the JSON schema."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pyproject_hooks import BuildBackendWarning

from metaseal._compat import tomllib
from metaseal.backend.schema import get_schema
from metaseal.backend.settings import Settings, Source, load_settings, options
from metaseal.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .conftest import MakeProject

ROOT = Path(__file__).resolve().parents[2]


def _load(
    table: Mapping[str, Any] | None = None,
    conf: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    root: Path = ROOT,
) -> Settings:
    pyproject = {"tool": {"metaseal": {"backend": "hatchling.build", **(table or {})}}}
    return load_settings(pyproject, conf, env or {}, root=root).settings


def _error(
    table: Mapping[str, Any] | None = None,
    conf: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        _load(table, conf, env)
    return info.value


def test_defaults() -> None:
    assert _load() == Settings(backend="hatchling.build")
    assert _load().allow_dynamic is None


def test_precedence_env_over_config_settings_over_pyproject() -> None:
    table = {"mode": "warn", "strict": False}
    assert _load(table).mode == "warn"
    assert _load(table, {"metaseal.mode": "error"}).mode == "error"
    assert _load(table, {"metaseal.mode": "error"}, {"METASEAL_MODE": "warn"}).mode == "warn"
    assert _load(table, {"metaseal.strict": "yes"}).strict is True
    assert _load(table, {"metaseal.strict": "yes"}, {"METASEAL_STRICT": "0"}).strict is False


def test_lists_from_every_source() -> None:
    assert _load({"allow-dynamic": []}).allow_dynamic == ()
    assert _load(conf={"metaseal.allow-dynamic": ""}).allow_dynamic == ()
    assert _load(
        conf={"metaseal.allow-dynamic": ["Requires-Dist", "License-File"]}
    ).allow_dynamic == (
        "Requires-Dist",
        "License-File",
    )
    env = {"METASEAL_ALLOW_DYNAMIC": "Requires-Dist, License-File"}
    assert _load(env=env).allow_dynamic == ("Requires-Dist", "License-File")
    assert _load(conf={"metaseal": {"strict": True}}).strict is True  # --config-json style


def test_config_settings_are_split() -> None:
    given = {"metaseal.mode": "warn", "--build-option": ["--x", "--y"], "editable_mode": "compat"}
    loaded = load_settings(
        {"tool": {"metaseal": {"backend": "flit_core.buildapi"}}}, given, {}, root=ROOT
    )
    assert loaded.settings.mode == "warn"
    assert loaded.forwarded == {"--build-option": ["--x", "--y"], "editable_mode": "compat"}
    assert (
        load_settings({"tool": {"metaseal": {"backend": "x"}}}, None, {}, root=ROOT).forwarded
        is None
    )


@pytest.mark.parametrize(
    ("table", "conf", "env", "key", "suggestion"),
    [
        ({"mdoe": "warn"}, None, None, "tool.metaseal.mdoe", "did you mean `tool.metaseal.mode`?"),
        (
            None,
            {"metaseal.stirct": "1"},
            None,
            "metaseal.stirct",
            "did you mean `metaseal.strict`?",
        ),
        (
            None,
            None,
            {"METASEAL_ALLOW_DYNAMC": "x"},
            "METASEAL_ALLOW_DYNAMC",
            "did you mean `METASEAL_ALLOW_DYNAMIC`?",
        ),
        ({"zzz": 1}, None, None, "tool.metaseal.zzz", "known keys: `tool.metaseal.backend`"),
    ],
)
def test_unknown_keys_suggest_per_source(
    table: dict[str, Any] | None,
    conf: dict[str, Any] | None,
    env: dict[str, str] | None,
    key: str,
    suggestion: str,
) -> None:
    error = _error(table, conf, env)
    assert error.key == key
    assert f"unknown setting `{key}`" in str(error)
    assert suggestion in str(error)


def test_all_problems_are_reported_at_once() -> None:
    error = _error({"mode": "loud", "strict": "maybe"}, {"metaseal.mdoe": "x"})
    message = str(error)
    assert 'must be one of "error", "warn", not \'loud\'' in message
    assert "`tool.metaseal.strict` in pyproject.toml must be a boolean" in message
    assert "`metaseal.mdoe`" in message


@pytest.mark.parametrize(
    ("table", "conf", "env", "fragment"),
    [
        (
            {},
            {"metaseal.backend": "x"},
            None,
            "`metaseal.backend` cannot be set in config-settings",
        ),
        ({"allow-broken-seal": True}, None, None, "use `METASEAL_ALLOW_BROKEN_SEAL`"),
        ({"backend": "not a module"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "a.:b"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "a:b:c"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "a:"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "1a.b"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "caf\u00e9.build"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "hatchling.build\n"}, None, None, 'must be "module" or "module:object"'),
        ({"backend": "metaseal.backend"}, None, None, "names metaseal itself"),
        ({"backend-path": ["../elsewhere"]}, None, None, "must resolve inside the source tree"),
        ({"backend-path": ["/abs"]}, None, None, "must be a relative path"),
        ({"backend-path": ["no-such-dir"]}, None, None, "is not a directory"),
        ({"allow-dynamic": ["Version"]}, None, None, "are never Dynamic"),
        (None, None, {"METASEAL_BACKEND": "bad name"}, "`METASEAL_BACKEND` must be"),
    ],
)
def test_invalid_values(
    table: dict[str, Any] | None,
    conf: dict[str, Any] | None,
    env: dict[str, str] | None,
    fragment: str,
) -> None:
    assert fragment in str(_error(table, conf, env))


@pytest.mark.parametrize("backend", ["hatchling.build", "_a.b_1:c.d", "x", "x:y", "if.class"])
def test_valid_backends(backend: str) -> None:
    loaded = load_settings({"tool": {"metaseal": {"backend": backend}}}, None, {}, root=ROOT)
    assert loaded.settings.backend == backend


def test_backend_is_required() -> None:
    with pytest.raises(ConfigError, match=r"`tool\.metaseal\.backend` is required"):
        load_settings({}, None, {}, root=ROOT)


def test_escape_hatch_demotes_unknown_keys() -> None:
    loaded = load_settings(
        {"tool": {"metaseal": {"backend": "x", "mdoe": "warn"}}},
        None,
        {"METASEAL_ALLOW_BROKEN_SEAL": "1"},
        root=ROOT,
    )
    assert loaded.settings.allow_broken_seal is True
    assert len(loaded.demoted) == 1
    assert "tool.metaseal.mdoe" in loaded.demoted[0]


def test_schema_follows_the_model() -> None:
    schema = get_schema()
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["backend"]
    pyproject_keys = [key for _, key, opt in options() if Source.PYPROJECT in opt.sources]
    assert list(schema["properties"]) == pyproject_keys
    assert "allow-broken-seal" not in schema["properties"]
    assert schema["properties"]["mode"]["enum"] == ["error", "warn"]
    assert schema["properties"]["strict"]["type"] == "boolean"
    assert schema["properties"]["allow-dynamic"]["type"] == "array"


def test_schema_entry_point_is_declared() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    group = project["entry-points"]["validate_pyproject.tool_schema"]
    assert group == {"metaseal": "metaseal.backend.schema:get_schema"}


# --- through the frontend protocol -----------------------------------------------------------


def test_foreign_config_settings_reach_the_inner_backend(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    settings = {"metaseal.strict": "false", "--build-option": ["--a", "--b"], "flag": ""}
    project.hooks().build_wheel(str(project.out()), settings)
    project.hooks().get_requires_for_build_wheel(settings)
    expected = {"--build-option": ["--a", "--b"], "flag": ""}
    assert [c["config_settings"] for c in project.calls()] == [expected, expected]


def test_typo_in_pyproject_fails_the_build_with_a_suggestion(make_project: MakeProject) -> None:
    project = make_project("fake_full", tool='mdoe = "warn"')
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.hooks().build_wheel(str(project.out()))
    assert "did you mean `tool.metaseal.mode`?" in str(info.value.stderr)
    assert list(project.out().iterdir()) == []


def test_typo_is_only_a_warning_under_the_escape_hatch(make_project: MakeProject) -> None:
    project = make_project(
        "fake_full", tool='mdoe = "warn"', env={"METASEAL_ALLOW_BROKEN_SEAL": "1"}
    )
    with pytest.warns(BuildBackendWarning, match="METASEAL_ALLOW_BROKEN_SEAL=1 is set"):
        name = project.hooks().build_wheel(str(project.out()))
    assert (project.out() / name).is_file()


def test_missing_inner_backend_is_a_clear_error(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    (project.root / "fakes" / "fake_full.py").unlink()
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.hooks().build_wheel(str(project.out()))
    stderr = str(info.value.stderr)
    assert "cannot import the inner backend `fakes.fake_full`" in stderr
    assert "build-system.requires" in stderr


def test_settings_are_immutable_and_survive_pickle_and_copy() -> None:
    import copy
    import pickle

    settings = Settings(backend="hatchling.build", strict=True, allow_dynamic=("License-File",))
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert copy.copy(settings) == settings == copy.deepcopy(settings)
    assert hash(copy.copy(settings)) == hash(settings)
    with pytest.raises(AttributeError):
        settings.strict = False
    with pytest.raises(AttributeError):
        del settings.mode
    with pytest.raises(TypeError, match="required"):
        Settings()
    with pytest.raises(TypeError, match="unknown"):
        Settings(backend="x", colour="blue")
