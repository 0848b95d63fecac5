"""SageMaker training entry point (the ``sagemaker_program``).

The PyTorch training container runs ``python train.py --<hyperparameter> <value> ...`` from the
unpacked ``sourcedir.tar.gz``. Paths default to the container's environment: data from
``SM_CHANNEL_TRAINING``, model to ``SM_MODEL_DIR``, checkpoints to ``/opt/ml/checkpoints``.
"""

import os
import sys

import trainer


def main(argv=None) -> int:
    paths = trainer.sagemaker_paths(os.environ)
    parser = trainer.build_parser("train.py", **paths)
    return trainer.main(parser, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
