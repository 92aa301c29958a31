#!/usr/bin/env bash
# Benchmarks (hyperfine; never timed assertions in tests). Prints ratios against /bin/true.
#
#   scripts/bench.sh [--quick]
#
# 1. get-token cache hit — the static release binary (what releases ship on Linux) and the
#    dynamic one — vs /bin/true vs gke-gcloud-auth-plugin's cache hit (if installed), and their
#    instruction counts under valgrind (repeatable, whatever else the machine does), sealed
#    (the default here: the data key from the kernel keyring) and with plain files. Goals: the
#    static hit at most 1.5x /bin/true; sealing adds at most 0.2x /bin/true.
# 2. cold spn token against the Entra ID emulator on loopback
# 3. 64 parallel cold get-token: token requests seen by the emulator and wall time
# 4. convert-kubeconfig on generated kubeconfigs of 50, 500, 5,000 and 20,000 contexts (linear)
# 5. azurecli: our cache hit (session files stat'ed) vs `az account get-access-token` itself,
#    when the Azure CLI is installed (KUBECTL_AAD_TEST_AZ or az on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=200; [ "${1:-}" = "--quick" ] && runs=30
command -v hyperfine >/dev/null || { echo "bench.sh: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
work=$(mktemp -d)
# The static build first: it relinks target/release/kubectl-aad, which the next line restores.
scripts/build-static.sh --release --out "$work/static/kubectl-aad" >/dev/null
cargo build --quiet --release --bin kubectl-aad
cargo build --quiet --release -p entra-emulator
bin=$work/static/kubectl-aad
dynamic=$PWD/target/release/kubectl-aad
# remove-tokens also deletes the cache folder's data key from the kernel keyring.
trap '"$bin" remove-tokens --cache-dir "$work/cache" >/dev/null 2>&1; exec 3>&-; rm -rf "$work"' EXIT

# The emulator serves until its stdin (fd 3 here) closes.
mkfifo "$work/emulator-in"
target/release/entra-emulator --tenant tenant1 --client bench-app:bench-secret < "$work/emulator-in" > "$work/emulator.json" &
exec 3>"$work/emulator-in"
for _ in $(seq 100); do [ -s "$work/emulator.json" ] && break; sleep 0.05; done
authority=$(sed -n 's/.*"authority_host":"\([^"]*\)".*/\1/p' "$work/emulator.json")
export SSL_CERT_FILE=$(sed -n 's/.*"ca_file":"\([^"]*\)".*/\1/p' "$work/emulator.json")
export AZURE_CLIENT_SECRET=bench-secret
args=(get-token -l spn --server-id 6dae42f8-4368-4678-94ff-3960e28e3630 --client-id bench-app --tenant-id tenant1 --authority-host "$authority" --cache-dir "$work/cache")
# The same hit with plain files, to show what sealing (a kernel keyring lookup, AES-GCM) adds.
plain=("${args[@]}" --token-cache-storage file --cache-dir "$work/cache-plain")
"$bin" "${args[@]}" >/dev/null   # warm the caches
"$bin" "${plain[@]}" >/dev/null

echo "== 1. cache hit (goal: the static binary <= 1.5x /bin/true)"
gke=()
if command -v gke-gcloud-auth-plugin >/dev/null; then
  mkdir -p "$work/gke"
  printf 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: gke, context: {cluster: c, user: u}}]\ncurrent-context: gke\nusers: [{name: u, user: {token: x}}]\n' > "$work/gke/config"
  echo '{"current_context":"gke","access_token":"ya29.bench","token_expiry":"2099-01-01T00:00:00Z","extra_args":""}' > "$work/gke/gke_gcloud_auth_plugin_cache"
  # get-token never reads KUBECONFIG, so exporting it for the whole run only affects gke's plugin.
  export KUBECONFIG=$work/gke/config
  gke=(-n gke-gcloud-auth-plugin gke-gcloud-auth-plugin)
fi
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/hit.json" \
  -n /bin/true /bin/true \
  -n "kubectl-aad get-token (hit, static)" "$bin ${args[*]}" \
  -n "kubectl-aad get-token (hit, static, file storage)" "$bin ${plain[*]}" \
  -n "kubectl-aad get-token (hit, dynamic)" "$dynamic ${args[*]}" \
  "${gke[@]}" >/dev/null
python3 - "$work/hit.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["mean"]
for r in results:
    print(f"  {r['command']:<50} mean {r['mean']*1000:7.2f} ms  ±{r['stddev']*1000:5.2f}  = {r['mean']/base:5.2f}x /bin/true")
PY

if command -v valgrind >/dev/null; then
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  hit=$(count "$bin" "${args[@]}")
  hit_plain=$(count "$bin" "${plain[@]}")
  hit_dynamic=$(count "$dynamic" "${args[@]}")
  base=$(count /bin/true)
  echo "  instructions: cache hit $hit static (sealed), $hit_plain static (file storage), $hit_dynamic dynamic; /bin/true $base (valgrind callgrind)"
