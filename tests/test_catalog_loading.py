"""Loading catalogs: the built-ins, short ids, caching, several user files, and layers."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import networkx as nx
import pytest

import readiness
from readiness import errors, load_catalog
from readiness._catalog import Layer

BUILTINS = ("vn-emr", "vn-it-tt54", "vn-infosec", "vn-smart-hospital", "himss-emram")

# A small valid catalog: levels 1-2, four criteria, one deadline with two cases.
BASE = """\
format = 1

[catalog]
id = "demo"
title = { en = "Demo readiness", vi = "Mức sẵn sàng minh hoạ" }
version = "1.0"

[sources.memo]
title = "Provincial memo 12/2026 (fictitious)"

[domains.infra]
title = { en = "Infrastructure", vi = "Hạ tầng" }

[[level]]
number = 1
title = { en = "Foundations", vi = "Nền tảng" }

[[level]]
number = 2
title = { en = "In use", vi = "Đưa vào sử dụng" }

[[deadline]]
id = "go-live"
title = { en = "System in use", vi = "Đưa hệ thống vào sử dụng" }
source = { ref = "memo", clause = "item 4", grade = "primary" }
[[deadline.when]]
date = 2026-09-30
applies_to = { kind = "hospital" }
[[deadline.when]]
date = 2026-12-31

[[criterion]]
id = "lan"
title = { en = "Local network", vi = "Mạng LAN" }
domain = "infra"
level = 1
source = { ref = "memo", clause = "item 1", grade = "primary" }

[[criterion]]
id = "ward"
title = { en = "Ward module", vi = "Phân hệ nội trú" }
domain = "infra"
level = 2
requires = ["lan"]
source = { ref = "memo", clause = "item 2", grade = "primary" }

[[criterion]]
id = "orders"
title = { en = "Electronic orders", vi = "Chỉ định điện tử" }
domain = "infra"
level = 2
requires = ["ward"]
deadline = "go-live"
source = { ref = "memo", clause = "item 3", grade = "primary" }

[[criterion]]
id = "kiosk"
title = { en = "Self check-in kiosk", vi = "Ki-ốt tự đăng ký" }
domain = "infra"
level = 2
source = { grade = "inferred", note = "Common in provincial plans." }
"""

LAYER_HEAD = """\
format = 1

