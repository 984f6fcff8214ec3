# The same schedule gives the same PDF (issue 18): cairo's /CreationDate is fixed.
cd "$SCRATCH" || exit 1
net="$ROOT/nets/mobilenetv1-w0.25-r96-gray.json"
$MEMPLAN render "$net" --no-patch -o a.pdf || exit 1
sleep 1.1
$MEMPLAN render "$net" --no-patch -o b.pdf || exit 1
cmp a.pdf b.pdf && echo "identical"
grep -a -o '/CreationDate *(D:[0-9]*' a.pdf | sed 's/ *(/ (/'
