# arbor-base adapter: the arbor adapter run on another build of arbor (an older commit), so
# one run measures a change side by side with what it replaced:
#   ARBOR_BASE=/path/to/old/build/bench bench/run.sh --quick --peers "arbor arbor-base floor"
# (ARBOR_BASE: a Release build tree of the old commit, with daemon/arbord and ctl/arborctl.)
ARBORD=${ARBOR_BASE:-/nonexistent}/daemon/arbord
ARBORCTL=${ARBOR_BASE:-/nonexistent}/ctl/arborctl
source "$BENCH/peers/arbor.sh"
peer_name() { echo arbor-base; }
peer_version() { echo "arbor $(git -C "$ARBOR_BASE" describe --always 2>/dev/null || echo "at $ARBOR_BASE") (Release)"; }
