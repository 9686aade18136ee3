"""tinysense_trees: scikit-learn tree ensembles from a tinysense model file.

Convert on the host (python/tinysense/convert_trees.py: convert(estimator,
dtype='float32' | 'int16').save('model.tsm')), copy the file to the board,
then Forest(open('model.tsm', 'rb').read()). Predictions equal sklearn's.
"""
from array import array
from typing import Union

Buffer = Union[bytes, bytearray, memoryview, array]

class Forest:
    n_features: int
    n_outputs: int      # classes (sklearn's classes_ order) or regression targets
    n_trees: int
    is_classifier: bool
    typecode: str       # 'f' or 'h': the array type predict() takes
    def __init__(self, model: Buffer) -> None:
        """Validates the whole file (ValueError if corrupt). An aligned bytes object
        is used in place (kept alive by the Forest); other buffers are copied."""
    def predict(self, x: array, voting: str = "soft") -> int:
        """Class index; voting 'soft' (sklearn) or 'hard' (majority of tree votes)."""
    def predict_proba(self, x: array, out: array, voting: str = "soft") -> array:
        """Class probabilities into out (array('f') of n_outputs)."""
    def regress(self, x: array, out: array) -> array:
        """Regressors: the mean of the trees' leaf values into out (array('f'))."""
