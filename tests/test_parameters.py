"""Signatures, constraints and docs of every public estimator agree.

Shared parameters are declared once (``sklearn_dl._core.parameters``) and
composed into each estimator; these tests read what a user sees (the
signature, ``_parameter_constraints``, the docstring as numpydoc parses it)
and check that the three say the same thing.
"""

import ast
import copy
import inspect
import pydoc

import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.base import BaseEstimator, clone

import sklearn_dl.networks
from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl._compat import InvalidParameterError
from sklearn_dl._core.parameters import (
    CORE_PARAMETERS,
    Parameter,
    compose_parameters,
    parameter_set,
)
from sklearn_dl.forecasting import WindowedForecaster
from sklearn_dl.networks import TextGenerator
from tests.builders import mlp


def _public_estimators():
    found = [
        getattr(sklearn_dl.networks, name)
        for name in sklearn_dl.networks.__all__
        if name != "TextSampleCallback"  # a Keras callback, not an estimator
    ]
    found = [obj for obj in found if inspect.isclass(obj)]
    found += [KerasClassifier, KerasRegressor, WindowedForecaster, TextGenerator]
    return sorted(set(found), key=lambda cls: cls.__name__)


ESTIMATORS = _public_estimators()

#: Parameters an estimator words its own way although another estimator has
#: a parameter of that name. Anything else shared must come from one
#: declaration, never from a copy in a docstring.
WRITTEN_OVERRIDES = {
    ("TextGenerator", "callbacks"),  # points at TextSampleCallback
    ("TextGenerator", "units"),  # LSTM layers, not recurrent_dropout's units
    ("TextGenerator", "warm_start"),  # the vocabulary of the first fit stays
}


def _signature(cls):
    """``__init__``'s parameters by documented name (``**kwargs`` included)."""
    return {
        (f"**{name}" if p.kind is p.VAR_KEYWORD else name): p
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self"
    }


def _documented(cls):
    """The docstring's Parameters entries as numpydoc parses them."""
    doc = ClassDoc(cls, config={"show_class_members": False})
    return {p.name: p for p in doc["Parameters"]}


def _text(entry):
    return " ".join(" ".join(entry.desc).split())


def _written(cls):
    """Names documented in the class itself rather than from a declaration."""
    declared = getattr(cls, "_parameter_declarations", {})
    return set(_signature(cls)) - set(declared)


def test_every_public_estimator_is_covered():
    names = {cls.__name__ for cls in ESTIMATORS}
    assert {
        "DenseClassifier",
        "DenseRegressor",
        "ConvClassifier",
        "ConvRegressor",
        "RecurrentClassifier",
        "RecurrentRegressor",
        "TextGenerator",
        "KerasClassifier",
        "KerasRegressor",
        "WindowedForecaster",
    } <= names


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_constraints_name_exactly_the_parameters(cls):
    names = {name for name, p in _signature(cls).items() if p.kind is not p.VAR_KEYWORD}
    assert set(cls._parameter_constraints) == names


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_docs_list_the_parameters_in_signature_order(cls):
    assert list(_documented(cls)) == list(_signature(cls))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_documented_defaults_are_the_signature_defaults(cls):
    documented = _documented(cls)
    for name, argument in _signature(cls).items():
        kind, _, default = documented[name].type.rpartition(", default=")
        if argument.default is inspect.Parameter.empty:
            assert not kind, f"{name} documents a default it does not have"
            continue
        assert kind, f"{name}'s default is not documented"
        value = ast.literal_eval(default)
        # type too: default=0 must not document a default of 0.0 or False.
        assert (type(value), value) == (type(argument.default), argument.default), name


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_declared_parameters_read_as_declared(cls):
    documented = _documented(cls)
    for name, declaration in getattr(cls, "_parameter_declarations", {}).items():
        entry = documented[name]
        assert entry.type.split(", default=")[0] == declaration.type, name
        assert _text(entry) == " ".join(declaration.doc.split()), name


def test_shared_parameters_read_the_same_everywhere():
    """A name's wording comes from one declaration, or is a listed override."""
    wordings = {}
    for cls in ESTIMATORS:
        documented = _documented(cls)
        declared = getattr(cls, "_parameter_declarations", {})
        for name in _signature(cls):
            source = declared.get(name)
            wordings.setdefault(name, []).append((cls.__name__, source, documented))
    overrides = set()
    for name, users in wordings.items():
        if len(users) < 2:
            continue
        for cls_name, source, _ in users:
            if source is None:
                overrides.add((cls_name, name))
        # Estimators rendering the same declaration read identically.
        by_declaration = {}
        for _, source, documented in users:
            if source is not None:
                text = _text(documented[name])
                by_declaration.setdefault(source, set()).add(text)
        assert all(len(texts) == 1 for texts in by_declaration.values()), name
    assert overrides == WRITTEN_OVERRIDES


def test_written_overrides_differ_from_the_declarations():
    """An override that repeats the declared text is a copy to remove."""
    declared_texts = {}
    for cls in ESTIMATORS:
        for name, p in getattr(cls, "_parameter_declarations", {}).items():
            declared_texts.setdefault(name, set()).add(" ".join(p.doc.split()))
    for cls_name, name in WRITTEN_OVERRIDES:
        cls = next(cls for cls in ESTIMATORS if cls.__name__ == cls_name)
        assert _text(_documented(cls)[name]) not in declared_texts.get(name, set())


