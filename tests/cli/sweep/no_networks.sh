$MEMPLAN sweep --budgets 64K
