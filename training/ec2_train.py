"""Train on a plain Linux host (the EC2 training host) with local folders.

The host's user data syncs the code and the dataset from S3, then runs this script. It trains
with exactly the code SageMaker runs, writes the same model folder, and with ``--upload-to``
packs it as ``model.tar.gz`` (the layout SageMaker models deploy from) and copies it to S3 with
the AWS CLI.
"""

import subprocess
import sys
import tarfile
from pathlib import Path

import trainer

MODEL_ARCHIVE = "model.tar.gz"


def pack_model_dir(model_dir: Path, archive: Path) -> Path:
    """Tar the model folder's contents at the archive root, as SageMaker expects."""
    # Level 1: float weights barely compress, and higher levels only cost CPU time.
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    return archive


def upload(model_dir: Path, destination: str, aws_cli: str = "aws") -> str:
    """Pack the model and ``aws s3 cp`` it; returns the object URI."""
    if not destination.startswith("s3://"):
        raise ValueError(f"--upload-to must be an s3:// URI, got {destination!r}")
    if destination.endswith(".tar.gz"):
        uri = destination
    else:
        uri = f"{destination.rstrip('/')}/{MODEL_ARCHIVE}"
    # Beside the model folder, not inside it, so the archive never contains itself.
    archive = pack_model_dir(model_dir, model_dir.with_name(f"{model_dir.name}.tar.gz"))
    subprocess.run([aws_cli, "s3", "cp", str(archive), uri, "--only-show-errors"], check=True)
    print(f"uploaded model={uri}", flush=True)
    return uri


def build_parser():
    # No default paths on a plain host: the user data names every folder.
    parser = trainer.build_parser(
        "ec2_train.py", data_dir=None, model_dir=None, checkpoint_dir=None
    )
    parser.add_argument(
        "--upload-to",
        help="s3:// prefix or .tar.gz key to copy model.tar.gz to after training (AWS CLI)",
    )
    return parser


def main(argv=None) -> int:
    parser = build_parser()

    def after(args):
        if args.upload_to:
            upload(args.model_dir, args.upload_to)

    return trainer.main(parser, sys.argv[1:] if argv is None else argv, after)


if __name__ == "__main__":
    sys.exit(main())
