$MEMPLAN redistribute --inplace-dw
