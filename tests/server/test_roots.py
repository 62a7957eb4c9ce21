from pathlib import Path

import pytest
from mcp.server.mcpserver.exceptions import ToolError

from dataclaw_tailor.server.roots import Roots, root_from_uri


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "root" / "sub").mkdir(parents=True)
    (tmp_path / "root" / "sub" / "a.json").write_text("{}")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("x")
    (tmp_path / "root" / "link").symlink_to(tmp_path / "outside" / "secret.txt")
    (tmp_path / "root" / "inner-link").symlink_to(tmp_path / "root" / "sub" / "a.json")
    return tmp_path


def test_paths_inside_a_root_resolve_relative_and_absolute(tree: Path):
    roots = Roots([tree / "root"])
    assert roots.resolve("sub/a.json") == tree / "root" / "sub" / "a.json"
    assert roots.resolve(str(tree / "root" / "sub" / "a.json")) == tree / "root" / "sub" / "a.json"
    assert roots.resolve("sub/../sub/a.json") == tree / "root" / "sub" / "a.json"
    assert roots.resolve("inner-link") == tree / "root" / "sub" / "a.json"


@pytest.mark.parametrize(
    ("given", "why"),
    [("../outside/secret.txt", "'..' may not leave a root"), ("link", "symlink"), ("/etc/passwd", "outside the allowed roots")],
)
def test_escapes_are_refused_with_the_reason(tree: Path, given: str, why: str):
    with pytest.raises(ToolError, match="outside the allowed roots") as err:
        Roots([tree / "root"]).resolve(given)
    assert why in str(err.value) and given in str(err.value)
    assert "outside/secret.txt" not in str(err.value) or given.endswith("secret.txt")  # never where a symlink leads


def test_missing_files_and_new_outputs(tree: Path):
    roots = Roots([tree / "root"])
    with pytest.raises(ToolError, match="no such file"):
        roots.resolve("sub/nope.mp4")
    assert roots.resolve("new/out.json", must_exist=False) == tree / "root" / "new" / "out.json"
    with pytest.raises(ToolError, match="out: .* outside"):
        roots.resolve(str(tree / "outside" / "x.json"), field="out", must_exist=False)


def test_client_roots_only_narrow_the_flag_roots(tree: Path):
    roots = Roots([tree / "root"])
    assert roots.narrowed_to([tree / "root" / "sub"]).dirs == (tree / "root" / "sub",)
    assert roots.narrowed_to([Path("/")]).dirs == (tree / "root",)
    assert roots.narrowed_to([tree / "outside"]).dirs == ()
    with pytest.raises(ToolError, match="none of the client's roots lies inside the server's roots"):
        roots.narrowed_to([tree / "outside"]).resolve(str(tree / "outside" / "secret.txt"))
    with pytest.raises(ToolError, match="outside the allowed roots"):
        roots.narrowed_to([tree / "root" / "sub"]).resolve(str(tree / "root"))


def test_trusted_client_roots_are_added_as_they_are(tree: Path):
    roots = Roots([tree / "root"]).with_client([root_from_uri((tree / "outside").as_uri())])
    assert roots.resolve(str(tree / "outside" / "secret.txt")) == tree / "outside" / "secret.txt"
    assert Roots().with_client([tree / "root"]).resolve("sub/a.json") == tree / "root" / "sub" / "a.json"


@pytest.mark.parametrize(
    ("uri", "path"),
    [("file:///data/x", "/data/x"), ("file://localhost/data/x", "/data/x"), ("file://LOCALHOST/a%20b", "/a b"),
     ("file://fileserver/share", None), ("file://evil.example/", None), ("https://example.com/x", None),
     ("file:///a%00b", None)],
)
def test_only_local_file_uris_name_a_root(uri: str, path: str | None):
    assert root_from_uri(uri) == (Path(path) if path else None)


def test_no_root_at_all_refuses_every_path(tree: Path, monkeypatch):
    monkeypatch.chdir(tree / "root")
    with pytest.raises(ToolError, match="there are none: start the server with `claw mcp --root DIR`"):
        Roots().resolve("sub/a.json")


def test_episode_selector_is_kept_and_its_dataset_checked(tree: Path):
    roots = Roots([tree / "root"])
    assert roots.resolve("sub#episode=3") == Path(f"{tree / 'root' / 'sub'}#episode=3")
    with pytest.raises(ToolError, match="outside the allowed roots"):
        roots.resolve("../outside#episode=0")
    with pytest.raises(ToolError, match="no such file"):
        roots.resolve("nope#episode=1")
