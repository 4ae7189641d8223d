"""Step scripts of the training pipeline, one per job.

Each file is uploaded on its own (by Pulumi) and runs standalone inside the SageMaker
scikit-learn container (Python 3.9), so none of them imports another module of this repository.
They are importable here only so the tests can call their functions.
"""
