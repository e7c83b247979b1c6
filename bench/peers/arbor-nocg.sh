# arbor-nocg adapter: the same arbord with "cgroups": "off" (round 1's process groups), so
# one run shows what containment costs, side by side with the floor:
#   bench/run.sh --quick --peers "arbor arbor-nocg floor" --only "restart-immediate scale"
source "$BENCH/peers/arbor.sh"
peer_name() { echo arbor-nocg; }
eval "$(declare -f peer_configure | sed '1s/peer_configure/arbor_configure_cg/')"
peer_configure() {
  arbor_configure_cg "$@"
  python3 - "$1/arbor.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["cgroups"] = "off"; json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
}
