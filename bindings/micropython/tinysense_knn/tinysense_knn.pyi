"""tinysense_knn: k-nearest neighbours on int16 features (sklearn
KNeighborsClassifier, brute force, Euclidean, uniform weights), with
on-device learning (add())."""
from array import array
from typing import Optional, Union

Buffer = Union[bytes, bytearray, memoryview, array]

class Knn:
    k: int
    max_k: int
    n_features: int
    n_classes: int
    size: int          # items searched: the file's plus the added ones
    model_items: int
    capacity: int      # items add() can store
    def __init__(self, model: Optional[Buffer] = None, *, n_features: int = 0, n_classes: int = 0,
                 k: int = 3, capacity: int = 0, max_k: int = 0) -> None: ...
    def predict(self, x: array) -> int:
        """Majority class of the k nearest items (ties: smallest class index)."""
    def predict_proba(self, x: array, out: array) -> array:
        """Fraction of the neighbours in each class into array('f') of n_classes."""
    def kneighbors(self, x: array, index: array, dist: Optional[array] = None) -> int:
        """Nearest first: item indices into array('I') (and Euclidean distances into
        array('f')); returns min(k, size)."""
    def add(self, x: array, label: int) -> None:
        """Appends a labelled item; OSError (ENOSPC) when capacity is reached."""
    def clear_added(self) -> None: ...
    def set_k(self, k: int) -> None:
        """1 <= k <= max_k."""
