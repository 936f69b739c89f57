"""Text generation: ``TextGenerator``, a next-token LSTM network as an estimator.

The book's text generators (part 3, section 5): cut a corpus into fragments
of ``window_length`` characters (or words) every ``step`` tokens, train
stacked LSTMs to predict the token that follows each fragment, then write
new text one token at a time, sampling each next token from the network's
probabilities sharpened or flattened by a *temperature*, the window sliding
over the text written so far.

Two things differ from the book, both for memory:

- fragments are never one-hot encoded in NumPy. The book's boolean array
  ``(n_fragments, 40, n_chars)`` takes gigabytes for a novel; here the
  corpus is one ``int32`` array of token ids plus the start offset of every
  fragment, and a :class:`keras.utils.PyDataset` gathers the fragments of one
  batch at a time. The network one-hot encodes inside the model (a frozen
  identity ``Embedding``: row ``i`` is token ``i``'s one-hot vector) or
  learns an embedding (``embedding_dim``).
- the network reads sequences of any length, so a seed shorter than
  ``window_length`` can start generation and compiled models are reused
  across values of ``window_length`` in a grid search.

Keras is imported only when a network is built or a callback is created.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._backend.runtime import first_traces, predictions_take_turns
from sklearn_dl._compat import Interval, StrOptions
from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.feeders import EpochOrdered, fresh_seed
from sklearn_dl._core.parameters import CORE_PARAMETERS, compose_parameters
from sklearn_dl._core.targets import TargetAdapter
from sklearn_dl.networks._common import (
    NETWORK_PARAMETERS,
    NetworkMixin,
    check_layer_sizes,
)
from sklearn_dl.preprocessing._text import TextVocabulary, _check_texts

__all__ = ["TextGenerator", "TextSampleCallback", "sample_with_temperature"]

#: Defined on first use by the module's ``__getattr__`` (it subclasses a
#: Keras class, and this module must not import Keras).
TextSampleCallback: type

#: Probabilities are clipped here before the log, as Keras's cross-entropy does.
_PROBABILITY_FLOOR = 1e-7
#: How many training fragments are kept to seed ``generate`` without a seed.
_N_SEED_FRAGMENTS = 16


def sample_with_temperature(
    probabilities: Any, temperature: float = 1.0, random_state: Any = None
) -> int:
    """Draw one token id from a network's probabilities, with a temperature.

    The book's ``choose_probability`` (after Chollet): the probabilities are
    raised to the power ``1 / temperature`` and renormalized, then one index
    is drawn. A temperature below 1 makes likely tokens likelier (safer,
    more repetitive text); above 1 it flattens the distribution (more
    surprising text, more misspellings). Zero probabilities are never drawn.

    Parameters
    ----------
    probabilities : array-like of shape (n_tokens,)
        Non-negative values with a positive sum (a softmax output).
    temperature : float, default=1.0
        Positive temperature; 1 samples from the probabilities as they are.
    random_state : int, RandomState instance or None, default=None
        Source of randomness.

    Returns
    -------
    int
        The drawn index.

    Examples
    --------
    >>> from sklearn_dl.networks import sample_with_temperature
    >>> sample_with_temperature([0.0, 0.1, 0.9], temperature=0.01, random_state=0)
    2
    """
    if not (isinstance(temperature, Real) and temperature > 0):
        raise ValueError(f"temperature must be a positive number; got {temperature!r}.")
    weights = np.asarray(probabilities, dtype=np.float64).ravel()
    if weights.size == 0 or not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("probabilities must be finite, non-negative and not empty.")
    positive = weights > 0
    if not positive.any():
        raise ValueError("probabilities must not all be zero.")
    logits = np.full(weights.shape, -np.inf)
    logits[positive] = np.log(weights[positive]) / float(temperature)
    weights = np.exp(logits - logits[positive].max())
    weights /= weights.sum()
    return int(check_random_state(random_state).choice(weights.size, p=weights))


class _TokenWindows:
    """Fragments of a token-id array, described by their start offsets.

    Looks enough like an ``(n_fragments, window_length)`` array for the
    estimator core (``shape``, ``dtype``, ``len``, indexing), but holds only
    the ids and the starts: indexing gathers just the asked-for fragments.
    """

    def __init__(self, ids: np.ndarray, starts: np.ndarray, window_length: int):
        self.ids = ids
        self.starts = starts
        self.window_length = window_length
        self.shape = (starts.shape[0], window_length)
        self.dtype = ids.dtype
        self._offsets = np.arange(window_length)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: Any) -> np.ndarray:
        starts = np.atleast_1d(self.starts[index])
        return self.ids[starts[:, None] + self._offsets]

    def targets(self, index: Any = slice(None)) -> np.ndarray:
        """The token following each selected fragment."""
        return self.ids[np.atleast_1d(self.starts[index]) + self.window_length]

    def subset(self, index: Any) -> _TokenWindows:
        """The selected fragments, sharing the ids."""
        return _TokenWindows(self.ids, self.starts[index], self.window_length)


@functools.cache
def _token_batches_class() -> type:
    """The :class:`keras.utils.PyDataset` feeding fragments batch by batch."""
    keras = import_keras()

    class TokenWindowBatches(keras.utils.PyDataset, EpochOrdered):
        """Batches ``(fragments, next tokens)`` gathered from token ids.

        Shuffling permutes the fragments (not just the batches) before each
        epoch, in the order the fit's seed gives that epoch (see
        :class:`~sklearn_dl._core.feeders.EpochOrdered`), so results do not
        depend on Keras's batch-order shuffling nor on any global generator.
        """

        def __init__(
            self, windows: _TokenWindows, batch_size: int, shuffle: bool
        ) -> None:
            keras.utils.PyDataset.__init__(self, workers=1, use_multiprocessing=False)
            EpochOrdered.__init__(self, len(windows), shuffle)
            self.windows = windows
            self.batch_size = batch_size

        def __len__(self) -> int:
            return math.ceil(len(self.windows) / self.batch_size)

        def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
            chosen = slice(index * self.batch_size, (index + 1) * self.batch_size)
            order = self.order()
            if order is not None:
                chosen = order[chosen]
            return self.windows[chosen], self.windows.targets(chosen)

        def on_epoch_end(self) -> None:
            self.next_epoch()

    TokenWindowBatches.__module__ = __name__
    return TokenWindowBatches


class TokenWindowFeeder:
    """Feeds a text generator's fragments through a ``PyDataset``.

    Fragments are integer windows over one token array; batches are cut
    from them on the fly (the book's one-hot array would not fit in memory)
    and, when shuffled, come in each epoch's order drawn from the fit's
    seed (``EpochOrdered``). ``validation_split`` holds out the last
    fragments, as Keras would.

    Parameters
    ----------
    seed : int or None
        The fit's seed; None draws a fresh one.
    """

    def __init__(self, seed: int | None) -> None:
        self.seed = fresh_seed() if seed is None else seed

    def fit_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The ``Model.fit`` arguments feeding the fragments in batches.

        Parameters
        ----------
        arguments : dict
            Keyword arguments for ``Model.fit``; ``x`` holds the fragments.

        Returns
        -------
        dict
            The arguments to use (a new dict).
        """
        windows: _TokenWindows = arguments["x"]
        batch_size = arguments["batch_size"] or 32
        # As Keras's validation_split: the last fragments, rounded down.
        n_validation = int(len(windows) * arguments["validation_split"])
        n_train = len(windows) - n_validation
        batches = _token_batches_class()
        training = batches(
            windows.subset(slice(0, n_train)), batch_size, arguments["shuffle"]
        )
        training.start(self.seed, arguments.get("initial_epoch", 0))
        fitted = {
            **arguments,
            "x": training,
            "y": None,
            "sample_weight": None,
            "batch_size": None,
            "shuffle": False,
            "validation_split": 0.0,
            "class_weight": None,
        }
        validation = arguments.get("validation_data")
        if n_validation:
            validation = (windows.subset(slice(n_train, None)), None)
        if validation is not None:
            fitted["validation_data"] = batches(validation[0], batch_size, False)
        return fitted


class TokenTargets(TargetAdapter):
    """Texts in, fragments and their next tokens as targets.

    ``fit(texts)`` validates texts (``y`` is ignored); a new fit learns the
    vocabulary first. The targets are token ids of that vocabulary, so
    there is nothing else to learn and nothing to encode.
    """

    samples_are_arrays = False

    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        texts = _check_texts(X)
        if not reset:
            windows = estimator._windows(texts, estimator.step, "training")
            return windows, windows.targets()
        vocabulary = TextVocabulary(
            estimator.level,
            max_tokens=estimator.max_words if estimator.level == "word" else None,
            lowercase=estimator.lowercase,
            collapse_whitespace=estimator.collapse_whitespace,
        ).fit(texts)
        windows = estimator._windows(texts, estimator.step, "training", vocabulary)
        estimator.vocabulary_ = vocabulary
        estimator.n_tokens_ = vocabulary.n_tokens_
        chosen = np.linspace(0, len(windows) - 1, _N_SEED_FRAGMENTS)
        estimator.seed_fragments_ = windows[np.unique(chosen.astype(np.int64))]
        return windows, windows.targets()

    def learn(self, estimator: Any, y: np.ndarray, classes: Any = None) -> None:
        """Nothing to learn: the targets are token ids of the vocabulary."""

    def default_loss(self, estimator: Any, n_units: int | None) -> str:
        return "sparse_categorical_crossentropy"

    def check_outputs(self, estimator: Any, n_units: int, loss: Any) -> None:
        if n_units != estimator.n_tokens_:
            raise ValueError(
                f"The network has {n_units} outputs for {estimator.n_tokens_} tokens."
            )

    def encode(self, estimator: Any, y: np.ndarray) -> np.ndarray:
        return y


@compose_parameters(CORE_PARAMETERS, NETWORK_PARAMETERS)
class TextGenerator(NetworkMixin, BaseKerasEstimator):
    """Write text like a corpus: the book's next-character (or word) LSTM.

    ``fit(X)`` learns a vocabulary from the texts in ``X`` (characters, or
    the ``max_words`` most frequent words and punctuation marks plus one
    out-of-vocabulary token), cuts each text into fragments of
    ``window_length`` tokens every ``step`` tokens, and trains stacked LSTMs
    (``units``) followed by a softmax over the vocabulary to predict the
    token after each fragment (sparse categorical cross-entropy, RMSprop as
    in the book). :meth:`generate` then writes text token by token with
    temperature sampling; :meth:`score` is the mean log-likelihood of each
    token of held-out texts, so :class:`~sklearn.model_selection.GridSearchCV`
    can tune ``window_length``, ``units`` or ``level``.

    Fragments are stored as start offsets into one array of token ids and
    gathered batch by batch, and tokens are one-hot encoded inside the
    network, so memory stays small for large corpora.

    Parameters
    ----------
    level : {"char", "word"}, default="char"
        Tokens are characters, or words and punctuation marks (see
        :class:`~sklearn_dl.preprocessing.TextVocabulary`).
    window_length : int, default=40
        Tokens per training fragment (the network's context when writing).
    step : int, default=3
        Distance, in tokens, between the starts of consecutive fragments.
    max_words : int, default=8000
        Word level: the vocabulary keeps this many most frequent tokens; all
        others become one out-of-vocabulary token (``"<unk>"``, the book's
        ``GLORP``). Ignored at char level.
    lowercase : bool, default=True
        Lower-case texts (and seeds) first.
    collapse_whitespace : bool, default=True
        Turn newlines and runs of whitespace into single spaces first.
    units : tuple of int, default=(128, 128)
        Units of each stacked LSTM layer; every layer but the last returns
        sequences. At least one layer.
    embedding_dim : int, default=None
        None one-hot encodes tokens inside the network, as the book does (a
        frozen identity ``Embedding``, ``n_tokens_ ** 2`` non-trainable
        weights); an int learns an ``Embedding`` of that size instead, much
        cheaper for word-level vocabularies of thousands of tokens (8,000
        one-hot tokens take 256 MB of weights and 128 MB per batch of 100
        fragments of 40 words).
    callbacks : list or dict, default=None
        Keras callbacks (classes or instances, copied for each fit), such as
        :class:`TextSampleCallback` to print samples after each epoch.
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network (the
        vocabulary learned by the first fit is kept; new tokens of later
        texts become out-of-vocabulary).

    Attributes
    ----------
    vocabulary_ : TextVocabulary
        The tokens: ``vocabulary_.tokens_[i]`` is token ``i``; index 0 is
        the out-of-vocabulary token.
    n_tokens_ : int
        Size of the vocabulary (the network's number of outputs).
    seed_fragments_ : ndarray of shape (n_seeds, window_length)
        A few training fragments (token ids), one of which seeds
        :meth:`generate` when no seed text is given.
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch loss and metrics (``loss``, ``val_loss`` ...).

    See Also
    --------
    sklearn_dl.preprocessing.TextVocabulary : The tokens and their ids.
    sklearn_dl.datasets.load_text_corpus : An offline English corpus.

    Notes
    -----
    ``X`` is a list (or 1-D array) of texts; one long text is a
    one-element list. Fragments never cross from one text to the next.
    Cross-validation splits ``X`` by texts, so tuning needs several texts:
    split a corpus into paragraphs or chunks first. Texts with no more
    than ``window_length`` tokens give no fragment and are skipped.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_text_corpus
    >>> from sklearn_dl.networks import TextGenerator
    >>> text = load_text_corpus()[:3000]
    >>> generator = TextGenerator(window_length=10, units=(16,), epochs=1,
    ...                           random_state=0).fit([text])
    >>> len(generator.generate("the ", length=20, random_state=0))
    20
    """

    # The loss is fixed: ``score`` is the negative of this cross-entropy.
    loss = None

    _targets = TokenTargets()
    _feeder = TokenWindowFeeder

    # The generator's own parameters; the shared ones are declared in
    # CORE_PARAMETERS and NETWORK_PARAMETERS.
    _parameter_constraints: dict = {
        "level": [StrOptions({"char", "word"})],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left")],
        "max_words": [Interval(Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "collapse_whitespace": ["boolean"],
        "units": ["array-like", Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        level: str = "char",
        *,
        window_length: int = 40,
        step: int = 3,
        max_words: int = 8000,
        lowercase: bool = True,
        collapse_whitespace: bool = True,
        units: tuple[int, ...] = (128, 128),
        embedding_dim: int | None = None,
        optimizer: Any = "rmsprop",
        learning_rate: float = 0.01,
        metrics: list | None = None,
        epochs: int = 10,
        batch_size: int = 100,
        validation_split: float = 0.0,
        early_stopping: bool = False,
        monitor: str = "val_loss",
        patience: int = 10,
        callbacks: list | dict | None = None,
        verbose: int | str = 0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        random_state: Any = None,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
    ) -> None:
        self.level = level
        self.window_length = window_length
        self.step = step
        self.max_words = max_words
        self.lowercase = lowercase
        self.collapse_whitespace = collapse_whitespace
        self.units = units
        self.embedding_dim = embedding_dim
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.patience = patience
        self.callbacks = callbacks
        self.verbose = verbose
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> TextGenerator:
        """Learn the vocabulary (unless warm-starting) and train the network.

        Parameters
        ----------
        X : array-like of str of shape (n_texts,)
            Training texts; one long text is a one-element list.
        y : None
            Ignored: the targets are the texts' own next tokens.
        **fit_params : dict
            Extra arguments for Keras's ``Model.fit``, e.g.
            ``validation_data=(held_out_texts, None)`` or ``steps_per_epoch``
            (fewer batches per epoch on a large corpus).

        Returns
        -------
        self : object
            The fitted generator.
        """
        return self._fit(
            X,
            y,
            sample_weight=None,
            fit_params=fit_params,
            warm=self.warm_start,
            epochs=self.epochs,
        )

    # --------------------------------------------------- the core's hooks
    def _windows(
        self,
        texts: list[str],
        step: int,
        purpose: str,
        vocabulary: TextVocabulary | None = None,
    ) -> _TokenWindows:
        """Encode texts into one id array and the starts of their fragments."""
        vocabulary = self.vocabulary_ if vocabulary is None else vocabulary
        width = self.window_length
        encoded = [vocabulary.encode(text) for text in texts]
        lengths = np.array([len(ids) for ids in encoded], dtype=np.int64)
        ids = encoded[0] if len(encoded) == 1 else np.concatenate(encoded)
        del encoded
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        starts = [
            offset + np.arange(0, length - width, step, dtype=np.int64)
            for offset, length in zip(offsets, lengths, strict=True)
            if length > width
        ]
        if not starts:
            unit = "characters" if self.level == "char" else "words"
            raise ValueError(
                f"No text is long enough for {purpose}: each needs more than "
                f"window_length={width} tokens ({unit}) and the longest has "
                f"{int(lengths.max())}. Use longer texts or a smaller "
                "window_length."
            )
        return _TokenWindows(ids, np.concatenate(starts), width)

    def _meta(self) -> dict[str, Any]:
        return {"n_tokens_": self.n_tokens_}

    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        keras = import_keras()
        sizes = check_layer_sizes(self.units, "units")
        if not sizes:
            raise ValueError("units must name at least one LSTM layer; got ().")
        n_tokens = meta["n_tokens_"]
        # Any length: seeds shorter than window_length work, and one
        # compiled model serves every window_length of a grid search.
        tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
        if self.embedding_dim is None:
            # One-hot encoding as a frozen identity embedding: row i of the
            # identity is token i's one-hot vector. (CategoryEncoding fails on
            # sequences of unknown length and squeezes windows of length 1.)
            encoded = keras.layers.Embedding(
                n_tokens,
                n_tokens,
                embeddings_initializer="identity",
                trainable=False,
                name="one_hot",
            )(tokens)
        else:
            encoded = keras.layers.Embedding(
                n_tokens, self.embedding_dim, name="embedding"
            )(tokens)
        for position, units in enumerate(sizes):
            encoded = keras.layers.LSTM(
                units, return_sequences=position < len(sizes) - 1
            )(encoded)
        next_token = keras.layers.Dense(
            n_tokens, activation="softmax", name="next_token", dtype="float32"
        )(encoded)
        return keras.Model(tokens, next_token, name=type(self).__name__)

    def _fit_kwargs(self, fit_params: dict[str, Any]) -> dict[str, Any]:
        fit_kwargs = super()._fit_kwargs(fit_params)
        if self.validation_split and fit_kwargs.get("validation_data") is not None:
            raise ValueError(
                "Give either validation_split or validation_data, not both."
            )
        return fit_kwargs

    def _make_callbacks(self) -> list[Any]:
        callbacks = super()._make_callbacks()
        for callback in callbacks:
            if hasattr(callback, "set_estimator"):
                callback.set_estimator(self)
        return callbacks

    # ------------------------------------------------------------ generate
    def generate(
        self,
        seed_text: str | None = None,
        length: int = 100,
        temperature: float = 1.0,
        random_state: Any = None,
    ) -> str:
        """Write new text, one token at a time, after a seed.

        Each step feeds the last ``window_length`` tokens (the seed, then
        the seed and the tokens written so far) to the network and draws the
        next token with :func:`sample_with_temperature`.

        Parameters
        ----------
        seed_text : str, default=None
            Text to continue, normalized like the training texts. Only its
            last ``window_length`` tokens are read; a shorter seed is read as
            it is. None picks one of ``seed_fragments_`` (training text) at
            random. At char level every character must be in the vocabulary;
            at word level unknown words become the out-of-vocabulary token.
        length : int, default=100
            Number of tokens to write: characters, or words and punctuation
            marks.
        temperature : float, default=1.0
            Positive; below 1 is more conservative, above 1 more
            adventurous (the book tries 0.5, 1.0 and 1.5).
        random_state : int, RandomState instance or None, default=None
            Source of randomness for the seed choice and the sampling; an int
            gives the same text every time.

        Returns
        -------
        str
            The new text only (without the seed): ``length`` characters at
            char level; ``length`` tokens joined by spaces at word level. The
            char-level out-of-vocabulary token is never written.
        """
        check_is_fitted(self)
        if not (isinstance(length, Integral) and not isinstance(length, bool)):
            raise TypeError(f"length must be an int; got {type(length).__name__}.")
        if length < 0:
            raise ValueError(f"length must be non-negative; got {length}.")
        if not (isinstance(temperature, Real) and temperature > 0):
            raise ValueError(
                f"temperature must be a positive number; got {temperature!r}."
            )
        rng = check_random_state(random_state)
        return self._write(self._seed_ids(seed_text, rng), length, temperature, rng)

    def _write(
        self,
        context: list[int],
        length: int,
        temperature: float,
        rng: np.random.RandomState,
    ) -> str:
        """Sample ``length`` tokens after the token ids ``context``."""
        context = list(context)
        written: list[int] = []
        for _ in range(length):
            window = np.asarray(context[-self.window_length :], dtype=np.int32)
            turns = predictions_take_turns(stateful=False)
            with (
                self._model_turns() if turns else contextlib.nullcontext(),
                first_traces(),
            ):
                outputs = self._model.predict_on_batch(window[None, :])
            probabilities = np.array(outputs[0], dtype=np.float64)
            if self.level == "char":
                probabilities[0] = 0.0  # never write the out-of-vocabulary token
            token = sample_with_temperature(probabilities, temperature, rng)
            written.append(token)
            context.append(token)
        return self.vocabulary_.decode(written)

    def _seed_ids(self, seed_text: str | None, rng: np.random.RandomState) -> list:
        """Token ids of the seed (checked), or of a random training fragment."""
        if seed_text is None:
            return self.seed_fragments_[rng.randint(len(self.seed_fragments_))].tolist()
        if not isinstance(seed_text, str):
            raise TypeError(
                f"seed_text must be a str or None; got {type(seed_text).__name__}."
            )
        if self.level == "char":
            unknown = self.vocabulary_.unknown_tokens(seed_text)
            if unknown:
                raise ValueError(
                    f"seed_text holds characters outside the vocabulary: "
                    f"{''.join(unknown)!r}. Use characters of the training texts "
                    "(see vocabulary_.tokens_)."
                )
        ids = self.vocabulary_.encode(seed_text)
        if ids.size == 0:
            raise ValueError(
                "seed_text holds no token (it is empty after normalization)."
            )
        return ids[-self.window_length :].tolist()

    # --------------------------------------------------------------- score
    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per token of texts (higher is better).

        Every token that follows a full window of ``window_length`` tokens
        is predicted from that window; the score is the mean of the
        logarithm of the probability the network gives it, the negative of
        the training loss on those texts. Unknown tokens are scored as the
        out-of-vocabulary token.

        Parameters
        ----------
        X : array-like of str of shape (n_texts,)
            Held-out texts.
        y : None
            Ignored.

        Returns
        -------
        float
            Mean log-likelihood per token, in nats (at most 0);
            ``exp(-score)`` is the perplexity.
        """
        check_is_fitted(self)
        windows = self._windows(_check_texts(X), 1, "scoring")
        batch_size = self._predict_batch_size()
        total = 0.0
        for start in range(0, len(windows), batch_size):
            chosen = slice(start, start + batch_size)
            probabilities = self._network_outputs(windows[chosen])
            targets = windows.targets(chosen)
            picked = probabilities[np.arange(targets.shape[0]), targets]
            total += float(
                np.log(np.maximum(picked.astype(np.float64), _PROBABILITY_FLOOR)).sum()
            )
        return total / len(windows)

    def __sklearn_tags__(self):
        """Estimator tags: 1-D input of strings, no target.

        Returns
        -------
        sklearn.utils.Tags
            The tags.
        """
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False
        return tags


@functools.cache
def _sample_callback_class() -> type:
    """Define :class:`TextSampleCallback` (it subclasses a Keras class)."""
    keras = import_keras()

    class TextSampleCallback(keras.callbacks.Callback):
        """Print generated text at several temperatures after each epoch.

        The book's training loop (its ``generate_text``): after every epoch
        (or every ``every_n_epochs``), write ``length`` tokens from a seed at
        each temperature, so the text can be watched improving. Pass it in
        :class:`TextGenerator`'s ``callbacks``; the generator hands itself
        to the callback at the start of each fit.

        Parameters
        ----------
        temperatures : sequence of float, default=(0.5, 1.0, 1.5)
            The book's three temperatures.
        length : int, default=200
            Tokens written per sample (the book writes 1000 characters).
        seed_text : str, default=None
            The seed; None picks a training fragment (a new one each
            epoch, as the book does).
        every_n_epochs : int, default=1
            Write samples only after epochs that are multiples of this.
        print_fn : callable, default=print
            Receives each sample as one string; for example a list's
            ``append`` to keep them (it is shared, not copied, when the
            generator copies its callbacks).
        random_state : int, RandomState instance or None, default=None
            Source of randomness for seeds and sampling.

        See Also
        --------
        TextGenerator.generate : The sampling each line uses.
        """

        def __init__(
            self,
            temperatures: Any = (0.5, 1.0, 1.5),
            length: int = 200,
            seed_text: str | None = None,
            every_n_epochs: int = 1,
            print_fn: Any = print,
            random_state: Any = None,
        ) -> None:
            super().__init__()
            self.temperatures = temperatures
            self.length = length
            self.seed_text = seed_text
            self.every_n_epochs = every_n_epochs
            self.print_fn = print_fn
            self.random_state = random_state
            self.estimator = None

        def set_estimator(self, estimator: Any) -> None:
            """Receive the generator being fitted.

            Parameters
            ----------
            estimator : TextGenerator
                The generator whose network is training.
            """
            self.estimator = estimator

        def __deepcopy__(self, memo: dict) -> Any:
            """Copy the settings, sharing ``print_fn``.

            Parameters
            ----------
            memo : dict
                The deepcopy memo.

            Returns
            -------
            TextSampleCallback
                A new callback with the same settings.
            """
            return type(self)(
                temperatures=tuple(self.temperatures),
                length=self.length,
                seed_text=self.seed_text,
                every_n_epochs=self.every_n_epochs,
                print_fn=self.print_fn,
                random_state=copy.deepcopy(self.random_state, memo),
            )

        def __repr__(self) -> str:
            """Show the settings (estimator reprs include their callbacks).

            Returns
            -------
            str
                ``TextSampleCallback(temperatures=..., length=..., ...)``.
            """
            return (
                f"TextSampleCallback(temperatures={tuple(self.temperatures)!r}, "
                f"length={self.length!r}, seed_text={self.seed_text!r}, "
                f"every_n_epochs={self.every_n_epochs!r}, "
                f"random_state={self.random_state!r})"
            )

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            """Write the samples of this epoch.

            Parameters
            ----------
            epoch : int
                Index of the epoch that ended (0-based).
            logs : dict, default=None
                The epoch's logged values.
            """
            if self.estimator is None or (epoch + 1) % self.every_n_epochs:
                return
            rng = check_random_state(self.random_state)
            generator = self.estimator
            seed = generator._seed_ids(self.seed_text, rng)  # one seed per epoch
            shown = generator.vocabulary_.decode(seed)
            separator = " " if generator.level == "word" else ""
            loss = (logs or {}).get("loss")
            heading = f"----- epoch {epoch + 1}" + (
                "" if loss is None else f", loss {loss:.4f}"
            )
            for temperature in self.temperatures:
                text = generator._write(seed, self.length, temperature, rng)
                self.print_fn(
                    f"{heading}, temperature {temperature}\n[{shown}]{separator}{text}"
                )

    TextSampleCallback.__module__ = __name__
    TextSampleCallback.__qualname__ = "TextSampleCallback"
    return TextSampleCallback


def __getattr__(name: str) -> Any:
    """Create ``TextSampleCallback`` on first use (it needs Keras)."""
    if name == "TextSampleCallback":
        return _sample_callback_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