[catalog]
id = "bn-demo"
extends = "demo"
title = { en = "Bac Ninh demo rules", vi = "Quy định minh hoạ Bắc Ninh" }
version = "2025.1"
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line of ``path`` that starts with ``text``."""
    found = [
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith(text)
    ]
    return found[occurrence - 1]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write(tmp_path / "demo.toml", BASE)


def catalog_error(*args: object, **kwargs: object) -> errors.CatalogError:
    with pytest.raises(errors.CatalogError) as info:
        load_catalog(*args, **kwargs)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------- built-in catalogs


def test_list_catalogs_lists_the_builtins():
    infos = readiness.list_catalogs()
    ids = [i.id for i in infos]
    assert len(ids) >= 5
    assert set(BUILTINS) <= set(ids)
    assert ids == sorted(ids)
    for info in infos:
        assert info.version
        assert info.criteria > 0
        assert sum(info.grades.values()) == info.criteria
        assert info.title.en
        assert info.title.vi


@pytest.mark.parametrize("catalog_id", BUILTINS)
def test_builtin_loads_and_is_consistent(catalog_id: str):
    catalog = load_catalog(catalog_id)
    assert catalog.id == catalog_id
    assert catalog_id in catalog.frameworks
    assert len(catalog.frameworks[catalog_id].criteria) > 0
    assert nx.is_directed_acyclic_graph(catalog.graph)
    assert set(catalog.graph.nodes) == set(catalog.criteria)
    # Every catalog a catalog requires is loaded with it.
    for framework in catalog.frameworks.values():
        assert set(framework.requires) <= set(catalog.frameworks)


@pytest.mark.parametrize("catalog_id", BUILTINS)
def test_builtin_has_no_level_inversion(catalog_id: str):
    catalog = load_catalog(catalog_id)
    for criterion in catalog:
        for key in criterion.prerequisites:
            other = catalog.criteria[key]
            if other.catalog == criterion.catalog:
                assert other.level <= criterion.level, (criterion.key, key)


@pytest.mark.parametrize("catalog_id", BUILTINS)
def test_builtin_citations_are_complete(catalog_id: str):
    catalog = load_catalog(catalog_id)
    for criterion in catalog:
        sources = catalog.frameworks[criterion.catalog].sources
        assert len(criterion.sources) >= 1, criterion.key
        citations = [*criterion.sources, *(p.citation for p in criterion.requires)]
        for citation in citations:
            if citation.grade != "inferred":
                assert citation.ref is not None, criterion.key
            if citation.ref is not None:
                assert citation.ref in sources, (criterion.key, citation.ref)
    for deadline in catalog.deadlines.values():
        sources = catalog.frameworks[deadline.catalog].sources
        if deadline.source.ref is not None:
            assert deadline.source.ref in sources, deadline.key


def test_topological_order_of_builtins():
    catalog = load_catalog("vn-smart-hospital")
    position = {key: n for n, key in enumerate(catalog.criteria)}
    for source, target in catalog.graph.edges:
        assert position[source] < position[target]


def test_smart_hospital_brings_vn_emr():
    catalog = load_catalog("vn-smart-hospital")
    assert "vn-emr" in catalog.frameworks
    assert set(load_catalog("vn-emr").frameworks) <= set(catalog.frameworks)
    # Frameworks are listed prerequisites first.
    order = list(catalog.frameworks)
    assert order.index("vn-emr") < order.index("vn-smart-hospital")
    assert any(k.startswith("vn-emr:") for k in catalog.criteria)
    cross = [
        (u, v)
        for u, v in catalog.graph.edges
        if u.startswith("vn-emr:") and v.startswith("vn-smart-hospital:")
    ]
    assert cross, "vn-smart-hospital should build on vn-emr criteria"


def test_builtin_loading_is_cached():
    assert load_catalog("vn-emr") is load_catalog("vn-emr")
    assert load_catalog("vn-infosec") is load_catalog("vn-infosec")


def test_catalog_is_immutable():
    catalog = load_catalog("vn-infosec")
    with pytest.raises(TypeError):
        catalog.criteria["x"] = catalog.criteria[next(iter(catalog.criteria))]  # type: ignore[index]
    with pytest.raises(AttributeError):
        catalog.id = "other"  # type: ignore[misc]


def test_unknown_catalog_id_lists_builtins():
    with pytest.raises(errors.UnknownCatalogError) as info:
        load_catalog("vn-nope")
    error = info.value
    assert isinstance(error, LookupError)
    assert error.value == "vn-nope"
    for catalog_id in BUILTINS:
        assert catalog_id in str(error)


def test_missing_catalog_file(tmp_path: Path):
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(errors.UnknownCatalogError) as info:
        load_catalog(missing)
    assert str(missing) in str(info.value)


def test_no_catalog_given():
    with pytest.raises(errors.UnknownCatalogError):
        load_catalog([])


# --------------------------------------------------------------------------- user files, cache


def test_user_file_loads(base: Path):
    catalog = load_catalog(base)
    assert catalog.id == "demo"
    assert catalog.version == "1.0"
    assert list(catalog.criteria) == ["demo:kiosk", "demo:lan", "demo:ward", "demo:orders"]
    assert catalog.criterion("orders").deadline == "demo:go-live"
    assert catalog.criterion("kiosk").grade == "inferred"
    header = line_of(base, 'id = "lan"') - 1  # the [[criterion]] line
    assert catalog.criterion("lan").origin == f"{base}:{header}"


def test_user_file_is_cached_and_reloaded_when_changed(base: Path):
    first = load_catalog(base)
    assert load_catalog(base) is first
    stat = base.stat()
    write(base, BASE.replace('version = "1.0"', 'version = "1.1"'))
    later = stat.st_mtime_ns + 5_000_000_000
    os.utime(base, ns=(later, later))
    second = load_catalog(base)
    assert second is not first
    assert second.version == "1.1"
    assert first.version == "1.0"  # the old object is untouched
    assert load_catalog(base) is second


def test_several_user_files_reference_each_other(tmp_path: Path):
    beta = write(
        tmp_path / "beta.toml",
        BASE.replace('id = "demo"', 'id = "beta"'),
    )
    alpha_text = (
        BASE.replace('id = "demo"', 'id = "alpha"\nrequires = ["beta"]')
        .replace('requires = ["lan"]', 'requires = ["lan", "beta:orders"]')
        .replace('version = "1.0"', 'version = "7"')
    )
    alpha = write(tmp_path / "alpha.toml", alpha_text)
    catalog = load_catalog([alpha, beta])
    assert catalog.id == "alpha"
    assert set(catalog.frameworks) == {"alpha", "beta"}
    assert list(catalog.frameworks) == ["beta", "alpha"]
    assert catalog.versions == {"alpha": "7", "beta": "1.0"}
    assert catalog.graph.has_edge("beta:orders", "alpha:ward")
    assert "beta:orders" in catalog.criterion("alpha:ward").prerequisites
    # The other way round, the first file given is the catalog asked for.
    assert load_catalog([beta, alpha]).id == "beta"
    # Alone, alpha cannot find beta (not built in).
    error = catalog_error(alpha)
    assert any(p.value == "beta" and p.path == str(alpha) for p in error.problems)


def test_user_file_requiring_a_builtin(tmp_path: Path):
    text = BASE.replace('id = "demo"', 'id = "demo"\nrequires = ["vn-infosec"]').replace(
        'requires = ["lan"]', 'requires = ["lan", "vn-infosec:vn.nd85.emr.approved"]'
    )
    path = write(tmp_path / "demo.toml", text)
    catalog = load_catalog(path)
    assert list(catalog.frameworks) == ["vn-infosec", "demo"]
    assert catalog.graph.has_edge("vn-infosec:vn.nd85.emr.approved", "demo:ward")


def test_two_files_with_the_same_catalog_id(tmp_path: Path, base: Path):
    other = write(tmp_path / "other.toml", BASE)
    error = catalog_error([base, other])
    assert any("also defined" in p.message and p.path == str(other) for p in error.problems)


# --------------------------------------------------------------------------- resolve


def test_resolve_short_and_qualified_ids():
    catalog = load_catalog("vn-infosec")
    key = "vn-infosec:vn.nd85.emr.approved"
    assert catalog.resolve(key) == key
    assert catalog.resolve("vn.nd85.emr.approved") == key
    assert catalog.criterion("vn.nd85.emr.approved").key == key
    assert "vn.nd85.emr.approved" in catalog
    assert key in catalog
    assert "vn.nd85.nothing" not in catalog
    assert 3 not in catalog


def test_resolve_unknown_qualified_id_suggests():
    catalog = load_catalog("vn-infosec")
    with pytest.raises(errors.UnknownCriterionError) as info:
        catalog.resolve("vn-infosec:vn.nd85.emr.aproved")
    assert isinstance(info.value, LookupError)
    assert "did you mean" in str(info.value)
    assert "vn-infosec:vn.nd85.emr.approved" in str(info.value)
    assert info.value.value == "vn-infosec:vn.nd85.emr.aproved"


def test_resolve_unknown_short_id_suggests():
    catalog = load_catalog("vn-infosec")
    with pytest.raises(errors.UnknownCriterionError) as info:
        catalog.resolve("vn.nd85.emr.aproved")  # a typo of a short id
    assert "did you mean" in str(info.value)
    assert "vn.nd85.emr.approved" in str(info.value)


def test_resolve_unknown_id_without_close_match():
    catalog = load_catalog("vn-infosec")
    with pytest.raises(LookupError) as info:
        catalog.criterion("zzz")
    assert isinstance(info.value, errors.UnknownCriterionError)
    assert "no such criterion" in str(info.value)
    assert "'zzz'" in str(info.value)


def test_resolve_ambiguous_short_id(tmp_path: Path, base: Path):
    other = write(tmp_path / "other.toml", BASE.replace('id = "demo"', 'id = "other"'))
    catalog = load_catalog([base, other])
    assert "lan" not in catalog
    with pytest.raises(errors.UnknownCriterionError) as info:
        catalog.resolve("lan")
    message = str(info.value)
    assert "ambiguous" in message
    assert "demo:lan" in message
    assert "other:lan" in message
    assert catalog.resolve("other:lan") == "other:lan"


# --------------------------------------------------------------------------- layers

LAYER = (
    LAYER_HEAD
    + """