else
  echo "  instructions: skipped (install valgrind)"
fi

echo "== 2. cold spn token (emulator on loopback)"
hyperfine -N --warmup 3 --runs $((runs / 10 + 5)) --export-json "$work/cold.json" \
  --prepare "$bin remove-tokens --cache-dir $work/cache" \
  -n "kubectl-aad get-token (cold)" "$bin ${args[*]}" >/dev/null
python3 - "$work/cold.json" "$work/hit.json" <<'PY'
import json, sys
cold = json.load(open(sys.argv[1]))["results"][0]
base = json.load(open(sys.argv[2]))["results"][0]["mean"]
print(f"  {cold['command']:<32} mean {cold['mean']*1000:7.2f} ms  ±{cold['stddev']*1000:5.2f}  = {cold['mean']/base:5.1f}x /bin/true")
PY

echo "== 3. 64 parallel cold get-token"
"$bin" remove-tokens --cache-dir "$work/cache" >/dev/null 2>&1
start=$(date +%s%N)
pids=()
for _ in $(seq 64); do "$bin" "${args[@]}" -v 5 >/dev/null 2>>"$work/parallel.log" & pids+=($!); done
wait "${pids[@]}"   # not a bare `wait`: that would also wait for the emulator
end=$(date +%s%N)
requests=$(grep -c "running the spn flow" "$work/parallel.log" || true)
echo "  64 processes: $requests token request(s), wall $(( (end - start) / 1000000 )) ms"

echo "== 4. convert-kubeconfig on generated kubeconfigs"
for n in 50 500 5000 20000; do
  python3 - "$n" "$work/kc-$n" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
out = ["apiVersion: v1", "kind: Config", "clusters:"]
out += [f"- name: c{i}\n  cluster:\n    server: https://c{i}.hcp.westeurope.azmk8s.io:443" for i in range(n)]
out.append("contexts:")
out += [f"- name: c{i}\n  context:\n    cluster: c{i}\n    user: u{i}" for i in range(n)]
out.append(f"current-context: c0\nusers:")
out += [f"- name: u{i}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, t{i}, --login, devicecode]" for i in range(n)]
open(path, "w").write("\n".join(out) + "\n")
PY
  cp "$work/kc-$n" "$work/kc-$n.orig"
  hyperfine -N --warmup 1 --runs 5 --export-json "$work/convert-$n.json" \
    --prepare "cp $work/kc-$n.orig $work/kc-$n" \
    -n "convert $n contexts" "$bin convert-kubeconfig --no-backup --kubeconfig $work/kc-$n" >/dev/null
  python3 -c "import json,sys; r=json.load(open('$work/convert-$n.json'))['results'][0]; print(f\"  convert {$n:>5} contexts          mean {r['mean']*1000:7.1f} ms  ({r['mean']/$n*1e6:6.1f} us/context)\")"
done

echo "== 5. azurecli: cache hit vs running az"
az=${KUBECTL_AAD_TEST_AZ:-$(command -v az || true)}
if [ -z "$az" ] || [ ! -x "$az" ]; then
  echo "  skipped: no Azure CLI (set KUBECTL_AAD_TEST_AZ)"
  exit 0
fi
export AZURE_CONFIG_DIR=$work/azure REQUESTS_CA_BUNDLE=$SSL_CERT_FILE PATH="$(dirname "$az"):$PATH"
az config set core.collect_telemetry=false core.instance_discovery=false >/dev/null 2>&1
az cloud register --name BenchEntra --skip-endpoint-discovery --endpoint-active-directory "${authority%/}" \
  --endpoint-active-directory-resource-id https://management.core.windows.net/ --endpoint-resource-manager "$authority" \
  --endpoint-management https://management.core.windows.net/ >/dev/null 2>&1
az cloud set --name BenchEntra >/dev/null 2>&1
az login --service-principal -u bench-app -p bench-secret --tenant tenant1 --allow-no-subscriptions >/dev/null 2>&1
cli_args=(get-token -l azurecli --server-id 6dae42f8-4368-4678-94ff-3960e28e3630 --cache-dir "$work/cache")
"$bin" "${cli_args[@]}" >/dev/null   # warm the cache
hyperfine -N --warmup 3 --runs 10 --export-json "$work/azurecli.json" \
  -n "kubectl-aad -l azurecli (hit)" "$bin ${cli_args[*]}" \
  -n "az account get-access-token" "$az account get-access-token --resource 6dae42f8-4368-4678-94ff-3960e28e3630 -o json" >/dev/null
python3 - "$work/azurecli.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"  {r['command']:<32} mean {r['mean']*1000:8.2f} ms  ±{r['stddev']*1000:6.2f}")
PY
