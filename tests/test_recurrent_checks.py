"""scikit-learn's own conformance checks over the recurrent networks.

The checks feed 2-D ``X`` of shape ``(n_samples, n_features)``, which the
recurrent networks read as ``n_features`` time steps of one feature. Some
checks need real learning (accuracy above 0.83 on blobs, R² above 0.5 on a
noisy linear problem), hence 16 units and a learning rate of 0.03: the
defaults (3 units, a learning rate of 0.001, 10 epochs) fail
``check_classifiers_train`` and ``check_regressors_train``, so these are the
smallest configurations a user would write that learn the checks' data.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl.networks._recurrent import RecurrentClassifier, RecurrentRegressor

SMALL = {"units": (16,), "learning_rate": 0.03, "epochs": 20, "random_state": 0}

CHECKED = [
    RecurrentClassifier(**SMALL),
    RecurrentRegressor(**SMALL),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance(estimator, check):
    check(estimator)
