"""Metadata a network's ``fit`` can request under scikit-learn's routing.

With ``sklearn.set_config(enable_metadata_routing=True)``, a meta-estimator
(``Pipeline``, ``GridSearchCV``, ``cross_validate`` ...) passes a network
only the metadata the network *requested*. ``sample_weight`` is requestable
because it is in ``fit``'s signature. ``validation_data`` reaches Keras's
``Model.fit`` through ``**fit_params``, which scikit-learn cannot see, so
:class:`NetworkMetadataRequests` declares it: ``set_fit_request(
validation_data=True)`` then lets a fixed held-out set (for
``early_stopping`` or a ``val_*`` monitor) travel through a search.
"""

from __future__ import annotations


class NetworkMetadataRequests:
    """Declare ``validation_data`` as metadata a network's ``fit`` accepts.

    Mixed into :class:`~sklearn_dl._core.estimator.BaseKerasEstimator`.
    Nothing is requested by default (scikit-learn's rule): a user opts in
    with ``net.set_fit_request(validation_data=True)``.
    """

    # None: requestable, not requested (scikit-learn's UNREQUESTED).
    __metadata_request__fit = {"validation_data": None}


__all__ = ["NetworkMetadataRequests"]
