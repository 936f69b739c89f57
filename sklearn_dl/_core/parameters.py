"""Parameters shared by several estimators, each declared once.

A :class:`Parameter` holds what every estimator taking that parameter must
agree on: its name, its constraint (scikit-learn's ``_parameter_constraints``
vocabulary), its numpydoc type and its description. Estimators keep their
``__init__`` signatures explicit (scikit-learn's ``get_params``, ``help()``
and IDEs read them) and are composed from the declarations by the
:func:`compose_parameters` class decorator, which

- builds the class's ``_parameter_constraints`` for exactly the names of its
  signature, from the declarations and the constraints of the class's own
  parameters (given in the class body);
- rebuilds the class docstring's Parameters section in signature order: the
  entries written in the docstring (the class's own parameters, or an
  override of a shared one for this class only) are kept, every other one is
  rendered from its declaration with the default read from the signature,
  so the documented default cannot drift from the real one.

Declarations come in parameter sets (read-only mappings); later sets given to
the decorator replace earlier ones name by name, which is how a family of
networks words a shared parameter its own way (``dropout`` of a recurrent
layer) once for all its estimators.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from numbers import Integral, Real
from types import MappingProxyType
from typing import Any, TypeVar

from sklearn_dl._compat import HasMethods, Interval, StrOptions

__all__ = [
    "CLASSIFIER_PARAMETERS",
    "CORE_PARAMETERS",
    "REGRESSOR_PARAMETERS",
    "Parameter",
    "compose_parameters",
    "constraints_of",
    "parameter_set",
]

_T = TypeVar("_T", bound=type)

_SECTION = "Parameters"


@dataclass(frozen=True)
class Parameter:
    """One parameter as every estimator taking it documents and validates it.

    Parameters
    ----------
    name : str
        The ``__init__`` argument's name (``"**kwargs"`` for a variadic one).
    constraint : tuple
        scikit-learn constraints (``Interval``, ``"boolean"``, types ...);
        empty for ``**kwargs``, which is never validated as a whole.
    type : str
        The numpydoc type, without the default (``"int"``,
        ``"{"lstm", "gru"}"``).
    doc : str
        The description, one paragraph; it is wrapped when rendered.
    """

    name: str
    constraint: tuple
    type: str
    doc: str

    def reworded(self, doc: str, type: str | None = None) -> Parameter:
        """The same parameter described differently (for one family).

        Parameters
        ----------
        doc : str
            The new description.
        type : str, default=None
            The new numpydoc type; None keeps this one.

        Returns
        -------
        Parameter
            A new declaration with this one's name and constraint.
        """
        return replace(self, doc=doc, type=self.type if type is None else type)

    def header(self, default: Any = inspect.Parameter.empty) -> str:
        """The numpydoc line ``name : type, default=...``.

        Parameters
        ----------
        default : object, default=inspect.Parameter.empty
            The signature's default; ``inspect.Parameter.empty`` for none.

        Returns
        -------
        str
            The entry's first line.
        """
        if default is inspect.Parameter.empty:
            return f"{self.name} : {self.type}"
        return f"{self.name} : {self.type}, default={format_default(default)}"

    def render(self, default: Any = inspect.Parameter.empty) -> list[str]:
        """The numpydoc entry: the header, then the wrapped description.

        Parameters
        ----------
        default : object, default=inspect.Parameter.empty
            The signature's default; ``inspect.Parameter.empty`` for none.

        Returns
        -------
        list of str
            The entry's lines (the description indented by four spaces).
        """
        body = textwrap.wrap(
            " ".join(self.doc.split()),
            width=79,
            initial_indent="    ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        return [self.header(default), *body]


def format_default(value: Any) -> str:
    """A default as numpydoc writes it: strings double-quoted, else ``repr``.

    Parameters
    ----------
    value : object
        The default.

    Returns
    -------
    str
        Its text after ``default=``.
    """
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def parameter_set(*parameters: Parameter) -> Mapping[str, Parameter]:
    """A read-only mapping of declarations by name.

    Parameters
    ----------
    *parameters : Parameter
        The declarations; names must be unique.

    Returns
    -------
    Mapping
        ``name -> Parameter``, read-only.

    Raises
    ------
    ValueError
        If two declarations have the same name.
    """
    by_name = {parameter.name: parameter for parameter in parameters}
    if len(by_name) != len(parameters):
        raise ValueError("Each parameter is declared once per parameter set.")
    return MappingProxyType(by_name)


def constraints_of(parameters: Mapping[str, Parameter]) -> dict[str, list]:
    """``_parameter_constraints`` for every declaration of a set.

    Parameters
    ----------
    parameters : Mapping
        A parameter set.

    Returns
    -------
    dict
        ``name -> list of constraints`` (fresh lists).
    """
    return {name: list(p.constraint) for name, p in parameters.items()}


_POSITIVE_INT = Interval(Integral, 1, None, closed="left")

#: Parameters of every estimator built on the core (``BaseKerasEstimator``).
CORE_PARAMETERS = parameter_set(
    Parameter(
        "optimizer",
        (str, type, HasMethods(["apply_gradients"])),
        "str, optimizer class or instance",
        "The optimizer: a name, a class or an instance. A fresh one is built "
        "for every fit, configured by the ``optimizer__*`` parameters (e.g. "
        "``optimizer__weight_decay=1e-4``).",
    ),
    Parameter(
        "loss",
        (str, callable, None),
        "str, loss class, instance or callable",
        "The loss; None chooses one from the targets.",
    ),
    Parameter(
        "metrics",
        (list, tuple, None),
        "list",
        "Metrics reported per epoch in ``history_``: names, classes or "
        'instances (e.g. ``["accuracy"]``).',
    ),
    Parameter(
        "batch_size",
        (_POSITIVE_INT, None),
        "int",
        "Samples (rows, images, sequences or text fragments) per gradient "
        "step; None means Keras's default, 32.",
    ),
    Parameter("epochs", (_POSITIVE_INT,), "int", "Epochs per ``fit``."),
    Parameter(
        "verbose",
        (Interval(Integral, 0, 2, closed="both"), StrOptions({"auto"})),
        '{0, 1, 2, "auto"}',
        "Keras's training output.",
    ),
    Parameter(
        "callbacks",
        (list, tuple, dict, None),
        "list or dict",
        "Keras callbacks: classes (configured by ``callbacks__*`` "
        "parameters) or instances (copied for each fit).",
    ),
    Parameter(
        "validation_split",
        (Interval(Real, 0, 1, closed="left"),),
        "float",
        "Fraction of the training samples (the last ones) held out for "
        "validation metrics (``val_loss`` ... in ``history_``).",
    ),
    Parameter(
        "shuffle",
        ("boolean",),
        "bool",
        "Shuffle the training samples before each epoch.",
    ),
    Parameter(
        "run_eagerly",
        ("boolean",),
        "bool",
        "Run Keras's train step eagerly (for debugging).",
    ),
    Parameter(
        "random_state",
        ("random_state",),
        "int, RandomState instance or None",
        "Seeds weight initialisation, shuffling and the randomness of "
        "training (dropout, augmentation); an int makes fits repeatable. "
        "NumPy's and Python's global generators are left as they were.",
    ),
    Parameter(
        "warm_start",
        ("boolean",),
        "bool",
        "When True, ``fit`` continues training the current network instead "
        "of building a new one.",
    ),
    Parameter(
        "device",
        (None, str, Interval(Integral, 0, None, closed="left")),
        '{"auto", "cpu"}, int, str or None',
        'Where to train and predict. None or "auto": each process takes its '
        "own GPU (round-robin over the visible GPUs, so parallel search "
        "workers spread out) when there are GPUs, else the backend's "
        'default; "cpu"; a GPU index or "gpu:<index>".',
    ),
    Parameter(
        "mixed_precision",
        ("boolean",),
        "bool",
        'Build the network under Keras\'s "mixed_float16" policy (float16 '
        "computations, float32 weights): faster on recent GPUs.",
    ),
)

#: What classifiers add or word differently.
CLASSIFIER_PARAMETERS = parameter_set(
    CORE_PARAMETERS["loss"].reworded(
        "The loss; None chooses binary cross-entropy for one sigmoid output "
        "(the ready networks' output for binary targets) and sparse "
        "categorical cross-entropy for one output per class."
    ),
    Parameter(
        "class_weight",
        (dict, StrOptions({"balanced"}), None),
        'dict or "balanced"',
        'Weights of the classes, keyed by label; "balanced" weighs each '
        "class inversely to its frequency in the training labels.",
    ),
)

#: What regressors word differently.
REGRESSOR_PARAMETERS = parameter_set(
    CORE_PARAMETERS["loss"].reworded("The loss; None means mean squared error."),
)


def _parameters_section(doc: str) -> tuple[int, int]:
    """Line span ``[start, end)`` of the Parameters entries of a clean docstring."""
    lines = doc.splitlines()
    for index in range(len(lines) - 1):
        if lines[index] == _SECTION and set(lines[index + 1]) == {"-"}:
            start = index + 2
            break
    else:
        raise ValueError("the docstring has no Parameters section")
    end = start
    while end < len(lines):
        is_header = (
            end + 1 < len(lines)
            and lines[end]
            and not lines[end].startswith(" ")
            and set(lines[end + 1]) == {"-"}
        )
        if is_header:
            break
        end += 1
    # The blank line before the next section stays outside the entries.
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def _written_entries(lines: list[str]) -> dict[str, list[str]]:
    """The entries written in a Parameters section, by parameter name."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line and not line.startswith(" "):
            name = line.split(" : ")[0].strip()
            current = entries.setdefault(name, [])
            if current:
                raise ValueError(f"{name} is documented twice")
        if current is None:
            raise ValueError(f"text before the first parameter: {line!r}")
        current.append(line)
    return entries


