"""The book's seven MNIST convolutional networks as ``ConvClassifier`` parameters.

Part 3, §3 of the book (seed lines 7733-8227) grows a convolutional network
step by step. Each one is written here as the block parameters of
:class:`~sklearn_dl.networks.ConvClassifier`; all use ``padding="same"``,
ReLU and 2 x 2 pooling (where they pool), as the book does.

=====================  ===========================================================
name                   layers (book figure)
=====================  ===========================================================
``simple``             Conv 32 5x5 -> Flatten -> output (B3-27)
``bigger``             Conv 16 5x5, Conv 8 3x3, Conv 8 3x3, each followed by
                       Dropout 0.2, kernels MaxNorm(3) (B3-29)
``pooling``            Conv 30 5x5, Dropout 0.2, MaxPool 2; Conv 16 3x3,
                       Dropout 0.2, MaxPool 2; Dense 128, Dense 64 (B3-31)
``striding``           ``pooling`` with stride 2 instead of pooling (B3-33)
``striding_batchnorm`` ``striding`` with Conv -> BatchNormalization -> ReLU and no
                       dropout or MaxNorm (B3-35)
``vgg_pooling``        three blocks Conv 5x5, Conv 3x3, MaxPool 2 with 32, 16 and 8
                       filters; Dense 512, Dense 256 (B3-37)
``vgg_striding``       ``vgg_pooling`` with stride 2 in each block's last
                       convolution instead of pooling (B3-39)
=====================  ===========================================================
"""

from __future__ import annotations

from typing import Any

#: Parameters of ``ConvClassifier`` / ``ConvRegressor`` that an architecture sets.
ARCHITECTURE_PARAMS: tuple[str, ...] = (
    "filters",
    "kernel_size",
    "strides",
    "pooling",
    "batch_normalization",
    "dropout",
    "max_norm",
    "dense_layer_sizes",
)

_PLAIN = {
    "strides": 1,
    "pooling": None,
    "batch_normalization": False,
    "dropout": 0.0,
    "max_norm": None,
    "dense_layer_sizes": (),
}

_ARCHITECTURES: dict[str, dict[str, Any]] = {
    "simple": {**_PLAIN, "filters": (32,), "kernel_size": 5},
    "bigger": {
        **_PLAIN,
        "filters": (16, 8, 8),
        "kernel_size": (5, 3, 3),
        "dropout": 0.2,
        "max_norm": 3.0,
    },
    "pooling": {
        **_PLAIN,
        "filters": (30, 16),
        "kernel_size": (5, 3),
        "pooling": "max",
        "dropout": 0.2,
        "max_norm": 3.0,
        "dense_layer_sizes": (128, 64),
    },
    "striding": {
        **_PLAIN,
        "filters": (30, 16),
        "kernel_size": (5, 3),
        "strides": 2,
        "dropout": 0.2,
        "max_norm": 3.0,
        "dense_layer_sizes": (128, 64),
    },
    "striding_batchnorm": {
        **_PLAIN,
        "filters": (30, 16),
        "kernel_size": (5, 3),
        "strides": 2,
        "batch_normalization": True,
        "dense_layer_sizes": (128, 64),
    },
    "vgg_pooling": {
        **_PLAIN,
        "filters": ((32, 32), (16, 16), (8, 8)),
        "kernel_size": ((5, 3), (5, 3), (5, 3)),
        "pooling": "max",
        "dense_layer_sizes": (512, 256),
    },
    "vgg_striding": {
        **_PLAIN,
        "filters": ((32, 32), (16, 16), (8, 8)),
        "kernel_size": ((5, 3), (5, 3), (5, 3)),
        "strides": 2,
        "dense_layer_sizes": (512, 256),
    },
}

#: Names accepted by the ``architecture`` parameter, in the book's order.
CONV_ARCHITECTURES: tuple[str, ...] = tuple(_ARCHITECTURES)


def conv_architecture_params(name: str) -> dict[str, Any]:
    """The block parameters of one of the book's convolutional networks.

    ``ConvClassifier(architecture=name)`` builds exactly the network that
    ``ConvClassifier(**conv_architecture_params(name))`` builds; the second
    form lets you change one setting of a book network (e.g. its dropout).

    Parameters
    ----------
    name : str
        One of :data:`CONV_ARCHITECTURES`: ``"simple"``, ``"bigger"``,
        ``"pooling"``, ``"striding"``, ``"striding_batchnorm"``,
        ``"vgg_pooling"``, ``"vgg_striding"``.

    Returns
    -------
    dict
        A new dict with the keys of :data:`ARCHITECTURE_PARAMS`.

    Raises
    ------
    ValueError
        If ``name`` is not a known architecture.

    Examples
    --------
    >>> from sklearn_dl.networks import conv_architecture_params
    >>> conv_architecture_params("striding")["strides"]
    2
    """
    if name not in _ARCHITECTURES:
        raise ValueError(
            f"Unknown architecture {name!r}; choose one of {list(CONV_ARCHITECTURES)}."
        )
    return dict(_ARCHITECTURES[name])
