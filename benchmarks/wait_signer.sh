# wait_signer OUT END: when the build into OUT left a background signer (its cache folder's
# sign.lock is held), wait for it and print ", signed S s later" (S counted from END, the time
# the build returned, as `date +%s.%N` gave it); print nothing when there was none.
wait_signer() {
  local lock
  lock="$(dirname "$1")/.$(basename "$1").cache/sign.lock"
  [ -e "$lock" ] || return 0
  flock -s "$lock" true
  echo ", signed $(echo "$(date +%s.%N) - $2" | bc) s later"
}
