"""Python models of the Customer Value warehouse: identity resolution (`ml.linkage`) and customer value
models (`ml.run`). Pure functions over DataFrames; warehouse I/O only in `ml.io`."""
