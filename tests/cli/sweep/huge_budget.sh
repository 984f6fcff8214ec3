$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json --budgets 99999999999999999999K
