#!/bin/bash
# EC2 user data of the dog-breed classifier's training host. It trains with the repository's
# training code (synced from the bucket), uploads model.tar.gz and, when STOP_AFTER_TRAINING is
# true, stops the host on every way out: no dataset yet, any failed step, or success.
#
# On a GPU type (INSTANCE_GPUS above 0) the image carries the NVIDIA driver and PIP_INDEX_URL is a
# CUDA wheel index. The script counts the GPUs the driver sees at boot and starts one training
# process per GPU under torchrun (DDP over NCCL), as the training jobs do on multi-GPU instances;
# one GPU, or a CPU type, trains in one process.
#
# It also copies itself to cloud-init's per-boot scripts, which cloud-init runs at every later boot
# (https://cloudinit.readthedocs.io/en/latest/reference/modules.html#scripts-per-boot): a host that
# stopped for want of a dataset, or after a failure, trains when it is started again. Once a model
# is uploaded, later boots leave the host alone.
#
# Rendered by infra/host-scripts/render.ts, which assigns the parameters right below `set`.
set -euo pipefail
# @parameters REGION BUCKET CODE_PREFIX DATA_PREFIX OUTPUT_PREFIX HOST_NAME INSTANCE_TYPE INSTANCE_GPUS STOP_AFTER_TRAINING PYTORCH_PINS PIP_INDEX_URL EPOCHS BATCH_SIZE LEARNING_RATE ARCH PRETRAINED CODE_DIGEST WORK_DIR LOG_FILE PER_BOOT_DIR HOST_PATH

# The same commands whether cloud-init or a later boot starts this script.
export PATH="$HOST_PATH"
# Every AWS CLI call below names the region; the training code's own upload inherits it.
export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"

mkdir -p "$WORK_DIR" "$(dirname "$LOG_FILE")"
exec > >(tee -a "$LOG_FILE") 2>&1

