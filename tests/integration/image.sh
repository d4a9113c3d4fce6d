#!/usr/bin/env bash
# The container image scripts/image builds: txstorm demo, a short run with its ledger and
# the check run inside it against the suite's server (host network, read-only root, no
# capabilities), as an unprivileged user; the saved OCI archive loads into an empty store
# and runs; the Kubernetes manifests name the image scripts/image names by default. The
# first run builds the cached base (about a minute).
source "$(dirname "$0")/lib.sh"
DB_NAME=t_image
fresh_db $DB_NAME
image=$root/scripts/image
tag=localhost/txstorm-test:$$
archive=$work/txstorm-image.tar
store=$work/store
trap '"$image" podman rmi --force "$tag" >/dev/null 2>&1; "$image" podman --root "$store/root" --runroot "$store/run" rmi --all --force >/dev/null 2>&1; finish_work' EXIT

expect_exit 0 "$image" build "$build" --tag "$tag" --output "$archive"
[[ $(cat "$work/out") == "$archive"$'\n'"$tag" ]] || fail "build printed: $(cat "$work/out")"

# As the Kubernetes Job runs it: the URL from the environment, results on a mounted volume.
mkdir "$work/results"
chmod 755 "$work"
chmod 777 "$work/results" # the image's user is not the test's
in_image() {
    DATABASE_URL=$DSN "$image" podman run --rm --network host --read-only --cap-drop ALL \
        -e DATABASE_URL -v "$work/results:/results" "$tag" "$@"
}

expect_exit 0 in_image id -u
[[ $(cat "$work/out") != 0 ]] || fail "the image runs as root"
expect_exit 0 in_image txstorm demo
assert_in "$work/out" "Transfer of 100 from account 1 to account 2: committed after 0 retries"
grep -A2 "Balances after:" "$work/out" | grep -qx "  account 2: 350" || fail "demo: $(cat "$work/out")"

expect_exit 0 in_image txstorm init --accounts 100
expect_exit 0 in_image txstorm run --workers 3 --hot 10 --duration 1s --ledger --progress-every 0 \
    --json /results/run.json
jq -e '.committed > 0 and .check.ok' "$work/results/run.json" >/dev/null ||
    fail "run: $(jq -c '{committed, check}' "$work/results/run.json")"
expect_exit 0 in_image txstorm check --ledger --result /results/run.json
assert_in "$work/out" "ledger: acknowledged found   PASS"
[[ $(jq .committed "$work/results/run.json") == $(sql "SELECT count(*) FROM transfers") ]] ||
    fail "ledger rows differ from the run's commits"

# The archive carries every layer: an empty store loads it and runs it.
expect_exit 0 "$image" podman --root "$store/root" --runroot "$store/run" load --quiet --input "$archive"
assert_in "$work/out" "$tag"
expect_exit 0 "$image" podman --root "$store/root" --runroot "$store/run" run --rm --network none \
    --read-only --cap-drop ALL "$tag" txstorm --version
[[ $(cat "$work/out") == "$("$txstorm" --version)" ]] || fail "the loaded image says $(cat "$work/out")"

# A new version renames the default image: the manifests must follow.
version=$("$txstorm" --version)
for f in "$root"/deploy/kubernetes/txstorm-{job,merge}.yaml; do
    assert_in "$f" "image: localhost/txstorm:${version#txstorm }"
done
