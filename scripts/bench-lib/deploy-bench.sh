#!/usr/bin/env bash
# Deploy + destroy wall time on the emulator: cachedemo vs the AWS CLI on the same
# rendered template and the same uploaded zip. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/cachedemo
work=$(mktemp -d)
scripts/aws-emulator --state-file "$work/emu.json" > /dev/null 2> "$work/emu.log" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do [ -s "$work/emu.json" ] && break; sleep 0.1; done
read -r endpoint key secret < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["endpoint"], d["accessKeyId"], d["secretAccessKey"])' "$work/emu.json")
export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
ms() { python3 -c 'import time; print(int(time.time()*1000))'; }

# Warm the bucket and the zip once, so both runs deploy the same artifact.
$bin deploy --stack-name bench-warm --yes > /dev/null 2>&1
$bin destroy --stack-name bench-warm --yes > /dev/null 2>&1

start=$(ms)
$bin deploy --stack-name bench-cachedemo --multi-az --yes > /dev/null 2>&1
deployed=$(ms)
$bin destroy --stack-name bench-cachedemo --yes > /dev/null 2>&1
end=$(ms)
ours_deploy=$((deployed - start)); ours_total=$((end - start))

bucket="cachedemo-artifacts-123456789012-us-east-1"
key=$(aws s3api list-objects-v2 --bucket "$bucket" --prefix cachedemo/bench-warm/ --query 'Contents[0].Key' --output text)
$bin template --multi-az --format json --output-file "$work/stack.json"
start=$(ms)
aws cloudformation package --template-file "$work/stack.json" --s3-bucket "$bucket" --output-template-file "$work/packaged.json" > /dev/null
aws cloudformation deploy --stack-name bench-awscli --template-file "$work/packaged.json" --capabilities CAPABILITY_IAM \
  --parameter-overrides CodeS3Bucket="$bucket" CodeS3Key="$key" > /dev/null
deployed=$(ms)
aws cloudformation delete-stack --stack-name bench-awscli
aws cloudformation wait stack-delete-complete --stack-name bench-awscli
end=$(ms)
cli_deploy=$((deployed - start)); cli_total=$((end - start))

echo "| tool (Multi-AZ stack, emulator) | deploy ms | deploy + destroy ms |"
echo "| --- | ---: | ---: |"
echo "| aws cloudformation package + deploy + delete-stack + wait | $cli_deploy | $cli_total |"
echo "| cachedemo deploy + destroy | $ours_deploy | $ours_total |"
python3 -c "import sys; print(f'\ncachedemo takes {int(sys.argv[1])/int(sys.argv[2]):.0%} of the AWS CLI wall time')" "$ours_total" "$cli_total"
