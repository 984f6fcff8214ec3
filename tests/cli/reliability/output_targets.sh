# Where outputs go (issue 18): a device is never replaced ('-' is standard output), a
# symbolic link stays and its file is replaced, a file keeps its mode, a new file gets
# 0666 less the umask, a directory is named as one.
cd "$SCRATCH" || exit 1
net="$ROOT/nets/mobilenetv1-w0.25-r96-gray.json"
# a character device made here (as root), else a FIFO: /dev/null itself is not relied on,
# a machine where another program replaced it by a regular file must not fail this case
mknod null c 1 3 2>/dev/null || mkfifo null
$MEMPLAN plan "$net" --no-db -o null 2>&1 >/dev/null | sed "s|$SCRATCH/||"
echo "device: exit ${PIPESTATUS[0]}"
{ [ -c null ] || [ -p null ]; } && echo "null is still a device or FIFO"
if [ -c /dev/null ]; then
  $MEMPLAN plan "$net" --no-db -o /dev/null >/dev/null 2>&1
  [ -c /dev/null ] || echo "/dev/null was replaced"
fi
rm null
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
