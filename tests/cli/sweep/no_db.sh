# --no-db records nothing
$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json --budgets 64K --no-db >/dev/null || exit 1
test -e "$MEMPLAN_DB" && echo "database written" || echo "no database"
