# Where outputs go (issue 18): a device is never replaced ('-' is standard output), a
# symbolic link stays and its file is replaced, a file keeps its mode, a new file gets
# 0666 less the umask, a directory is named as one.
cd "$SCRATCH" || exit 1
net="$ROOT/nets/mobilenetv1-w0.25-r96-gray.json"
$MEMPLAN plan "$net" --no-db -o /dev/null >/dev/null; echo "/dev/null: exit $?"
[ -c /dev/null ] && echo "/dev/null is still a character device"
$MEMPLAN convert "$net" -o - | head -c 40; echo
$MEMPLAN plan "$net" --no-db -o - | head -c 30; echo  # the schedule JSON alone
$MEMPLAN plan "$net" --no-db -o real.json >/dev/null 2>&1
chmod 600 real.json
ln -s real.json link.json
$MEMPLAN plan "$net" --no-db --budget 64K --best -o link.json >/dev/null 2>&1; echo "link: exit $?"
[ -L link.json ] && echo "link.json is still a link"
stat -c '%a %n' real.json
(umask 027; $MEMPLAN convert "$net" -o new.json); stat -c '%a %n' new.json
mkdir dir
$MEMPLAN convert "$net" -o dir; echo "dir: exit $?"
echo "$(ls | grep -c '\.tmp\.') temporaries left"
