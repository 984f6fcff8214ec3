# Issue 17's outcomes over every bundled net and (when present) every model of
# ../shared/models and ../shared/zoo: the --pareto front has no dominated point, and
# without a budget neither the recommended patch schedule nor the recommended fused
# schedule costs more than +10 % MACs. Prints the offending networks, else "ok" (the
# same output either way).
nets="nets/*.json"
for d in ../shared/models ../shared/zoo; do
  [ -d "$d" ] && nets="$nets $d/*.tflite"
done
check() {
  awk -v net="$1" '
    /"pareto": \[/ { inside = 1; grp++; next }
    inside && !/^ +\{"/ { inside = 0 }
    inside {
      match($0, /"peak_bytes": [0-9]+/); p = substr($0, RSTART + 14, RLENGTH - 14) + 0
      match($0, /"macs": [0-9]+/); m = substr($0, RSTART + 8, RLENGTH - 8) + 0
      n++; P[n] = p; M[n] = m; G[n] = grp
    }
    /"patch": \{/ && match($0, /"best": \{"split"[^}]*"overhead": [-0-9.e]+/) {
      b = substr($0, RSTART, RLENGTH); sub(/.*"overhead": /, "", b)
      if (b + 0 > 0.100000001) { print net ": recommended patch schedule at +" b * 100 "% MACs"; bad = 1 }
    }
    /"fused": \{/ && match($0, /"mac_factor": [0-9.e]+/) {
      f = substr($0, RSTART + 14, RLENGTH - 14) + 0
      if (f > 1.100000001) { print net ": recommended fused schedule at " f "x MACs"; bad = 1 }
    }
    END {
      for (i = 1; i <= n; i++)
        for (k = 1; k <= n; k++)
          if (k != i && G[k] == G[i] && P[k] <= P[i] && M[k] <= M[i]) {
            print net ": front point " i " (" P[i] " B, " M[i] " MACs) is dominated"; bad = 1
          }
      exit bad
    }'
}
bad=0
for f in $nets; do
  b=$(basename "$f")
  $MEMPLAN analyze --no-db --json --pareto "$f" | check "$b" || bad=1
  case $b in darts*) ;; *) $MEMPLAN analyze --no-db --json --fused "$f" | check "$b --fused" || bad=1 ;; esac
done
[ $bad = 0 ] && echo ok
