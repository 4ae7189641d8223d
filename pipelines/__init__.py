"""SageMaker pipeline definitions (built with the sagemaker SDK) and the step scripts they run.

Building a definition has no side effects: step scripts are uploaded by Pulumi as S3 objects and
the definition only references their URIs.
"""
