# Success is reported on stderr; nothing goes to stdout.
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --kind timeline -o "$SCRATCH/t.svg" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