log() { printf '%s training-host: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

log "start (training code $CODE_DIGEST)"
done_marker="$WORK_DIR/model-uploaded"
if [ -f "$done_marker" ]; then
  log "a model is already uploaded to $(cat "$done_marker"); nothing to do at this boot" \
    "(delete $done_marker and reboot to train again)"
  exit 0
fi

step="starting"
outcome=""
finish() {
  local status=$?
  if [ "$status" -eq 0 ]; then
    log "$outcome"
  else
    log "FAILED while $step (exit status $status); the log above says why"
  fi
  if [ "$STOP_AFTER_TRAINING" = true ]; then
    log "stopping the host"
    shutdown -h now
  else
    log "ec2StopAfterTraining is false: the host stays up"
  fi
}
trap finish EXIT
# A signal ends the script through `exit`, so `finish` runs for it too.
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

step="registering for later boots"
per_boot="$PER_BOOT_DIR/dog-breed-training.sh"
if [ "$(readlink -f "$0")" != "$(readlink -f "$per_boot" 2>/dev/null || true)" ]; then
  mkdir -p "$PER_BOOT_DIR"
  install -m 0700 "$0" "$per_boot"
fi

step="looking for the dataset under s3://$BUCKET/${DATA_PREFIX}train/"
first_key=$(aws s3api list-objects-v2 --region "$REGION" --bucket "$BUCKET" \
  --prefix "${DATA_PREFIX}train/" --max-items 1 --query 'Contents[0].Key' --output text)
first_key=${first_key%%$'\n'*}
if [ -z "$first_key" ] || [ "$first_key" = None ]; then
  outcome="waiting for the dataset: s3://$BUCKET/$DATA_PREFIX has no train/ split yet. Upload"
  outcome+=" train/, valid/ and test/ there (one folder per breed, see training/README.md), then"
  outcome+=" start this instance ($HOST_NAME) again: it trains at that boot."
  exit 0
fi

# A GPU type trains on its GPUs or not at all: on the CPU it would bill the GPU and take hours.
gpus=0
if [ "$INSTANCE_GPUS" -gt 0 ]; then
  step="counting the GPUs (nvidia-smi -L)"
  gpu_list=$(nvidia-smi -L)
  gpus=$(grep -c '^GPU [0-9]' <<<"$gpu_list" || true)
  printf '%s\n' "$gpu_list"
  if [ "$gpus" -eq 0 ]; then
    log "the NVIDIA driver lists no GPU on this $INSTANCE_TYPE, which has $INSTANCE_GPUS"
    exit 1
  fi
  if [ "$gpus" -ne "$INSTANCE_GPUS" ]; then
    log "the NVIDIA driver lists $gpus GPUs where $INSTANCE_TYPE has $INSTANCE_GPUS; training on $gpus"
  fi
fi

step="installing Python 3.11"
dnf install -y python3.11 python3.11-pip
python=$(command -v python3.11) || {
  log "python3.11 is not on PATH ($PATH) after dnf install"
  exit 1
}

step="creating the virtual environment"
"$python" -m venv "$WORK_DIR/venv"
venv_python="$WORK_DIR/venv/bin/python"

# One pinned, mutually compatible set; the code's own requirements may not move it.
step="installing $PYTORCH_PINS"
read -r -a pins <<<"$PYTORCH_PINS"
printf '%s\n' "${pins[@]}" >"$WORK_DIR/pytorch-constraints.txt"
"$venv_python" -m pip install --no-input --index-url "$PIP_INDEX_URL" "${pins[@]}"

step="syncing the training code from s3://$BUCKET/$CODE_PREFIX"
mkdir -p "$WORK_DIR/code" "$WORK_DIR/data" "$WORK_DIR/model" "$WORK_DIR/checkpoints"
aws s3 sync "s3://$BUCKET/$CODE_PREFIX" "$WORK_DIR/code" --region "$REGION" --only-show-errors
if [ -f "$WORK_DIR/code/requirements.txt" ]; then
  step="installing the training code's requirements"
  "$venv_python" -m pip install --no-input -r "$WORK_DIR/code/requirements.txt" \
    -c "$WORK_DIR/pytorch-constraints.txt"
fi

step="syncing the dataset from s3://$BUCKET/$DATA_PREFIX"
aws s3 sync "s3://$BUCKET/$DATA_PREFIX" "$WORK_DIR/data" --region "$REGION" --only-show-errors

# Several GPUs: torchrun (torch.distributed.run of the pinned torch) starts one process per GPU on
# this one node; the training code then trains data-parallel and only rank 0 writes and uploads.
if [ "$gpus" -gt 1 ]; then
  launch=("$venv_python" -m torch.distributed.run --standalone --nnodes 1 --nproc_per_node "$gpus")
  launched="$gpus training processes (torchrun, one per GPU, DDP over NCCL)"
elif [ "$gpus" -eq 1 ]; then
  launch=("$venv_python")
  launched="1 training process on the GPU"
else
  launch=("$venv_python")
  launched="1 training process on the CPU"
fi

model_uri="s3://$BUCKET/$OUTPUT_PREFIX$(date -u +%Y%m%dT%H%M%SZ)/model.tar.gz"
step="training and uploading the model to $model_uri"
log "launching $launched: ${launch[*]} ec2_train.py"
# The same training code as the jobs; --upload-to packs model.tar.gz and copies it with the CLI.
# A rerun after a stop resumes from the checkpoints.
(
  cd "$WORK_DIR/code"
  "${launch[@]}" ec2_train.py \
    --data-dir "$WORK_DIR/data" \
    --model-dir "$WORK_DIR/model" \
    --checkpoint-dir "$WORK_DIR/checkpoints" \
    --epochs "$EPOCHS" \
    --batch-size "$BATCH_SIZE" \
    --learning-rate "$LEARNING_RATE" \
    --arch "$ARCH" \
    --pretrained "$PRETRAINED" \
    --upload-to "$model_uri"
)
printf '%s\n' "$model_uri" >"$done_marker"
outcome="trained; the model is at $model_uri"