def test_batch_size_is_worded_three_times_at_most():
    """It had six wordings; now the core's, the stateful networks' and the
    wrappers' (which also take scikeras's -1, every row in one batch)."""
    texts = {
        _text(_documented(cls)["batch_size"])
        for cls in ESTIMATORS
        if "batch_size" in _signature(cls)
    }
    assert len(texts) == 3


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_help_and_get_params_see_every_parameter(cls):
    rendered = pydoc.render_doc(cls, renderer=pydoc.plaintext)
    for name in _signature(cls):
        assert f"{name} : " in rendered, name
    params = cls().get_params(deep=False)
    assert set(params) == {n for n in _signature(cls) if not n.startswith("**")}


@pytest.mark.parametrize(
    ("estimator", "name"),
    [
        (sklearn_dl.networks.DenseClassifier(batch_size=0), "batch_size"),
        (sklearn_dl.networks.RecurrentRegressor(cell="cnn"), "cell"),
        (sklearn_dl.networks.ConvRegressor(padding="full"), "padding"),
        (TextGenerator(level="sentence"), "level"),
        (KerasRegressor(model=3), "model"),
    ],
)
def test_composed_constraints_validate(estimator, name):
    with pytest.raises(InvalidParameterError, match=name):
        estimator._validate_params()


# ------------------------------------------------- routed wrapper parameters
def test_routed_parameters_are_parameters_not_attributes():
    est = KerasClassifier(mlp, optimizer__learning_rate=0.01, model__hidden=8)
    public = {name for name in vars(est) if not name.startswith("_")}
    assert public == set(KerasClassifier._get_param_names())
    params = est.get_params(deep=False)
    assert params["optimizer__learning_rate"] == 0.01
    assert params["model__hidden"] == 8
    twin = clone(est)
    assert twin.get_params(deep=False) == params


def test_set_params_on_a_copy_leaves_the_original_alone():
    est = KerasRegressor(mlp, optimizer__learning_rate=0.01)
    twin = copy.copy(est).set_params(optimizer__learning_rate=0.5, fit__verbose=0)
    assert est.get_params()["optimizer__learning_rate"] == 0.01
    assert "fit__verbose" not in est.get_params()
    assert twin.get_params()["optimizer__learning_rate"] == 0.5


# ------------------------------------------------------ the decorator itself
_SIZE = Parameter("size", ("boolean",), "int", "How big.")
_COLOUR = Parameter("colour", (str,), "str", "Which colour.")


def _toy(doc, **own_constraints):
    class Toy(BaseEstimator):
        _parameter_constraints = own_constraints

        def __init__(self, size=3, *, colour="red", shade=0.5):
            self.size = size
            self.colour = colour
            self.shade = shade

    Toy.__doc__ = doc
    return Toy


_TOY_DOC = """A toy.

    Parameters
    ----------
    shade : float, default=0.5
        How dark.

    Attributes
    ----------
    seen_ : bool
        Whether it was fitted.
    """


def test_decorator_composes_docs_and_constraints_in_signature_order():
    toy = compose_parameters(parameter_set(_SIZE, _COLOUR))(
        _toy(_TOY_DOC, shade=[float])
    )
    documented = _documented(toy)
    assert list(documented) == ["size", "colour", "shade"]
    assert documented["size"].type == "int, default=3"  # from the signature
    assert documented["colour"].type == 'str, default="red"'
    assert toy._parameter_constraints == {
        "size": ["boolean"],
        "colour": [str],
        "shade": [float],
    }
    assert "seen_ : bool" in toy.__doc__
    assert set(toy._parameter_declarations) == {"size", "colour"}


def test_later_sets_and_written_entries_override():
    louder = parameter_set(_COLOUR.reworded("Which colour, loudly."))
    doc = _TOY_DOC.replace(
        "    shade :", "    size : int, default=3\n        Its own size.\n    shade :"
    )
    toy = compose_parameters(parameter_set(_SIZE, _COLOUR), louder)(
        _toy(doc, shade=[float])
    )
    documented = _documented(toy)
    assert _text(documented["colour"]) == "Which colour, loudly."
    assert _text(documented["size"]) == "Its own size."
    assert set(toy._parameter_declarations) == {"colour"}
    # A written entry overrides the text, never the declared constraint.
    assert toy._parameter_constraints["size"] == ["boolean"]


@pytest.mark.parametrize(
    ("sets", "doc", "own", "message"),
    [
        ((_SIZE,), _TOY_DOC, {"shade": [float]}, "'colour' is neither declared"),
        ((_SIZE, _COLOUR), _TOY_DOC, {}, "'shade' has no constraint"),
        (
            (_SIZE, _COLOUR),
            _TOY_DOC,
            {"shade": [float], "hue": [str]},
            r"constrains \['hue'\]",
        ),
        (
            (_SIZE, _COLOUR),
            _TOY_DOC.replace("shade :", "hue :"),
            {"shade": [float]},
            r"documents \['hue'\]",
        ),
        ((_SIZE, _COLOUR), "A toy.", {"shade": [float]}, "no Parameters section"),
    ],
)
def test_decorator_refuses_disagreement(sets, doc, own, message):
    with pytest.raises(TypeError, match=message):
        compose_parameters(parameter_set(*sets))(_toy(doc, **own))


def test_a_set_declares_each_name_once():
    with pytest.raises(ValueError, match="once"):
        parameter_set(_SIZE, _SIZE.reworded("Twice."))


def test_core_parameters_are_the_core_constraints():
    from sklearn_dl._core.estimator import BaseKerasEstimator

    assert set(BaseKerasEstimator._parameter_constraints) == set(CORE_PARAMETERS)


def test_a_subclass_not_calling_the_wrapper_init_has_no_routed_parameters():
    class Fixed(KerasRegressor):
        def __init__(self, epochs=2):
            self.epochs = epochs

    est = Fixed().set_params(optimizer__learning_rate=0.1)
    assert est.get_params()["optimizer__learning_rate"] == 0.1
    assert "optimizer__learning_rate" not in Fixed().get_params()
