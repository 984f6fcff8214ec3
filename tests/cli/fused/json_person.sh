$MEMPLAN analyze nets/mobilenetv1-w0.25-r96-gray.json --fused --budget 16K --max-grid 4 --json --no-patch | grep -A2 "\"fused\""
