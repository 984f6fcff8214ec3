# the bundled networks over four SRAM budgets (no flash check)
$MEMPLAN sweep nets/*.json --budgets 64K,128K,256K,512K
