"""Tests for PixelScaler and ImageReshaper."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.validation import check_is_fitted

from sklearn_dl.preprocessing import ImageReshaper, PixelScaler

RNG = np.random.RandomState(0)
UINT8_IMAGES = RNG.randint(0, 256, size=(6, 4, 5, 3)).astype(np.uint8)


@pytest.fixture(scope="module")
def small_digits():
    X, y = load_digits(return_X_y=True)
    return X[:300], y[:300]


# --------------------------------------------------------------------------
# PixelScaler
# --------------------------------------------------------------------------


def test_pixel_scaler_default_is_divide_by_255():
    X = np.array([[0, 51, 255], [102, 204, 1]], dtype=np.uint8)
    scaled = PixelScaler().fit_transform(X)
    assert scaled.dtype == np.float32
    # The book's X.astype(float32) / 255.0, bit for bit.
    assert_array_equal(scaled, X.astype(np.float32) / np.float32(255.0))
    assert_allclose(scaled[0], [0.0, 0.2, 1.0])


def test_pixel_scaler_minus_one_to_one_matches_book_interp():
    X = RNG.randint(0, 256, size=(10, 784)).astype(np.float64)
    scaled = PixelScaler(output_range=(-1, 1)).fit_transform(X)
    assert_allclose(scaled, np.interp(X, [0, 255], [-1, 1]), rtol=0, atol=1e-12)


def test_pixel_scaler_out_of_range_maps_outside_unless_clipped():
    X = np.array([[-255.0, 0.0, 255.0, 510.0]])
    assert_allclose(PixelScaler().fit_transform(X), [[-1.0, 0.0, 1.0, 2.0]])
    assert_allclose(PixelScaler(clip=True).fit_transform(X), [[0.0, 0.0, 1.0, 1.0]])
    # A reversed output range inverts intensities and still clips correctly.
    inverted = PixelScaler(output_range=(1, 0), clip=True).fit_transform(X)
    assert_allclose(inverted, [[1.0, 1.0, 0.0, 0.0]])


def test_pixel_scaler_custom_input_range():
    X = np.array([[0.0, 8.0, 16.0]])
    scaled = PixelScaler(input_range=(0, 16), output_range=(-1, 1)).fit_transform(X)
    assert_allclose(scaled, [[-1.0, 0.0, 1.0]])


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.uint8, np.float32),
        (np.int64, np.float32),
        (np.float16, np.float32),
        (np.bool_, np.float32),
    ],
)
def test_pixel_scaler_output_dtype(dtype, expected):
    X = np.array([[0, 1], [1, 0]]).astype(dtype)
    scaler = PixelScaler()
    assert scaler.fit_transform(X).dtype == expected
    assert scaler.inverse_transform(X).dtype == expected


def test_pixel_scaler_keeps_image_shape_and_does_not_modify_input():
    original = UINT8_IMAGES.copy()
    scaled = PixelScaler().fit_transform(UINT8_IMAGES)
    assert scaled.shape == UINT8_IMAGES.shape
    assert_array_equal(UINT8_IMAGES, original)
    float_images = UINT8_IMAGES.astype(np.float32)
    PixelScaler().fit_transform(float_images)
    assert_array_equal(float_images, original)


@pytest.mark.parametrize("output_range", [(0, 1), (-1, 1), (1, 0)])
def test_pixel_scaler_inverse_round_trip(output_range):
    scaler = PixelScaler(output_range=output_range).fit(UINT8_IMAGES)
    restored = scaler.inverse_transform(scaler.transform(UINT8_IMAGES))
    assert restored.dtype == np.float32
    assert_allclose(restored, UINT8_IMAGES, atol=1e-4)
    X = RNG.uniform(-300, 300, size=(5, 7))
    rows = PixelScaler(output_range=output_range).fit(X)
    assert_allclose(rows.inverse_transform(rows.transform(X)), X, rtol=1e-12)


def test_pixel_scaler_inverse_never_clips():
    scaler = PixelScaler(clip=True)
    assert_allclose(scaler.inverse_transform(np.array([[2.0, -1.0]])), [[510, -255]])


def test_pixel_scaler_is_stateless():
    scaler = PixelScaler()
    check_is_fitted(scaler)  # no NotFittedError before fit
    assert not scaler.__sklearn_tags__().requires_fit
    X = np.array([[0, 255]], dtype=np.uint8)
    assert_allclose(scaler.transform(X), [[0.0, 1.0]])
    assert not hasattr(scaler, "n_features_in_")


def test_pixel_scaler_fit_records_features_and_checks_them():
    scaler = PixelScaler().fit(np.zeros((3, 4)))
    assert scaler.n_features_in_ == 4
    with pytest.raises(ValueError, match="X has 3 features, but PixelScaler"):
        scaler.transform(np.zeros((3, 3)))


def test_pixel_scaler_nan_passes_through_inf_rejected():
    scaled = PixelScaler().fit_transform(np.array([[np.nan, 255.0]]))
    assert np.isnan(scaled[0, 0]) and scaled[0, 1] == 1.0
    with pytest.raises(ValueError, match="infinity"):
        PixelScaler().fit_transform(np.array([[np.inf, 1.0]]))


def test_pixel_scaler_rejects_non_numeric_pixels():
    with pytest.raises(ValueError, match="numeric"):
        PixelScaler().fit_transform(np.array([["a", "b"]]))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"input_range": (0, 0)}, "input_range must hold two different numbers"),
        ({"output_range": (1, 1)}, "output_range must hold two different numbers"),
        ({"input_range": (0, 1, 2)}, "input_range must hold exactly two numbers"),
        ({"input_range": ("0", 255)}, "input_range must hold two finite real"),
        ({"output_range": (0, np.inf)}, "output_range must hold two finite real"),
        ({"output_range": (True, 2)}, "output_range must hold two finite real"),
        ({"input_range": [0, 255]}, "'input_range' parameter of PixelScaler"),
        ({"clip": "yes"}, "'clip' parameter of PixelScaler"),
    ],
)
def test_pixel_scaler_invalid_parameters(params, match):
    scaler = PixelScaler(**params)
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match=match):
        scaler.fit(X)
    # Stateless: transform and inverse_transform validate on their own.
    with pytest.raises(ValueError, match=match):
        scaler.transform(X)
    with pytest.raises(ValueError, match=match):
        scaler.inverse_transform(X)


def test_pixel_scaler_feature_names():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [0, 255], "b": [51, 102]})
    scaler = PixelScaler().fit(frame)
    assert list(scaler.get_feature_names_out()) == ["a", "b"]
    assert list(PixelScaler().fit(np.zeros((2, 3))).get_feature_names_out()) == [
        "x0",
        "x1",
        "x2",
    ]
    # Stateless use: names given explicitly need no fit.
    assert list(PixelScaler().get_feature_names_out(["p", "q"])) == ["p", "q"]
    out = PixelScaler().set_output(transform="pandas").fit_transform(frame)
    assert list(out.columns) == ["a", "b"]
    assert_allclose(out.to_numpy(), [[0.0, 0.2], [1.0, 0.4]], rtol=1e-6)


# --------------------------------------------------------------------------
# ImageReshaper
# --------------------------------------------------------------------------


def test_image_reshaper_rows_to_images_is_a_view():
    X = np.arange(3 * 784, dtype=np.float32).reshape(3, 784)
    reshaper = ImageReshaper(image_shape=(28, 28))
    images = reshaper.fit_transform(X)
    assert images.shape == (3, 28, 28, 1)
    assert images.dtype == np.float32
    assert_array_equal(images, X.reshape(3, 28, 28, 1))
    assert np.shares_memory(images, X)
    assert reshaper.input_sample_shape_ == (784,)
    assert reshaper.output_sample_shape_ == (28, 28, 1)
    assert reshaper.n_features_in_ == 784


def test_image_reshaper_channels_first():
    X = np.arange(2 * 784).reshape(2, 784)
    images = ImageReshaper(image_shape=(28, 28), data_format="channels_first")
    assert images.fit_transform(X).shape == (2, 1, 28, 28)


def test_image_reshaper_never_reorders_values():
    # A flat row is the image raveled in the chosen data_format.
    X = np.arange(2 * 24).reshape(2, 24)
    last = ImageReshaper(image_shape=(2, 3, 4)).fit_transform(X)
    first = ImageReshaper(image_shape=(2, 3, 4), data_format="channels_first")
    assert_array_equal(last, X.reshape(2, 2, 3, 4))
    assert_array_equal(first.fit_transform(X), X.reshape(2, 4, 2, 3))


@pytest.mark.parametrize("n_pixels, side", [(784, 28), (64, 8), (1, 1)])
def test_image_reshaper_square_inference(n_pixels, side):
    X = np.zeros((2, n_pixels))
    images = ImageReshaper(image_shape="square").fit_transform(X)
    assert images.shape == (2, side, side, 1)


def test_image_reshaper_square_inference_error():
    with pytest.raises(ValueError, match="783 values per sample: 783 is not a perfect"):
        ImageReshaper(image_shape="square").fit(np.zeros((2, 783)))


def test_image_reshaper_size_mismatch_names_both_sizes():
    with pytest.raises(ValueError, match=r"holds 784 values .* X has 783 values"):
        ImageReshaper(image_shape=(28, 28)).fit(np.zeros((2, 783)))
    with pytest.raises(ValueError, match=r"holds 2352 values .* X has 784 values"):
        ImageReshaper(image_shape=(28, 28, 3)).fit(np.zeros((2, 28, 28)))


@pytest.mark.parametrize(
    "shape, data_format, expected",
    [
        ((4, 5), "channels_last", (4, 5, 1)),
        ((4, 5), "channels_first", (4, 1, 5)),
        ((4, 5, 6), "channels_last", (4, 5, 6, 1)),
        ((4, 5, 6), "channels_first", (4, 1, 5, 6)),
        ((4, 5, 6, 3), "channels_last", (4, 5, 6, 3)),
        ((4, 3, 5, 6), "channels_first", (4, 3, 5, 6)),
    ],
)
def test_image_reshaper_default_adds_channel_axis(shape, data_format, expected):
    X = np.zeros(shape, dtype=np.uint8)
    images = ImageReshaper(data_format=data_format).fit_transform(X)
    assert images.shape == expected
    assert images.dtype == np.uint8


def test_image_reshaper_rejects_more_than_three_sample_axes():
    with pytest.raises(ValueError, match="at most 3 axes"):
        ImageReshaper().fit(np.zeros((2, 3, 4, 5, 6)))


def test_image_reshaper_explicit_shape_must_match_existing_channel_axis():
    X = np.zeros((2, 2, 3, 4))
    with pytest.raises(ValueError, match=r"channels_first order \(4, 2, 3\)"):
        ImageReshaper(image_shape=(2, 3, 4), data_format="channels_first").fit(X)
    assert ImageReshaper(image_shape=(2, 3, 4)).fit_transform(X).shape == X.shape


@pytest.mark.parametrize(
    "shape, params",
    [
        ((3, 28, 28), {}),
        ((3, 28, 28, 1), {}),
        ((3, 28, 28, 1), {"image_shape": (28, 28)}),
        ((3, 3, 8, 8), {"image_shape": (8, 8, 3), "data_format": "channels_first"}),
    ],
)
def test_image_reshaper_flatten(shape, params):
    X = RNG.randint(0, 256, size=shape).astype(np.uint8)
    reshaper = ImageReshaper(flatten=True, **params)
    rows = reshaper.fit_transform(X)
    assert rows.shape == (3, int(np.prod(shape[1:])))
    assert rows.dtype == np.uint8
    assert_array_equal(rows, X.reshape(3, -1))
    assert_array_equal(reshaper.inverse_transform(rows), X)


def test_image_reshaper_flatten_checks_image_shape():
    with pytest.raises(ValueError, match="holds 2352 values"):
        ImageReshaper(image_shape=(28, 28, 3), flatten=True).fit(np.zeros((2, 28, 28)))


@pytest.mark.parametrize(
    "X, params",
    [
        (np.arange(2 * 784.0).reshape(2, 784), {"image_shape": (28, 28)}),
        (np.arange(2 * 64.0).reshape(2, 64), {"image_shape": "square"}),
        (np.arange(2 * 12.0).reshape(2, 2, 6), {"data_format": "channels_first"}),
        (np.arange(2 * 12.0).reshape(2, 12), {}),
    ],
)
def test_image_reshaper_inverse_round_trip(X, params):
    reshaper = ImageReshaper(**params).fit(X)
    restored = reshaper.inverse_transform(reshaper.transform(X))
    assert restored.shape == X.shape
    assert_array_equal(restored, X)


def test_image_reshaper_transform_errors():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"shape \(27, 28\).*fitted on .*\(28, 28\)"):
        reshaper.transform(np.zeros((2, 27, 28)))
    with pytest.raises(ValueError, match=r"shape \(784,\).*\(28, 28\)"):
        reshaper.transform(np.zeros((2, 784)))
    with pytest.raises(ValueError, match="Reshape your data"):
        reshaper.transform(np.zeros(28))
    with pytest.raises(ValueError, match="numeric"):
        reshaper.transform(np.full((2, 28, 28), "a"))


def test_image_reshaper_wrong_channel_count():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28, 1)))
    with pytest.raises(ValueError, match="channel count differs: 3 instead of 1"):
        reshaper.transform(np.zeros((2, 28, 28, 3)))
    first = ImageReshaper(data_format="channels_first").fit(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"3 instead of 1 \(channels_first\)"):
        first.transform(np.zeros((2, 3, 8, 8)))


def test_image_reshaper_row_errors():
    reshaper = ImageReshaper(image_shape=(28, 28)).fit(np.zeros((2, 784)))
    with pytest.raises(ValueError, match="X has 783 features, but ImageReshaper is"):
        reshaper.transform(np.zeros((2, 783)))
    with pytest.raises(ValueError, match="Reshape your data"):
        ImageReshaper().fit(np.zeros(784))
    with pytest.raises(ValueError, match="numeric"):
        ImageReshaper().fit(np.array([["0", "1"]]))


def test_image_reshaper_inverse_transform_checks_shape():
    reshaper = ImageReshaper(image_shape=(28, 28)).fit(np.zeros((2, 784)))
    with pytest.raises(ValueError, match=r"outputs samples of shape \(28, 28, 1\)"):
        reshaper.inverse_transform(np.zeros((2, 28, 28)))


def test_image_reshaper_not_fitted():
    with pytest.raises(NotFittedError):
        ImageReshaper().transform(np.zeros((2, 4)))
    with pytest.raises(NotFittedError):
        ImageReshaper().inverse_transform(np.zeros((2, 4, 1)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"image_shape": (28,)}, "image_shape must be None, 'square', or a tuple"),
        ({"image_shape": (2, 0)}, "image_shape must be None, 'square', or a tuple"),
        ({"image_shape": (2, 2.0)}, "image_shape must be None, 'square', or a tuple"),
        ({"image_shape": (2, 2, 1, 1)}, "image_shape must be None, 'square', or a"),
        ({"image_shape": "round"}, "'image_shape' parameter of ImageReshaper"),
        ({"image_shape": [2, 2]}, "'image_shape' parameter of ImageReshaper"),
        ({"data_format": "nhwc"}, "'data_format' parameter of ImageReshaper"),
        ({"flatten": "no"}, "'flatten' parameter of ImageReshaper"),
    ],
)
def test_image_reshaper_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        ImageReshaper(**params).fit(np.zeros((2, 4)))


def test_image_reshaper_feature_names_only_for_rows():
    images = ImageReshaper(image_shape=(2, 2)).fit(np.zeros((2, 4)))
    assert not hasattr(images, "get_feature_names_out")
    rows = ImageReshaper(flatten=True).fit(np.zeros((2, 2, 3)))
    assert list(rows.get_feature_names_out()) == [
        f"imagereshaper{index}" for index in range(6)
    ]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    identity = ImageReshaper(flatten=True).fit(frame)
    assert list(identity.get_feature_names_out()) == ["a", "b"]


def test_image_reshaper_clone_and_pickle():
    X = np.arange(2 * 64.0).reshape(2, 64)
    reshaper = ImageReshaper(image_shape="square").fit(X)
    assert clone(reshaper).get_params() == reshaper.get_params()
    restored = pickle.loads(pickle.dumps(reshaper))
    assert_array_equal(restored.transform(X), reshaper.transform(X))


# --------------------------------------------------------------------------
# In pipelines
# --------------------------------------------------------------------------


def test_scaler_then_reshaper_make_network_input(small_digits):
    X, _ = small_digits
    pixels = X.astype(np.uint8)
    pipeline = make_pipeline(
        PixelScaler(input_range=(0, 16)), ImageReshaper(image_shape=(8, 8))
    )
    images = pipeline.fit_transform(pixels)
    assert images.shape == (300, 8, 8, 1)
    assert images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    # Reversible as a whole, back to the original pixels.
    assert_allclose(pipeline.inverse_transform(images), pixels, atol=1e-5)


def test_image_pipeline_in_grid_search(small_digits):
    X, y = small_digits
    pipeline = Pipeline(
        [
            ("scale", PixelScaler(input_range=(0, 16))),
            ("to_images", ImageReshaper(image_shape="square")),
            ("scale_images", PixelScaler(input_range=(0, 1), output_range=(0, 1))),
            ("to_rows", ImageReshaper(flatten=True)),
            ("classify", LogisticRegression(max_iter=200)),
        ]
    )
    search = GridSearchCV(
        pipeline, {"scale__output_range": [(0, 1), (-1, 1)]}, cv=2
    ).fit(X, y)
    assert search.best_score_ > 0.85
    assert search.best_estimator_.named_steps["to_images"].output_sample_shape_ == (
        8,
        8,
        1,
    )
    scores = cross_val_score(pipeline, X, y, cv=2)
    assert scores.min() > 0.85
