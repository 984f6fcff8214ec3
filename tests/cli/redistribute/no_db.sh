# --no-db: redistribute records nothing
$MEMPLAN redistribute nets/mcunet-like-r160.json --no-db >/dev/null || exit 1
test -e "$MEMPLAN_DB" && echo "database written" || echo "no database"
