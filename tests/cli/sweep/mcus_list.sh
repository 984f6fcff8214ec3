# a list of parts (any case), with the user's catalog
$MEMPLAN sweep nets/mobilenetv2-w0.35-r144.json --mcus rp2040,MyBoard-M4,tinypart --catalog tests/data/catalogs/good.json
