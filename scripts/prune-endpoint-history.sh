#!/usr/bin/env bash
# Lists, and with --delete deletes, the endpoint configurations and models of a stack that its
# endpoint no longer uses. The program never deletes them itself (retainOnDelete): after a
# rolled-back update the endpoint still runs on a configuration the stack has moved past. See the
# README, "Operations: endpoint updates".
#
# Usage: scripts/prune-endpoint-history.sh <stack> [--delete]
# Uses the AWS CLI with its usual credentials and region (AWS_REGION or the profile's).
set -euo pipefail

usage() {
  echo "usage: $0 <stack> [--delete]" >&2
  exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
stack=$1
delete=false
if [ $# -eq 2 ]; then
  [ "$2" = "--delete" ] || usage
  delete=true
fi
# Physical names as infra/naming.ts makes them: dog-breed-classifier-<stack>-...
[[ $stack =~ ^[a-zA-Z0-9-]+$ ]] || {
  echo "stack name $stack: only letters, digits and hyphens" >&2
  exit 2
}
prefix="dog-breed-classifier-$stack"
endpoint="$prefix-endpoint"

status=$(aws sagemaker describe-endpoint --endpoint-name "$endpoint" --query EndpointStatus --output text)
if [ "$status" != "InService" ]; then
  # While an update runs, the configuration it deploys is not the serving one yet.
  echo "$endpoint is $status; prune only once it is InService" >&2
  exit 1
fi
serving=$(aws sagemaker describe-endpoint --endpoint-name "$endpoint" --query EndpointConfigName --output text)
read -r -a models <<<"$(aws sagemaker describe-endpoint-config --endpoint-config-name "$serving" \
  --query 'ProductionVariants[].ModelName' --output text)"
echo "$endpoint serves $serving (models: ${models[*]})"

in_use() {
  local name=$1 used
  shift
  for used in "$@"; do [ "$name" = "$used" ] && return 0; done
  return 1
}

stale=()
for config in $(aws sagemaker list-endpoint-configs --name-contains "$prefix-" \
  --query 'EndpointConfigs[].EndpointConfigName' --output text); do
  # name-contains matches anywhere; keep this stack's own names only.
  [[ $config == "$prefix-"* ]] || continue
  in_use "$config" "$serving" || stale+=("endpoint-config $config")
done
for model in $(aws sagemaker list-models --name-contains "$prefix-model-" \
  --query 'Models[].ModelName' --output text); do
  [[ $model == "$prefix-model-"* ]] || continue
  in_use "$model" "${models[@]}" || stale+=("model $model")
done

if [ ${#stale[@]} -eq 0 ]; then
  echo "nothing to prune"
  exit 0
fi
for item in "${stale[@]}"; do
  kind=${item%% *}
  name=${item#* }
  if $delete; then
    echo "deleting $kind $name"
    if [ "$kind" = "model" ]; then
      aws sagemaker delete-model --model-name "$name"
    else
      aws sagemaker delete-endpoint-config --endpoint-config-name "$name"
    fi
  else
    echo "would delete $kind $name"
  fi
done
$delete || echo "run again with --delete to delete them"
