#!/bin/bash
# On-start script of the notebook's lifecycle configuration: installs a cron job that stops this
# notebook instance once Jupyter has been idle for IDLE_MINUTES.
#
# SageMaker runs it as root at every start with PATH /sbin:bin:/usr/sbin:/usr/bin, and fails the
# start when it runs longer than 5 minutes; a lifecycle script holds at most 16384 characters
# (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_NotebookInstanceLifecycleHook.html).
# Its output goes to CloudWatch Logs, group /aws/sagemaker/NotebookInstances, stream
# <notebook>/LifecycleConfigOnStart. Anything that would keep the stop from working (no Python,
# no AWS CLI, no route to the SageMaker API) fails the start here, with the reason in that log,
# rather than leaving a notebook that never stops.
#
# Rendered by infra/host-scripts/render.ts, which assigns the parameters right below `set`.
set -euo pipefail
# @parameters REGION NOTEBOOK_NAME IDLE_MINUTES JUPYTER_URL PYTHON_CANDIDATES AWS_CLI_CANDIDATES CHECKER_PATH CRON_FILE LOG_FILE

log() { printf 'notebook-idle-stop: %s\n' "$*"; }

first_executable() {
  local c
  for c in "$@"; do
    if [ -x "$c" ]; then
      printf '%s\n' "$c"
      return 0
    fi
  done
  return 1
}

# cron starts the check with its own minimal PATH, so the job names absolute paths, found here.
read -r -a python_candidates <<<"$PYTHON_CANDIDATES"
if ! python=$(first_executable "${python_candidates[@]}") ||
  ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 6))'; then
  log "no Python 3.6 or later at any of: $PYTHON_CANDIDATES. The idle stop cannot run."
  exit 1
fi
read -r -a aws_candidates <<<"$AWS_CLI_CANDIDATES"
if ! aws=$(first_executable "${aws_candidates[@]}"); then
  log "no AWS CLI at any of: $AWS_CLI_CANDIDATES. The idle stop cannot run."
  exit 1
fi

# The stop calls the SageMaker API. Without direct internet access, the notebook's subnet needs a
# NAT gateway or an interface VPC endpoint for com.amazonaws.<region>.sagemaker.api; probe it now.
if ! status=$(AWS_MAX_ATTEMPTS=2 "$aws" sagemaker describe-notebook-instance --region "$REGION" \
  --notebook-instance-name "$NOTEBOOK_NAME" --query NotebookInstanceStatus --output text \
  --cli-connect-timeout 10 --cli-read-timeout 20 2>&1); then
  log "cannot reach the SageMaker API in $REGION: $status"
  log "the idle stop needs it: give the notebook direct internet access, or its subnet a NAT" \
    "gateway or an interface VPC endpoint for com.amazonaws.$REGION.sagemaker.api"
  exit 1
fi

mkdir -p "$(dirname "$CHECKER_PATH")" "$(dirname "$CRON_FILE")" "$(dirname "$LOG_FILE")"
cat >"$CHECKER_PATH" <<'PY'
# @include notebook-idle-stop.py
PY
chmod 0755 "$CHECKER_PATH"

# A shell word for cron's /bin/sh, whatever the value holds.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
# -I -S: a root job, standard library only; no PYTHON* variables, user or site packages.
job="$(sq "$python") -I -S $(sq "$CHECKER_PATH") --idle-minutes $(sq "$IDLE_MINUTES")"
job+=" --region $(sq "$REGION") --notebook-name $(sq "$NOTEBOOK_NAME") --aws $(sq "$aws")"
job+=" --jupyter $(sq "$JUPYTER_URL") >> $(sq "$LOG_FILE") 2>&1"
# Every minute, so the stop comes at most a minute after the idle time is reached.
printf '* * * * * root %s\n' "$job" >"$CRON_FILE"
chmod 0644 "$CRON_FILE"
log "installed: $CRON_FILE stops $NOTEBOOK_NAME (status $status) after $IDLE_MINUTES idle minutes" \
  "($python, $aws); its log is $LOG_FILE"
