$MEMPLAN report --format xml
