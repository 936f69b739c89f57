"""TextGenerator and the text vocabulary: fitting, writing, scoring, tuning.

Tiny networks on slices of the offline corpus (Python's pydoc topics), so
every fit takes a few seconds at most.
"""

import pickle
import tracemalloc
from collections import Counter

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_dl._compat import InvalidParameterError
from sklearn_dl._core.feeders import epoch_order
from sklearn_dl.datasets import load_text_corpus
from sklearn_dl.networks._text import (
    TextGenerator,
    TextSampleCallback,
    _token_batches_class,
    sample_with_temperature,
)
from sklearn_dl.preprocessing import TextVocabulary, next_token_windows, normalize_text

CORPUS = load_text_corpus()
TEXT = CORPUS[:6000]
HELD_OUT = CORPUS[20000:23000]
SMALL = {
    "window_length": 10,
    "step": 2,
    "units": (32,),
    "batch_size": 64,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def fitted():
    """A char-level generator trained for two epochs."""
    return TextGenerator(epochs=2, **SMALL).fit([TEXT])


def entropy(text: str) -> float:
    """Entropy (nats) of the character frequencies of a text."""
    counts = np.array(list(Counter(text).values()), dtype=float)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


# ------------------------------------------------------------------ vocabulary
def test_normalize_text_is_the_books_clean_up():
    assert normalize_text("A\nB  C\t\tD") == "a b c d"
    assert normalize_text("A\nB", lowercase=False, collapse_whitespace=False) == "A\nB"


def test_char_vocabulary_is_sorted_characters_after_the_oov_token():
    vocabulary = TextVocabulary().fit(["Hello\n world", "abc"])
    assert vocabulary.tokens_ == [
        "<unk>",
        " ",
        "a",
        "b",
        "c",
        "d",
        "e",
        "h",
        "l",
        "o",
        "r",
        "w",
    ]
    ids = vocabulary.encode("hello, world")
    assert ids.dtype == np.int32
    assert ids[5] == 0  # "," is unknown
    assert vocabulary.decode(ids) == "hello world"
    assert vocabulary.unknown_tokens("Hi, World!") == ["i", ",", "!"]


def test_word_vocabulary_keeps_the_most_frequent_tokens_and_punctuation():
    text = "The cat sat. The dog sat, and the cat ran! Holmes's pipe."
    vocabulary = TextVocabulary("word", max_tokens=4).fit([text])
    assert vocabulary.tokens_ == ["<unk>", "the", ".", "cat", "sat"]
    assert vocabulary.n_tokens_ == 5
    assert vocabulary.counts_.sum() == len(vocabulary.split(text))
    assert TextVocabulary("word").fit([text]).split("Holmes's pipe.") == [
        "holmes's",
        "pipe",
        ".",
    ]
    assert vocabulary.decode(vocabulary.encode("The dog sat.")) == "the <unk> sat ."


def test_vocabulary_rejects_bad_input():
    with pytest.raises(ValueError, match="no tokens"):
        TextVocabulary().fit([""])
    with pytest.raises(TypeError, match="wrap one long text in a list"):
        TextVocabulary().fit("a text")
    with pytest.raises(ValueError, match=r"Token ids must be integers in \[0, 3\)"):
        TextVocabulary().fit(["ab"]).decode([0, 3])


def test_next_token_windows_are_views_with_the_next_token_as_target():
    ids = np.arange(10, dtype=np.int32)
    fragments, targets = next_token_windows(ids, 4, step=3)
    assert fragments.tolist() == [[0, 1, 2, 3], [3, 4, 5, 6]]
    assert targets.tolist() == [4, 7]
    assert np.shares_memory(fragments, ids) and np.shares_memory(targets, ids)
    with pytest.raises(ValueError, match="too few"):
        next_token_windows(ids, 10)


def test_sample_with_temperature():
    assert sample_with_temperature([0.0, 0.2, 0.8], 0.01, random_state=0) == 2
    draws = [sample_with_temperature([0.0, 0.5, 0.5], 1.0, rng) for rng in range(50)]
    assert 0 not in draws  # zero probability is never drawn
    with pytest.raises(ValueError, match="temperature must be a positive"):
        sample_with_temperature([0.5, 0.5], 0)


# ------------------------------------------------------------------- training
def test_generate_writes_vocabulary_characters_of_the_requested_length(fitted):
    text = fitted.generate("the value of ", length=80, temperature=1.0, random_state=1)
    assert isinstance(text, str) and len(text) == 80
    assert set(text) <= set(fitted.vocabulary_.tokens_[1:])
    assert fitted.n_tokens_ == len(set(normalize_text(TEXT))) + 1
    assert fitted.model_.get_layer("one_hot").trainable is False


def test_same_random_state_writes_the_same_text(fitted):
    first = fitted.generate("the ", length=40, random_state=7)
    assert fitted.generate("the ", length=40, random_state=7) == first
    assert fitted.generate("the ", length=40, random_state=8) != first
    # Without a seed text, a training fragment is chosen by random_state.
    assert fitted.generate(length=20, random_state=3) == fitted.generate(
        length=20, random_state=3
    )


def test_a_seed_longer_or_shorter_than_the_window_is_accepted(fitted):
    assert len(fitted.generate("t", length=5, random_state=0)) == 5
    long_seed = TEXT[:100]
    assert fitted.generate(long_seed, length=5, random_state=0) == fitted.generate(
        long_seed[-10:], length=5, random_state=0
    )


def test_higher_temperature_gives_higher_character_entropy(fitted):
    def mean_entropy(temperature):
        samples = [
            fitted.generate(
                "the ", length=150, temperature=temperature, random_state=seed
            )
            for seed in range(3)
        ]
        return np.mean([entropy(sample) for sample in samples])

    cold, warm, hot = mean_entropy(0.2), mean_entropy(1.0), mean_entropy(3.0)
    assert cold < warm < hot


def test_fit_is_repeatable_with_a_random_state(fitted):
    again = TextGenerator(epochs=2, **SMALL).fit([TEXT])
    assert again.history_["loss"] == fitted.history_["loss"]
    assert again.generate("the ", length=30, random_state=0) == fitted.generate(
        "the ", length=30, random_state=0
    )


def test_score_is_a_mean_log_likelihood_that_improves_with_training():
    generator = TextGenerator(epochs=1, warm_start=True, **SMALL).fit([TEXT])
    before = generator.score([TEXT])
    generator.fit([TEXT])
    generator.fit([TEXT])
    after = generator.score([TEXT])
    assert len(generator.history_["loss"]) == 3
    assert generator.history_["loss"][-1] < generator.history_["loss"][0]
    assert before < after <= 0
    assert np.exp(-after) < generator.n_tokens_  # beats a uniform guess
    assert generator.score([HELD_OUT]) < 0


def test_score_counts_every_token_after_a_full_window(fitted):
    # Two texts: the mean is over all their predicted tokens together.
    a, b = HELD_OUT[:200], HELD_OUT[200:500]
    n_a, n_b = len(normalize_text(a)) - 10, len(normalize_text(b)) - 10
    combined = fitted.score([a, b])
    expected = (fitted.score([a]) * n_a + fitted.score([b]) * n_b) / (n_a + n_b)
    assert combined == pytest.approx(expected, rel=1e-6)


def test_grid_search_over_window_length():
    chunks = [CORPUS[start : start + 1500] for start in range(0, 9000, 1500)]
    search = GridSearchCV(
        TextGenerator(units=(8,), epochs=1, step=3, batch_size=64, random_state=0),
        {"window_length": [5, 10]},
        cv=KFold(2),
        refit=False,
        error_score="raise",
    )
    search.fit(chunks)
    assert search.best_params_["window_length"] in (5, 10)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert np.all(search.cv_results_["mean_test_score"] < 0)


def test_word_level_caps_the_vocabulary():
    generator = TextGenerator(
        "word",
        max_words=40,
        window_length=6,
        step=2,
        units=(8,),
        embedding_dim=8,
        epochs=1,
        random_state=0,
    ).fit([CORPUS[:20000]])
    vocabulary = generator.vocabulary_
    assert generator.n_tokens_ == 41 and vocabulary.n_tokens_ == 41
    assert vocabulary.tokens_[0] == "<unk>"
    assert {".", ","} <= set(vocabulary.tokens_)  # punctuation marks are tokens
    assert vocabulary.counts_[0] > 0  # rarer words became the OOV token
    text = generator.generate("the value of zyzzyva", length=12, random_state=0)
    words = text.split(" ")
    assert len(words) == 12 and set(words) <= set(vocabulary.tokens_)
    assert generator.model_.get_layer("embedding").output_dim == 8


def test_validation_split_and_validation_data_report_val_loss():
    generator = TextGenerator(epochs=1, validation_split=0.25, **SMALL).fit([TEXT])
    assert set(generator.history_) == {"loss", "val_loss"}
    generator = TextGenerator(epochs=1, **SMALL).fit(
        [TEXT], validation_data=([HELD_OUT], None)
    )
    assert np.isfinite(generator.history_["val_loss"][0])


def test_sample_callback_writes_each_temperature_after_each_epoch():
    samples = []
    callback = TextSampleCallback(
        temperatures=(0.5, 1.5), length=15, print_fn=samples.append, random_state=0
    )
    generator = TextGenerator(epochs=2, callbacks=[callback], **SMALL).fit([TEXT])
    assert len(samples) == 4
    assert samples[0].startswith("----- epoch 1, loss ")
    assert "temperature 1.5" in samples[3]
    assert callback.estimator is None  # the estimator used a copy
    assert repr(callback).startswith("TextSampleCallback(temperatures=(0.5, 1.5), ")
    assert generator.history_["loss"]


def test_pickle_and_clone(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.generate("the ", length=25, random_state=0) == fitted.generate(
        "the ", length=25, random_state=0
    )
    assert restored.score([HELD_OUT]) == pytest.approx(fitted.score([HELD_OUT]))
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params()
    assert not hasattr(fresh, "model_")


# ------------------------------------------------------------------ memory
def test_fragments_are_never_materialized():
    text = normalize_text((CORPUS * 3)[:1_000_000])
    generator = TextGenerator(window_length=40, step=3)
    generator._validate_params()
    tracemalloc.start()
    windows, targets = generator._targets.validate(generator, [text], None, True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(windows)
    assert n == len(range(0, len(text) - 40, 3))
    # ids (4 bytes a character) and starts (8 bytes a fragment), not n x 40.
    assert windows.ids.nbytes == 4 * len(text) and windows.starts.nbytes == 8 * n
    assert peak < 40e6  # the book's one-hot X would take n * 40 * n_tokens bytes
    assert np.array_equal(windows[[0, 5]], [windows.ids[0:40], windows.ids[15:55]])
    assert targets[5] == windows.ids[55]
    batches = _token_batches_class()(windows, batch_size=100, shuffle=True)
    batches.start(seed=0, initial_epoch=0)  # as the core's feeder does
    x, y = batches[3]
    assert x.shape == (100, 40) and y.shape == (100,)
    assert np.array_equal(y, targets[epoch_order(0, 0, n)[300:400]])
    assert len(batches) == -(-n // 100)


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "X, error, match",
    [
        ([""], ValueError, "no tokens"),
        ([], ValueError, "holds no texts"),
        ("one long text", TypeError, r"wrap one long text in a list: \[text\]"),
        (["fine text", 3.5], TypeError, "item 1 is a float"),
        (np.array([["a", "b"]]), ValueError, "1-D array-like of texts"),
        (["too short"], ValueError, "No text is long enough for training"),
    ],
)
def test_fit_rejects_bad_texts(X, error, match):
    with pytest.raises(error, match=match):
        TextGenerator(**SMALL).fit(X)


def test_bad_parameters_are_rejected_in_fit():
    with pytest.raises(InvalidParameterError, match="'level' parameter"):
        TextGenerator(level="sentence").fit([TEXT])
    with pytest.raises(InvalidParameterError, match="'window_length' parameter"):
        TextGenerator(window_length=0).fit([TEXT])
    with pytest.raises(ValueError, match="at least one LSTM layer"):
        TextGenerator(units=(), window_length=5, epochs=1).fit([TEXT[:500]])
    with pytest.raises(ValueError, match="either validation_split or validation_data"):
        TextGenerator(validation_split=0.5, **SMALL).fit(
            [TEXT[:300]], validation_data=([HELD_OUT], None)
        )


def test_generate_and_score_reject_bad_input(fitted):
    with pytest.raises(ValueError, match=r"outside the vocabulary: '\\x00'"):
        fitted.generate("the\x00", length=3)
    with pytest.raises(ValueError, match="holds no token"):
        fitted.generate("", length=3)
    with pytest.raises(TypeError, match="seed_text must be a str"):
        fitted.generate(["the"], length=3)
    with pytest.raises(ValueError, match="temperature must be a positive"):
        fitted.generate("the", temperature=0)
    with pytest.raises(ValueError, match="length must be non-negative"):
        fitted.generate("the", length=-1)
    with pytest.raises(ValueError, match="No text is long enough for scoring"):
        fitted.score(["short"])
    assert fitted.generate("the", length=0) == ""


def test_upper_case_seed_is_normalized_like_the_training_text(fitted):
    assert fitted.generate("THE ", length=10, random_state=0) == fitted.generate(
        "the ", length=10, random_state=0
    )


def test_unfitted_generator_raises_not_fitted():
    generator = TextGenerator(**SMALL)
    with pytest.raises(NotFittedError):
        generator.generate("the")
    with pytest.raises(NotFittedError):
        generator.score([TEXT])
