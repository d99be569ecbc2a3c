"""RelevanceReport.to_dict follows its documented, versioned JSON Schema
(docs/_static/report.schema.json, draft 2020-12), and the schema documents
every field it allows."""

import io
import json
import pathlib

import jsonschema
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression, Ridge

from skl_lrp import cross_val_relevance
from skl_lrp._report_json import SCHEMA_VERSION

SCHEMA_PATH = (
    pathlib.Path(__file__).resolve().parents[1] / "docs/_static/report.schema.json"
)


@pytest.fixture(scope="module")
def schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def documents():
    """to_dict() of a classifier's, a multiclass and two regressors' reports."""
    reports = {}
    X, y = load_breast_cancer(return_X_y=True)
    reports["classifier"] = cross_val_relevance(
        LogisticRegression(max_iter=2000), X[::3, :6], y[::3], cv=3, random_state=0
    )
    X, y = load_iris(return_X_y=True)
    reports["multiclass"] = cross_val_relevance(
        LogisticRegression(max_iter=500), X, y, cv=3, n_repeats=2, random_state=0
    )
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    X[:, 2] = np.arange(60)  # an identifier: a warning that names a column
    with pytest.warns(UserWarning, match="like an identifier"):
        reports["regressor"] = cross_val_relevance(
            Ridge(), X, X @ [2.0, -1.0, 0.0], cv=3, random_state=0
        )
    reports["regressor without permutation importance"] = cross_val_relevance(
        Ridge(), X[:, :1], X[:, 0], cv=2, n_repeats=0
    )
    return {name: report.to_dict() for name, report in reports.items()}


def test_the_schema_is_draft_2020_12_of_this_version(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_to_dict_validates_against_the_schema(schema, documents):
    validator = jsonschema.Draft202012Validator(schema)
    for name, document in documents.items():
        errors = [error.message for error in validator.iter_errors(document)]
        assert errors == [], name
        # Plain JSON: a round trip changes nothing.
        text = json.dumps(document, allow_nan=False)
        assert json.loads(text) == document
        assert document["schema_version"] == SCHEMA_VERSION
    # What the documents cover: classes or not, missing figures as null.
    assert len(documents["multiclass"]["classes"]) == 3
    assert documents["regressor"]["classes"] is None
    assert documents["regressor"]["warnings"][0]["column"] == "x2"
    bare = documents["regressor without permutation importance"]
    assert bare["importance_agreement"] is None and bare["rank_spearman"] is None
    assert bare["features"][0]["permutation_rank"] is None


def test_the_schema_rejects_what_it_does_not_document(schema, documents):
    validator = jsonschema.Draft202012Validator(schema)
    document = json.loads(json.dumps(documents["classifier"]))
    document["unknown"] = 1
    document["features"][0]["per_fold"] = "not a list"
    del document["settings"]["meaning"]
    document["schema_version"] = "0.9"
    paths = {
        "/".join(map(str, error.absolute_path))
        for error in validator.iter_errors(document)
    }
    assert paths == {"", "features/0/per_fold", "settings", "schema_version"}


def _fields(node, path="$"):
    """Every field a schema node declares, with its path."""
    for name, field in node.get("properties", {}).items():
        yield f"{path}.{name}", field
        yield from _fields(field, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from _fields(node["items"], f"{path}[]")


def test_every_field_of_the_schema_is_described(schema):
    fields = dict(_fields(schema))
    assert len(fields) > 40  # (the walk reaches the nested objects)
    undescribed = [
        path for path, field in fields.items() if not field.get("description")
    ]
    assert undescribed == []
    # Every object is closed: a field the schema does not describe is an error.
    for path, field in [("$", schema), *fields.items()]:
        if field.get("type") == "object" and "properties" in field:
            assert field["additionalProperties"] is False, path


def test_the_command_lines_json_validates_too(schema, tmp_path):
    from skl_lrp._cli import main

    html, js = tmp_path / "r.html", tmp_path / "r.json"
    argv = ["report", "--dataset", "iris", "--cv", "2", "--max-iter", "50"]
    assert main([*argv, "--out", str(html), "--json", str(js)], out=io.StringIO()) == 0
    document = json.loads(js.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    # Its "non_finite" list, when there is one, is part of the schema too.
    document["non_finite"] = {
        "note": "written as null",
        "values": [{"path": "ledger.dead", "value": "not a number"}],
    }
    jsonschema.Draft202012Validator(schema).validate(document)