[sources.bn-plan]
title = "Bac Ninh EMR roll-out plan 2025"

[[criterion]]
id = "bn.central_db"
title = { en = "Central database", vi = "Cơ sở dữ liệu tập trung" }
domain = "infra"
level = 2
requires = ["lan"]
source = { ref = "bn-plan", clause = "item 7", grade = "secondary" }

[[override.criterion]]
id = "orders"
weight = 2
requires = ["lan"]

[[override.deadline]]
id = "go-live"
source = { ref = "bn-plan", grade = "secondary" }
[[override.deadline.when]]
date = 2025-09-30
applies_to = [{ kind = "hospital" }, { kind = "medical_centre", has_beds = true }]
[[override.deadline.when]]
date = 2026-06-30

[[remove]]
id = "kiosk"
reason = "Not required by the province before 2027."
"""
)


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    return write(tmp_path / "bn-demo.toml", LAYER)


def test_layer_applies(base: Path, layer: Path):
    plain = load_catalog(base)
    catalog = load_catalog(base, layers=[layer])
    assert catalog is not plain
    assert catalog.id == "demo"  # the base id is kept
    # added
    added = catalog.criterion("bn.central_db")
    assert added.key == "demo:bn.central_db"
    assert added.prerequisites == ("demo:lan",)
    assert catalog.frameworks["demo"].sources["bn-plan"].title.startswith("Bac Ninh")
    # overridden: weight and requires replaced whole, other keys kept
    orders = catalog.criterion("orders")
    assert orders.weight == 2
    assert orders.prerequisites == ("demo:lan",)
    assert not catalog.graph.has_edge("demo:ward", "demo:orders")
    assert catalog.graph.has_edge("demo:lan", "demo:orders")
    assert orders.title == plain.criterion("orders").title
    assert orders.deadline == "demo:go-live"
    # deadline cases replaced whole
    deadline = catalog.deadline("go-live")
    assert [c.date for c in deadline.cases] == [dt.date(2025, 9, 30), dt.date(2026, 6, 30)]
    assert deadline.source.ref == "bn-plan"
    assert deadline.title == plain.deadline("go-live").title
    assert deadline.date_for({"kind": "medical_centre", "has_beds": True}) == dt.date(2025, 9, 30)
    assert deadline.date_for({"kind": "clinic", "has_beds": False}) == dt.date(2026, 6, 30)
    # removed
    assert "kiosk" not in catalog
    assert "demo:kiosk" not in catalog.graph
    # the plain catalog is untouched
    assert "kiosk" in plain
    assert plain.criterion("orders").weight == 1
    assert [c.date for c in plain.deadline("go-live").cases] == [
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]


def test_layer_version_and_record(base: Path, layer: Path):
    catalog = load_catalog(base, layers=[layer])
    assert catalog.version == "1.0+bn-demo.2025.1"
    record = Layer(id="bn-demo", version="2025.1", path=str(layer))
    assert catalog.frameworks["demo"].layers == (record,)
    assert load_catalog(base).frameworks["demo"].layers == ()


def test_catalog_records_its_layers(base: Path, layer: Path):
    # criteria/README.md, Layers rule 2: "Catalog.layers records each layer".
    catalog = load_catalog(base, layers=[layer])
    assert catalog.layers == (Layer(id="bn-demo", version="2025.1", path=str(layer)),)


def test_overridden_criterion_origin_names_the_layer(base: Path, layer: Path):
    # Criterion.origin: "file:line where it was defined (or last overridden)".
    catalog = load_catalog(base, layers=[layer])
    assert catalog.criterion("orders").origin.startswith(f"{layer}:")
    assert catalog.criterion("bn.central_db").origin.startswith(f"{layer}:")
    assert catalog.criterion("lan").origin.startswith(f"{base}:")


def test_two_layers_apply_in_order(tmp_path: Path, base: Path, layer: Path):
    second = write(
        tmp_path / "second.toml",
        LAYER_HEAD.replace('"bn-demo"', '"bn-2026"').replace('"2025.1"', '"3"')
        + '\n[[override.criterion]]\nid = "orders"\nweight = 5\n',
    )
    catalog = load_catalog(base, layers=[layer, second])
    assert catalog.criterion("orders").weight == 5
    assert catalog.criterion("orders").prerequisites == ("demo:lan",)
    assert catalog.version == "1.0+bn-demo.2025.1+bn-2026.3"
    assert [x.id for x in catalog.frameworks["demo"].layers] == ["bn-demo", "bn-2026"]


def test_layer_file_loaded_alone_loads_the_base(tmp_path: Path):
    text = (
        LAYER_HEAD.replace('extends = "demo"', 'extends = "vn-infosec"')
        + '\n[[override.criterion]]\nid = "vn.nd85.emr.approved"\nweight = 3\n'
    )
    path = write(tmp_path / "sec-layer.toml", text)
    catalog = load_catalog(path)
    assert catalog.id == "vn-infosec"
    assert catalog.version == load_catalog("vn-infosec").version + "+bn-demo.2025.1"
    assert catalog.criterion("vn.nd85.emr.approved").weight == 3
    assert load_catalog("vn-infosec").criterion("vn.nd85.emr.approved").weight == 1
    # The same layer via layers=
    assert load_catalog("vn-infosec", layers=[path]).version == catalog.version


def _layer_error(base: Path, path: Path, text: str) -> errors.CatalogError:
    write(path, LAYER_HEAD + text)
    return catalog_error(base, layers=[path])


def test_layer_override_unknown_criterion(tmp_path: Path, base: Path):
    path = tmp_path / "bad.toml"
    error = _layer_error(base, path, '\n[[override.criterion]]\nid = "wrad"\nweight = 2\n')
    (problem,) = error.problems
    assert problem.path == str(path)
    assert problem.line == line_of(path, 'id = "wrad"')
    assert "cannot override unknown criterion of 'demo'" in problem.message
    assert problem.value == "wrad"


def test_layer_override_unknown_deadline(tmp_path: Path, base: Path):
    path = tmp_path / "bad.toml"
    text = '\n[[override.deadline]]\nid = "golive"\n[[override.deadline.when]]\ndate = 2026-01-01\n'
    (problem,) = _layer_error(base, path, text).problems
    assert problem.path == str(path)
    assert problem.line == line_of(path, 'id = "golive"')
    assert "cannot override unknown deadline" in problem.message


def test_layer_adding_an_existing_criterion(tmp_path: Path, base: Path):
    path = tmp_path / "bad.toml"
    text = """
