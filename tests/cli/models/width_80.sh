# Every command's default output fits 80 columns, on every bundled net and (when
# present) every model of ../shared/models and ../shared/zoo: prints the lines that
# do not, else one "ok" per command (the same output either way).
nets="nets/*.json"
for d in ../shared/models ../shared/zoo; do
  [ -d "$d" ] && nets="$nets $d/*.tflite"
done
wide() { awk -v w="$1" 'length($0) > 80 { print w ": " length($0) ": " $0; n++ } END { exit n > 0 }'; }
bad=0
for f in $nets; do
  b=$(basename "$f")
  $MEMPLAN analyze "$f" 2>&1 | wide "analyze $b" || bad=1
  $MEMPLAN plan "$f" --best 2>&1 | wide "plan --best $b" || bad=1
  case $b in darts*) ;; *) $MEMPLAN analyze "$f" --fused --pareto 2>&1 | wide "analyze --fused $b" || bad=1 ;; esac
done
[ $bad = 0 ] && echo "analyze, plan: ok"
$MEMPLAN mcus | wide mcus && echo "mcus: ok"
$MEMPLAN sweep nets/*.json --mcus all | wide sweep && echo "sweep: ok"
$MEMPLAN report | wide report && echo "report: ok"
$MEMPLAN redistribute nets/mcunet-like-r160.json | wide redistribute && echo "redistribute: ok"
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json | wide validate && echo "validate: ok"
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --fused | wide "validate --fused" &&
  echo "validate --fused: ok"
h=0
for c in analyze plan validate run export render sweep mcus merge report redistribute convert; do
  $MEMPLAN "$c" --help | wide "$c --help" || h=1
done
$MEMPLAN --help | wide "--help" || h=1
[ $h = 0 ] && echo "--help of every command: ok"
true