def compose_parameters(
    *parameter_sets: Mapping[str, Parameter],
) -> Callable[[_T], _T]:
    """Class decorator: constraints and Parameters docs from declarations.

    Every parameter of the class's explicit ``__init__`` is either the
    class's own (documented in its docstring's Parameters section, its
    constraint in the ``_parameter_constraints`` of the class body) or
    declared in one of ``parameter_sets``. A declared parameter may still be
    documented in the docstring, which then overrides the declared text for
    this class only.

    Parameters
    ----------
    *parameter_sets : Mapping
        Declarations (see :func:`parameter_set`); a later set replaces an
        earlier one's declaration of the same name.

    Returns
    -------
    callable
        The decorator. It sets ``_parameter_constraints`` (exactly the
        signature's names, ``**kwargs`` aside), the docstring, and
        ``_parameter_declarations`` (name to the declaration rendered, for
        the parameters not documented in the class itself).

    Raises
    ------
    TypeError
        When the class is decorated, if a parameter is neither declared nor
        documented (or has no constraint), or if the docstring or the class's
        constraints name a parameter the signature does not have.
    """
    declared: dict[str, Parameter] = {}
    for parameters in parameter_sets:
        declared.update(parameters)

    def decorate(cls: _T) -> _T:
        signature = inspect.signature(cls.__init__).parameters
        names = {
            (f"**{name}" if p.kind is p.VAR_KEYWORD else name): p
            for name, p in signature.items()
            if name != "self"
        }
        doc = inspect.cleandoc(cls.__doc__ or "")
        try:
            start, end = _parameters_section(doc)
            lines = doc.splitlines()
            written = _written_entries(lines[start:end])
        except ValueError as error:
            raise TypeError(f"{cls.__name__}'s docstring: {error}.") from None
        strays = set(written) - set(names)
        if strays:
            raise TypeError(
                f"{cls.__name__}'s docstring documents {sorted(strays)}, which "
                "its __init__ does not take."
            )
        own = dict(vars(cls).get("_parameter_constraints", {}))
        strays = set(own) - set(names)
        if strays:
            raise TypeError(
                f"{cls.__name__} constrains {sorted(strays)}, which its "
                "__init__ does not take."
            )
        section: list[str] = []
        constraints: dict[str, list] = {}
        used: dict[str, Parameter] = {}
        for name, argument in names.items():
            if name in written:
                section.extend(written[name])
            elif name in declared:
                used[name] = declared[name]
                section.extend(declared[name].render(argument.default))
            else:
                raise TypeError(
                    f"{cls.__name__}'s parameter {name!r} is neither declared "
                    "nor documented in its docstring."
                )
            if argument.kind is argument.VAR_KEYWORD:
                continue
            if name in own:
                constraints[name] = own[name]
            elif name in declared:
                constraints[name] = list(declared[name].constraint)
            else:
                raise TypeError(
                    f"{cls.__name__}'s parameter {name!r} has no constraint."
                )
        cls.__doc__ = "\n".join([*lines[:start], *section, *lines[end:]])
        cls._parameter_constraints = constraints
        cls._parameter_declarations = MappingProxyType(used)
        return cls

    return decorate