[[criterion]]
id = "ward"
title = { en = "Ward", vi = "Nội trú" }
domain = "infra"
level = 2
source = { grade = "inferred" }
"""
    (problem,) = _layer_error(base, path, text).problems
    assert problem.path == str(path)
    assert problem.line == line_of(path, 'id = "ward"')
    assert "already exists in 'demo'" in problem.message
    assert "[[override.criterion]]" in problem.message


def test_layer_removing_a_required_criterion(tmp_path: Path, base: Path):
    # "orders" still requires "ward": the problem must point at the [[remove]] of the layer and
    # say what still requires it, not report an "unknown prerequisite" in the base file.
    path = tmp_path / "bad.toml"
    error = _layer_error(base, path, '\n[[remove]]\nid = "ward"\nreason = "Not needed."\n')
    here = [p for p in error.problems if p.path == str(path)]
    assert here, str(error)
    problem = here[0]
    assert problem.line in (line_of(path, "[[remove]]"), line_of(path, 'id = "ward"'))
    assert "orders" in str(problem)


def test_layer_removing_an_unknown_criterion(tmp_path: Path, base: Path):
    path = tmp_path / "bad.toml"
    error = _layer_error(base, path, '\n[[remove]]\nid = "nosuch"\nreason = "x"\n')
    (problem,) = error.problems
    assert problem.path == str(path)
    assert problem.line == line_of(path, 'id = "nosuch"')
    assert "cannot remove unknown criterion" in problem.message


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ('\n[levels]\nrule = "threshold"\nthreshold = 0.5\n', "[levels]"),
        ('\n[[level]]\nnumber = 1\ntitle = { en = "One", vi = "Một" }\n', "[[level]]"),
    ],
    ids=["levels-table", "level-array"],
)
def test_layer_cannot_change_levels(tmp_path: Path, base: Path, text: str, header: str):
    path = tmp_path / "bad.toml"
    (problem,) = _layer_error(base, path, text).problems
    assert problem.path == str(path)
    assert problem.line == line_of(path, header)
    assert "a layer cannot change levels" in problem.message


def test_layers_given_a_non_layer_file(tmp_path: Path, base: Path):
    other = write(tmp_path / "other.toml", BASE.replace('id = "demo"', 'id = "other"'))
    error = catalog_error(base, layers=[other])
    (problem,) = error.problems
    assert problem.path == str(other)
    assert problem.line == line_of(other, "[catalog]")
    assert "is not a layer" in problem.message


def test_layer_over_a_catalog_that_is_not_loaded(tmp_path: Path, base: Path):
    path = write(tmp_path / "layer.toml", LAYER_HEAD.replace('"demo"', '"nope-catalog"'))
    error = catalog_error(base, layers=[path])
    assert any(p.value == "nope-catalog" and p.path == str(path) for p in error.problems)


def test_layer_problems_are_validated_after_merge(tmp_path: Path, base: Path):
    # A merged catalog is validated like any other: an override making a cycle is reported.
    path = write(
        tmp_path / "cycle.toml",
        LAYER_HEAD + '\n[[override.criterion]]\nid = "lan"\nlevel = 2\nrequires = ["orders"]\n',
    )
    with pytest.raises(errors.CycleError) as info:
        load_catalog(base, layers=[path])
    assert "demo:lan" in info.value.cycle
    assert "dependency cycle" in str(info.value)
